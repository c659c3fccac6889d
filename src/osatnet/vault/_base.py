"""What every service acting for a user shares: the user, the login audit, the key ring."""

from __future__ import annotations

from typing import Self

from .. import audit as _audit
from ..db import Database
from ..errors import PermissionDenied
from ._context import Actor
from ._keys import KeyRing, load_master_key

__all__ = ["ActingService"]


class ActingService:
    """A capability's Python API bound to one user (``Vault``, ``Exchange``, ``Procurement``)."""

    def __init__(self, db: Database | None = None, actor: Actor | str | None = None) -> None:
        self.db = db or Database()
        self.actor = Actor.load(self.db, actor) if isinstance(actor, str) else actor
        self._keyring: KeyRing | None = None

    @classmethod
    def login(cls, db: Database, username: str, *, via: str = "python") -> Self:
        """Act as ``username`` and record the login in the audit trail."""
        service = cls(db, username)
        with db.session() as s:
            _audit.append(s, username, "login", username, {"via": via})
        return service

    @property
    def who(self) -> Actor:
        if self.actor is None:
            raise PermissionDenied("no user: act as a user (CLI: --user or OSATNET_USER)")
        return self.actor

    def own_member(self, member_id: str | None, doing: str) -> str:
        """The caller's member; asking for another member's data is refused and audited."""
        own = self.who.require_member()
        if member_id is not None and member_id != own:
            with self.db.session() as s:
                _audit.append(s, self.who.username, "denied", f"member {member_id}",
                              {"attempt": doing})  # fmt: skip
            raise PermissionDenied(
                f"{self.who.username} belongs to member {own} "
                f"and may not {doing} member {member_id}"
            )
        return own

    @property
    def keyring(self) -> KeyRing:
        """The master key is read on first use only: services that need no key never touch it."""
        if self._keyring is None:
            self._keyring = KeyRing(load_master_key(self.db.settings))
        return self._keyring
