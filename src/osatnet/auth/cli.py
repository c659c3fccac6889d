"""``osatnet users set-password`` and ``osatnet tokens``: sign-in for the web and the REST API."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..cli._common import JsonOption, console, print_json
from ..db import Database
from ..errors import InputError
from .service import Auth

__all__ = ["register", "tokens_app"]

tokens_app = typer.Typer(help="API tokens for scripts (the REST API).", no_args_is_help=True)


def set_password(
    username: str,
    stdin: Annotated[
        bool, typer.Option("--stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a user's password for signing in to the web dashboard (asked twice, hidden)."""
    if stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise InputError("the password is empty")
    Auth(Database()).set_password(username, password)
    console.print(f"password set for {username}")


@tokens_app.command("create")
def create(
    username: str,
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "script",
    days: Annotated[
        int, typer.Option("--days", help="Valid for this many days (0: no expiry).")
    ] = 90,
    json: JsonOption = False,
) -> None:
    """Issue an API token for a user. It is shown once: only its hash is stored."""
    issued = Auth(Database()).create_token(username, name, days=days or None)
    if json:
        print_json({"token": issued.token, "name": issued.name, "prefix": issued.prefix,
                    "expires_at": issued.expires_at})  # fmt: skip
    else:
        console.print(issued.token, highlight=False, soft_wrap=True)
        expiry = issued.expires_at.date() if issued.expires_at else "never"
        console.print(
            f"(token {issued.prefix}…, expires {expiry}; store it now, it is not shown again)"
        )


@tokens_app.command("revoke")
def revoke(
    username: str,
    prefix: Annotated[str, typer.Argument(help="The token's first 12 characters.")],
) -> None:
    """Revoke a user's token by its prefix."""
    count = Auth(Database()).revoke_token(username, prefix)
    if not count:
        raise InputError(f"user {username} has no token starting {prefix!r}")
    console.print(f"revoked {count} token(s)")


def register(users_app: typer.Typer) -> None:
    users_app.command("set-password")(set_password)
