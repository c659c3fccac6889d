"""``python -m osatnet.blind``: the ``osatnet node`` commands without the main CLI."""

from __future__ import annotations

from .cli import app

__all__: list[str] = []

app()
