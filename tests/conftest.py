"""Shared fixtures. Storage tests run on SQLite and on a real PostgreSQL server.

PostgreSQL comes from ``OSATNET_TEST_POSTGRES_URL`` (default: the local server of the dev
machines). Each test gets a schema of its own, dropped afterwards. With ``CI=true`` an
unreachable server fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from osatnet.db import Database

PG_URL = os.environ.get(
    "OSATNET_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@cache
def postgres_error() -> str | None:
    """None when the server answers, else why not."""
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


def require_postgres() -> None:
    reason = postgres_error()
    if reason is None:
        return
    message = f"PostgreSQL at {PG_URL} is not reachable ({reason})"
    if IN_CI:
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's settings or writes to their data folder."""
    for name in list(os.environ):
        if name.startswith("OSATNET_") and name != "OSATNET_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("OSATNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


APP_ROLE = "osatnet_test_app"


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A URL for a fresh, private schema on the PostgreSQL server.

    osatnet connects as an ordinary role that owns the schema, as in production: superusers
    bypass row-level security, so connecting as one would hide the database's own wall.
    """
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(
            text(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') "
                f"THEN CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER; END IF; END $$"
            )
        )
        conn.execute(text(f'create schema "{schema}" authorization {APP_ROLE}'))
    url = make_url(PG_URL).set(username=APP_ROLE, password=None)
    sep = "&" if url.query else "?"
    try:
        yield f"{url.render_as_string(hide_password=False)}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'osatnet.db'}"
    else:
        yield request.getfixturevalue("pg_schema_url")


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def use_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI (``OSATNET_DATABASE_URL``) at the test database."""
    monkeypatch.setenv("OSATNET_DATABASE_URL", db_url)
    return db_url
