"""Shared pieces of the CLI: consoles, the ``--json`` option, JSON printing."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

__all__ = ["JsonOption", "console", "err_console", "print_json"]

console = Console()
err_console = Console(stderr=True)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON on stdout instead of tables.")
]


def print_json(data: Any) -> None:
    """Write ``data`` as JSON to stdout (UTF-8, Japanese kept readable)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()
