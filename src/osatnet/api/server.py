"""``osatnet serve``: the API (and dashboard) under uvicorn."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import OsatnetError

if TYPE_CHECKING:
    from ..db import Database

__all__ = ["serve", "serving"]


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


@contextmanager
def serving(db: Database, port: int, host: str = "127.0.0.1") -> Iterator[str]:
    """The API and dashboard served in a background thread (tests, the demo); yields its URL."""
    import uvicorn

    from .app import create_app

    config = uvicorn.Config(create_app(db), host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise OsatnetError(f"the API server did not start on {host}:{port}")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
