"""Share encryption to one compute node: ephemeral X25519, HKDF-SHA256, AES-256-GCM.

A member's client makes one ephemeral X25519 key pair per (upload, node); the AES key is
HKDF(shared secret, salt = ephemeral public || node public). Every share is sealed on its own
with the associated data :func:`share_aad`, which binds member, period, measure, cell
(site, process) and node: a ciphertext moved to another place or node fails to open. Only the
holder of the node's private key can open, so the platform storing the bundles sees
ciphertext only.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import ConfigError

__all__ = [
    "FORMAT",
    "SHARE_BYTES",
    "Opener",
    "Sealer",
    "b64",
    "public_bytes",
    "share_aad",
    "unb64",
]

_NONCE = 12
FORMAT = "osatnet-blind-shares/1"  # a bundle: one member's sealed shares for one node
SHARE_BYTES = 24  # a sealed share: value share then indicator share, each 24 bytes big-endian
_INFO = b"osatnet-blind-share-v1"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def public_bytes(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def share_aad(
    member: str, period: str, measure: str, site: str | None, process: str | None, node: int
) -> bytes:
    """What one sealed share is bound to (``|`` cannot occur in the registry's identifiers)."""
    return (
        f"osatnet-blind/1|{member}|{period}|{measure}|{site or ''}|{process or ''}|{node}".encode()
    )


def _derive(shared: bytes, ephemeral: bytes, node_public: bytes) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral + node_public, info=_INFO
    ).derive(shared)
    return AESGCM(key)


@dataclass(frozen=True)
class Sealer:
    """Seals shares for one node under one fresh ephemeral key."""

    ephemeral: bytes
    _aes: AESGCM

    @classmethod
    def to(cls, node_public: bytes) -> Sealer:
        eph = X25519PrivateKey.generate()
        eph_pub = public_bytes(eph.public_key())
        shared = eph.exchange(X25519PublicKey.from_public_bytes(node_public))
        return cls(eph_pub, _derive(shared, eph_pub, node_public))

    def seal(self, plain: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aes.encrypt(nonce, plain, aad)


@dataclass(frozen=True)
class Opener:
    """Opens the shares sealed to one node (the holder of its private key)."""

    _aes: AESGCM

    @classmethod
    def of(cls, private: X25519PrivateKey, ephemeral: bytes) -> Opener:
        node_public = public_bytes(private.public_key())
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        return cls(_derive(shared, ephemeral, node_public))

    def open(self, blob: bytes, aad: bytes) -> bytes:
        try:
            return self._aes.decrypt(blob[:_NONCE], blob[_NONCE:], aad)
        except InvalidTag:
            raise ConfigError(
                f"a share failed authentication ({aad.decode()}): tampered, misplaced, or "
                "sealed to another node's key"
            ) from None
