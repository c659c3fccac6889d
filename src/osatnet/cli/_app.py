"""Assembly of the command tree and the error boundary."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.markup import escape

from .. import __version__
from ..errors import InputError, OsatnetError
from ..logs import configure_logging
from ..tabular import MAX_ERRORS
from ._common import err_console

__all__ = ["app", "main"]

app = typer.Typer(
    name="osatnet",
    help="osatnet: registry, confidentiality firewall, capacity exchange, joint procurement "
    "and supply-chain risk for alliances of semiconductor back-end companies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"osatnet {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="Log more (-v info, -vv debug).")
    ] = 0,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    level = {0: None, 1: logging.INFO}.get(verbose, logging.DEBUG)
    configure_logging(level)


def _register() -> None:
    # Imported here so that ``osatnet --help`` stays the single place listing the groups.
    from ..demo.cli import register as register_demo
    from ..registry.cli import app as registry_app
    from ..registry.cli import periods_app, users_app
    from .info import info

    app.command("info")(info)
    from ..api.server import serve

    app.command("serve")(serve)
    register_demo(app)
    app.add_typer(registry_app, name="registry")
    app.add_typer(periods_app, name="periods")
    app.add_typer(users_app, name="users")
    from ..vault.cli import audit_app, keys_app, submissions_app

    app.add_typer(submissions_app, name="submissions")
    app.add_typer(keys_app, name="keys")
    app.add_typer(audit_app, name="audit")
    from ..vault.cli_release import benchmark_app, release_app

    app.add_typer(release_app, name="release")
    app.add_typer(benchmark_app, name="benchmark")
    from ..auth.cli import register as register_auth
    from ..auth.cli import tokens_app

    register_auth(users_app)
    app.add_typer(tokens_app, name="tokens")
    from ..blind.cli import app as node_app

    app.add_typer(node_app, name="node")
    from ..blind.cli_platform import app as blind_app

    app.add_typer(blind_app, name="blind")
    from ..procurement.cli import app as procure_app

    app.add_typer(procure_app, name="procure")
    from ..exchange.cli import app as exchange_app

    app.add_typer(exchange_app, name="exchange")
    from ..risk.cli import app as risk_app

    app.add_typer(risk_app, name="risk")


_register()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script. Exits 2 on user errors, without a traceback.

    Typer (standalone mode) already exits 2 on usage errors; osatnet's own errors propagate
    out of it and are reported here.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        app(args=args, prog_name="osatnet")
    except OsatnetError as exc:
        errors = exc.all_errors if isinstance(exc, InputError) else [exc]
        for error in errors:
            err_console.print(
                f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True
            )
        if len(errors) >= MAX_ERRORS:
            err_console.print(f"(stopped after {MAX_ERRORS} errors)")
        logging.getLogger("osatnet").debug("error details", exc_info=True)
        sys.exit(2)
