"""Envelope encryption: one data key per member, wrapped by a master key kept outside the DB.

Values are AES-256-GCM ciphertext bound (as associated data) to where they belong, so a
ciphertext copied to another row, member or measure fails to decrypt instead of lying.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ConfigError
from ..logs import get_logger
from ..settings import Settings
from .models import MemberKey

__all__ = [
    "KeyRing",
    "MasterKey",
    "decrypt_value",
    "encrypt_value",
    "load_master_key",
    "value_aad",
]

log = get_logger("vault.keys")
_NONCE = 12


@dataclass(frozen=True)
class MasterKey:
    key: bytes = field(repr=False)
    source: str

    @property
    def key_id(self) -> str:
        """A public fingerprint: tells which master key wrapped a data key, reveals nothing."""
        return hashlib.sha256(b"osatnet-master-key-id" + self.key).hexdigest()[:16]

    @classmethod
    def generate(cls, source: str = "generated") -> MasterKey:
        return cls(AESGCM.generate_key(bit_length=256), source)

    def encoded(self) -> str:
        return base64.b64encode(self.key).decode("ascii")


def _decode(text: str, source: str) -> MasterKey:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise ConfigError(f"the master key in {source} is not valid base64") from None
    if len(key) != 32:
        raise ConfigError(f"the master key in {source} must be 32 bytes, got {len(key)}")
    return MasterKey(key, source)


def write_key_file(path: Path, master: MasterKey) -> None:
    """Write atomically with owner-only permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(master.encoded() + "\n")
    os.replace(tmp, path)


def load_master_key(settings: Settings, *, create: bool = True) -> MasterKey:
    """``OSATNET_MASTER_KEY`` if set, else the key file (created on first use if allowed)."""
    if settings.master_key:
        return _decode(settings.master_key, "OSATNET_MASTER_KEY")
    path = settings.resolved_master_key_file
    if path.exists():
        return _decode(path.read_text(encoding="ascii"), str(path))
    if not create:
        raise ConfigError(
            f"no master key: {path} does not exist and OSATNET_MASTER_KEY is not set "
            "(run `osatnet keys init`)"
        )
    master = MasterKey.generate(str(path))
    write_key_file(path, master)
    log.warning(
        "created a new master key in %s: back it up, the data cannot be read without it", path
    )
    return master


def _wrap(master: MasterKey, member_id: str, data_key: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    aad = b"osatnet-member-key:" + member_id.encode()
    return nonce + AESGCM(master.key).encrypt(nonce, data_key, aad)


def _unwrap(master: MasterKey, member_id: str, wrapped: bytes) -> bytes:
    aad = b"osatnet-member-key:" + member_id.encode()
    return AESGCM(master.key).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], aad)


class KeyRing:
    """Unwraps (and creates) members' data keys for the length of one operation."""

    def __init__(self, master: MasterKey) -> None:
        self.master = master
        self._cache: dict[str, AESGCM] = {}

    def data_key(self, session: Session, member_id: str, *, create: bool = False) -> AESGCM:
        if member_id in self._cache:
            return self._cache[member_id]
        row = session.get(MemberKey, member_id)
        if row is None:
            if not create:
                raise ConfigError(f"member {member_id} has no data key yet")
            key = AESGCM.generate_key(bit_length=256)
            session.add(
                MemberKey(
                    member_id=member_id,
                    wrapped_key=_wrap(self.master, member_id, key),
                    master_key_id=self.master.key_id,
                )
            )
            session.flush()
        else:
            if row.master_key_id != self.master.key_id:
                raise ConfigError(
                    f"member {member_id}'s data key was wrapped by master key {row.master_key_id}, "
                    f"but the master key in use ({self.master.source}) is {self.master.key_id}"
                )
            key = _unwrap(self.master, member_id, row.wrapped_key)
        self._cache[member_id] = AESGCM(key)
        return self._cache[member_id]

    def rewrap_all(self, session: Session, new: MasterKey) -> int:
        """Re-wrap every member's data key with ``new``; the data itself is untouched."""
        rows = list(session.scalars(select(MemberKey).order_by(MemberKey.member_id)))
        now = datetime.now(UTC)
        for row in rows:
            if row.master_key_id != self.master.key_id:
                raise ConfigError(
                    f"member {row.member_id}'s data key is wrapped by master key "
                    f"{row.master_key_id}, not by the current one ({self.master.key_id})"
                )
            key = _unwrap(self.master, row.member_id, row.wrapped_key)
            row.wrapped_key = _wrap(new, row.member_id, key)
            row.master_key_id = new.key_id
            row.rotated_at = now
        session.flush()
        return len(rows)


def value_aad(
    member_id: str, period: str, submission_id: int, site: str | None, process: str | None, key: str
) -> str:
    """What a submitted value's ciphertext is bound to: moving it anywhere else breaks it."""
    return f"{member_id}|{period}|{submission_id}|{site or ''}|{process or ''}|{key}"


def encrypt_value(aes: AESGCM, value: float, aad: str) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + aes.encrypt(nonce, struct.pack(">d", value), aad.encode())


def decrypt_value(aes: AESGCM, blob: bytes, aad: str) -> float:
    try:
        plain = aes.decrypt(blob[:_NONCE], blob[_NONCE:], aad.encode())
    except InvalidTag:
        raise ConfigError(
            f"a stored value failed authentication ({aad}): tampered or misplaced"
        ) from None
    return float(struct.unpack(">d", plain)[0])
