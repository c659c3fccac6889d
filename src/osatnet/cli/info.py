"""``osatnet info``: where the data lives and what it holds."""

from __future__ import annotations

from .. import __version__
from ..db import Database
from ..registry import Registry
from ._common import JsonOption, console, print_json

__all__ = ["info"]


def info(json: JsonOption = False) -> None:
    """Show the version, the database in use (the SQLite file path by default) and counts."""
    db = Database()
    registry = Registry(db)
    data = {
        "version": __version__,
        "database": db.display_url,
        "dialect": db.dialect,
        "sqlite_path": str(db.engine.url.database) if db.dialect == "sqlite" else None,
        "schema_revision": db.current_revision(),
        "alliance": registry.alliance().name,
        "counts": registry.counts(),
    }
    if json:
        print_json(data)
        return
    counts = ", ".join(f"{v} {k}" for k, v in registry.counts().items())
    for key, value in (data | {"counts": counts}).items():
        if value is not None:
            console.print(f"[bold]{key}[/]: {value}", highlight=False, soft_wrap=True)
