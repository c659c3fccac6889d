"""Settings from ``OSATNET_*`` environment variables and an optional ``osatnet.toml``.

Precedence, highest first: keyword arguments, environment variables, the TOML file
(``$OSATNET_CONFIG`` or ``./osatnet.toml``), defaults. Nothing is read at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["Settings", "default_data_dir"]


def default_data_dir() -> Path:
    """Where the embedded SQLite database lives unless told otherwise (XDG data home)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "osatnet"


def _config_file() -> Path:
    return Path(os.environ.get("OSATNET_CONFIG", "osatnet.toml"))


class Settings(BaseSettings):
    """Runtime settings. Every field can be set as ``OSATNET_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="OSATNET_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: SQLite file osatnet.db in data_dir.",
    )
    alliance_name: str = "osatnet alliance"
    log_level: str = "WARNING"
    master_key: str | None = Field(
        default=None,
        repr=False,
        description="The firewall's master key (base64, 32 bytes); prefer master_key_file.",
    )
    master_key_file: Path | None = Field(
        default=None, description="File holding the master key; default: master.key in data_dir."
    )
    user: str | None = Field(default=None, description="The CLI's user (as with --user).")
    session_secret: str | None = Field(
        default=None,
        repr=False,
        description="Signs session cookies; default: data_dir/session.key.",
    )
    secure_cookies: bool = Field(
        default=False, description="Send cookies over HTTPS only (set behind a TLS proxy)."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return (init_settings, env_settings, toml)

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "osatnet.db"

    @property
    def resolved_master_key_file(self) -> Path:
        return self.master_key_file or self.data_dir / "master.key"

    def resolved_database_url(self) -> str:
        """The URL in use: the configured one, else the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.sqlite_path}"
