"""Shared pieces of the CLI: consoles, the ``--json`` option, JSON printing."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

__all__ = [
    "JsonOption",
    "UserOption",
    "console",
    "err_console",
    "poll",
    "print_json",
    "require_user",
]

T = TypeVar("T")

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


def poll(state: T, running: Callable[[T], bool], refresh: Callable[[T], T], seconds: float) -> T:
    """``refresh`` the state once a second while ``running(state)``, for at most ``seconds``
    (the CLI waiting for work done elsewhere, such as the compute nodes)."""
    deadline = time.monotonic() + seconds
    while running(state) and time.monotonic() < deadline:
        time.sleep(1.0)
        state = refresh(state)
    return state
