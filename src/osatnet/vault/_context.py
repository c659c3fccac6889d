"""Who is asking, and database sessions scoped to what they may see.

On PostgreSQL every session sets ``osatnet.member_id`` / ``osatnet.scope`` for its
transaction, which the row-level security policies read: the second wall under the
application's own checks. SQLite has no such wall; the application check stands alone.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import NotFoundError, PermissionDenied
from ..registry.catalog import UserRole
from ..registry.models import User

__all__ = ["Actor", "Scope", "scoped_session"]


class Scope(enum.StrEnum):
    MEMBER = "member"  # one member's own rows
    METADATA = "metadata"  # submission metadata of all members, never values
    AGGREGATE = "aggregate"  # server-side computation of releases; never returned raw


@dataclass(frozen=True)
class Actor:
    username: str
    role: UserRole
    member_id: str | None = None

    @classmethod
    def load(cls, db: Database, username: str) -> Actor:
        with db.session() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotFoundError(f"no user {username!r} (create one with `osatnet users add`)")
            if not user.active:
                raise PermissionDenied(f"user {username!r} is deactivated")
            return cls(user.username, UserRole(user.role), user.member_id)

    def require_member(self) -> str:
        if self.member_id is None or not self.role.belongs_to_member:
            raise PermissionDenied(
                f"{self.username} ({self.role.value}) belongs to no member: raw submissions are "
                "readable and writable only by the member's own users"
            )
        return self.member_id

    def require(self, *roles: UserRole) -> None:
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise PermissionDenied(
                f"{self.username} ({self.role.value}) may not do this; needs {allowed}"
            )


@contextmanager
def scoped_session(db: Database, scope: Scope, member_id: str | None = None) -> Iterator[Session]:
    with db.session() as session:
        if db.dialect == "postgresql":
            session.execute(
                text("SELECT set_config('osatnet.scope', :scope, true), "
                     "set_config('osatnet.member_id', :member, true)"),
                {"scope": scope.value, "member": member_id or ""},
            )  # fmt: skip
        yield session
