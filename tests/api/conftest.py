"""A real osatnet server (uvicorn on a free port) over a test database, and users of every role."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from osatnet.api.server import serving
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
    with serving(db, _free_port()) as url:
        yield LiveServer(url, db, tokens)


@pytest.fixture
def submitted(live: LiveServer) -> LiveServer:
    """m1 has submitted the standard file for 2026Q3."""
    with live.client("m1-admin") as c:
        r = c.post("/api/v1/submissions/2026Q3/file", files={"file": ("m1.csv", GOOD.encode())})
        assert r.status_code == 201, r.text
    return live
