"""The Database handle and settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from osatnet.db import Database
from osatnet.errors import ConfigError
from osatnet.settings import Settings


def test_schema_is_migrated_to_head(db: Database) -> None:
    head = Database.head_revision()
    assert head is not None and db.current_revision() == head
    assert {"members", "sites", "site_capabilities", "process_families", "users"} <= set(
        db.table_names()
    )
    db.upgrade()  # a second upgrade is a no-op
    assert db.current_revision() == head


def test_default_is_sqlite_in_data_dir(tmp_path: Path) -> None:
    db = Database()
    assert db.dialect == "sqlite"
    assert Path(db.engine.url.database or "") == tmp_path / "data" / "osatnet.db"
    assert (tmp_path / "data" / "osatnet.db").exists()
    db.dispose()


def test_environment_and_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "osatnet.toml").write_text('alliance_name = "From TOML"\nlog_level = "INFO"\n')
    assert Settings().alliance_name == "From TOML"
    monkeypatch.setenv("OSATNET_ALLIANCE_NAME", "From env")
    assert Settings().alliance_name == "From env"
    other = tmp_path / "elsewhere.toml"
    other.write_text('database_url = "sqlite:///x.db"\n')
    monkeypatch.setenv("OSATNET_CONFIG", str(other))
    assert Settings().resolved_database_url() == "sqlite:///x.db"


def test_bad_urls_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="not a valid SQLAlchemy URL"):
        Database("not a url")
    with pytest.raises(ConfigError, match="cannot use database URL"):
        Database("nosuchdialect://x")
    with pytest.raises(ConfigError, match=r"cannot connect to database postgresql\+psycopg://"):
        Database("postgresql+psycopg://postgres:secret@127.0.0.1:1/none?connect_timeout=2")


def test_password_is_hidden() -> None:
    db = Database("sqlite://")
    assert repr(db) == "Database('sqlite://')"
    db.dispose()
