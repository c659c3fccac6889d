"""A real osatnet server (uvicorn on a free port) over a test database, and users of every role."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from osatnet.api import create_app
from osatnet.auth import Auth
from osatnet.db import Database
from tests.vault.conftest import GOOD, prepare

ROLES = ("m1-admin", "m1-user", "m2-user", "sec", "aud")


@dataclass
class LiveServer:
    url: str
    db: Database
    tokens: dict[str, str]

    def client(self, user: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live(db: Database, tmp_path: Path) -> Iterator[LiveServer]:
    prepare(db, tmp_path)
    auth = Auth(db)
    tokens = {user: auth.create_token(user, "tests").token for user in ROLES}
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", db, tokens)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def submitted(live: LiveServer) -> LiveServer:
    """m1 has submitted the standard file for 2026Q3."""
    with live.client("m1-admin") as c:
        r = c.post("/api/v1/submissions/2026Q3/file", files={"file": ("m1.csv", GOOD.encode())})
        assert r.status_code == 201, r.text
    return live
