"""``osatnet serve``: the API (and dashboard) under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["serve"]


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
) -> None:
    """Run the REST API and the web dashboard (SQLite by default; OSATNET_DATABASE_URL else)."""
    import uvicorn

    from ..db import Database
    from .app import create_app

    app = create_app(Database())
    uvicorn.run(app, host=host, port=port, log_level="info")
