"""Master-key administration: create, inspect and rotate (re-wrap every member's data key)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from .. import audit as _audit
from ..db import Database
from ..errors import ConfigError
from ._context import Scope, scoped_session
from ._keys import KeyRing, MasterKey, load_master_key, write_key_file
from .models import MemberKey

__all__ = ["KeyStatus", "RotationReport", "init_master_key", "key_status", "rotate_master_key"]


@dataclass(frozen=True)
class KeyStatus:
    source: str
    key_id: str
    member_keys: int
    wrapped_by_other_keys: int


@dataclass(frozen=True)
class RotationReport:
    old_key_id: str
    new_key_id: str
    rewrapped: int
    key_file: Path
    retired_file: Path | None


def init_master_key(db: Database) -> MasterKey:
    """Create the master key file if there is none; never overwrite an existing key."""
    settings = db.settings
    path = settings.resolved_master_key_file
    if settings.master_key or path.exists():
        raise ConfigError(
            f"a master key exists already ({'OSATNET_MASTER_KEY' if settings.master_key else path})"
        )
    return load_master_key(settings, create=True)


def key_status(db: Database) -> KeyStatus:
    master = load_master_key(db.settings, create=False)
    with scoped_session(db, Scope.AGGREGATE) as s:
        total = s.scalar(select(func.count()).select_from(MemberKey)) or 0
        other = s.scalar(
            select(func.count())
            .select_from(MemberKey)
            .where(MemberKey.master_key_id != master.key_id)
        )
    return KeyStatus(master.source, master.key_id, total, other or 0)


def rotate_master_key(
    db: Database, *, actor: str, new_key_file: Path | None = None
) -> RotationReport:
    """Generate a new master key and re-wrap every member's data key with it.

    With a key file, the new key replaces it and the old one is kept beside it as
    ``*.retired-<time>`` (needed to read backups taken before the rotation). With
    ``OSATNET_MASTER_KEY``, give ``new_key_file``: the new key is written there and the
    environment must be updated to it.
    """
    settings = db.settings
    old = load_master_key(settings, create=False)
    if settings.master_key and new_key_file is None:
        raise ConfigError(
            "the master key comes from OSATNET_MASTER_KEY: give --new-key-file for the new key"
        )
    target = new_key_file or settings.resolved_master_key_file
    new = MasterKey.generate(str(target))
    pending = target.with_name(target.name + ".new")
    write_key_file(pending, new)
    try:
        with scoped_session(db, Scope.AGGREGATE) as s:
            count = KeyRing(old).rewrap_all(s, new)
            _audit.append(s, actor, "keys.rotate", "master key",
                          {"old": old.key_id, "new": new.key_id, "member_keys": count})  # fmt: skip
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    retired = None
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        retired = target.with_name(f"{target.name}.retired-{stamp}")
        os.replace(target, retired)
    os.replace(pending, target)
    return RotationReport(old.key_id, new.key_id, count, target, retired)
