"""The :class:`Database` handle: one engine, sessions as transactions, migrations on open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import ConfigError
from ..logs import get_logger
from ..settings import Settings

__all__ = ["Database"]

log = get_logger("db")
_MIGRATIONS = Path(__file__).parent / "migrations"


class Database:
    """A database osatnet can use.

    ``Database()`` opens the configured database (``OSATNET_DATABASE_URL``, else the embedded
    SQLite file) and brings its schema up to date with Alembic. ``Database("sqlite://")`` is an
    in-memory database, handy in notebooks and tests.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        settings: Settings | None = None,
        migrate: bool = True,
        engine_options: dict[str, Any] | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.url = url or self.settings.resolved_database_url()
        self.engine = _create_engine(self.url, engine_options or {})
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.upgrade()

    def __repr__(self) -> str:
        return f"Database({self.display_url!r})"

    @property
    def display_url(self) -> str:
        """The URL with any password hidden."""
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error (all-or-nothing)."""
        with self._sessions() as session, session.begin():
            yield session

    def upgrade(self, revision: str = "heads") -> None:
        """Apply Alembic migrations up to ``revision`` (default: every capability's head)."""
        from alembic import command

        with self.engine.begin() as connection:
            cfg = _alembic_config(connection)
            command.upgrade(cfg, revision)

    def current_revision(self) -> str | None:
        """The applied revisions, comma-separated when capabilities branch (sorted)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
        return ",".join(sorted(heads)) or None

    @staticmethod
    def head_revision() -> str | None:
        """The newest migrations this version of osatnet ships (as :meth:`current_revision`).

        Each capability's tables branch off the shared schema, so there may be several heads.
        """
        from alembic.script import ScriptDirectory

        return ",".join(sorted(ScriptDirectory(str(_MIGRATIONS)).get_heads())) or None

    def table_names(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _create_engine(url: str, options: dict[str, Any]) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"database URL {url!r} is not a valid SQLAlchemy URL") from exc
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed, **options)
    except (ArgumentError, ModuleNotFoundError) as exc:
        raise ConfigError(f"cannot use database URL {parsed!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        shown = parsed.render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigError(f"cannot connect to database {shown}: {reason}") from exc
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
