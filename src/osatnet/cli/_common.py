"""Shared pieces of the CLI: consoles, the ``--json`` option, JSON printing."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

__all__ = ["JsonOption", "UserOption", "console", "err_console", "print_json", "require_user"]

console = Console()
err_console = Console(stderr=True)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON on stdout instead of tables.")
]


UserOption = Annotated[
    str | None,
    typer.Option("--user", "-u", envvar="OSATNET_USER", help="Act as this osatnet user."),
]


def require_user(user: str | None) -> str:
    """The CLI's user, or one clear error saying how to give it."""
    if not user:
        from ..errors import OsatnetError

        raise OsatnetError("who is asking? give --user USERNAME (or set OSATNET_USER)")
    return user


def print_json(data: Any) -> None:
    """Write ``data`` as JSON to stdout (UTF-8, Japanese kept readable)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()
