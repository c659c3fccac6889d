"""Passwords (argon2id), API tokens (only their SHA-256 is stored) and rate-limited sign-in."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit as _audit
from ..db import Database
from ..errors import InputError, NotFoundError, PermissionDenied
from ..registry.catalog import UserRole
from ..registry.models import User
from ..vault._context import Actor
from .models import ApiToken, LoginAttempt

__all__ = ["Auth", "IssuedToken", "TooManyAttempts"]

_hasher = PasswordHasher()
# Verified against when the user does not exist, so timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash("osatnet-no-such-user")
TOKEN_PREFIX = "osn_"
MIN_PASSWORD = 10


class TooManyAttempts(PermissionDenied):
    """Sign-in refused for a while after repeated failures."""


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once; only its hash is stored
    name: str
    prefix: str
    expires_at: datetime | None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Auth:
    """Who may sign in, and how. Failures within ``window`` count against ``max_failures``."""

    def __init__(
        self, db: Database, *, max_failures: int = 5, window: timedelta = timedelta(minutes=15)
    ) -> None:
        self.db = db
        self.max_failures = max_failures
        self.window = window

    # -- passwords -------------------------------------------------------------------------
    def set_password(self, username: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise InputError(
                f"a password needs at least {MIN_PASSWORD} characters, got {len(password)}"
            )
        with self.db.session() as s:
            user = self._user(s, username)
            user.password_hash = _hasher.hash(password)

    def sign_in(self, username: str, password: str, *, client: str = "unknown") -> Actor:
        """Check a password; every attempt is recorded, and the audit trail gets each login."""
        now = datetime.now(UTC)
        with self.db.session() as s:
            since = now - self.window
            failures = s.scalar(
                select(func.count()).select_from(LoginAttempt).where(
                    LoginAttempt.username == username, LoginAttempt.at >= since,
                    LoginAttempt.success.is_(False),
                )
            ) or 0  # fmt: skip
            if failures >= self.max_failures:
                minutes = int(self.window.total_seconds() // 60)
                raise TooManyAttempts(
                    f"too many failed sign-ins for {username!r}; try again in {minutes} minutes"
                )
            user = s.scalar(select(User).where(User.username == username))
            ok = _check(user.password_hash if user else None, password) and bool(
                user and user.active
            )
            s.add(LoginAttempt(username=username, client=client[:100], at=now, success=ok))
            if ok and user is not None:
                _audit.append(
                    s, username, "login", username, {"via": "web", "client": client[:100]}
                )
                if user.password_hash and _hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = _hasher.hash(password)
                return Actor(user.username, UserRole(user.role), user.member_id)
        raise PermissionDenied("wrong username or password")

    # -- tokens ----------------------------------------------------------------------------
    def create_token(self, username: str, name: str, *, days: int | None = 90) -> IssuedToken:
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + timedelta(days=days) if days else None
        with self.db.session() as s:
            user = self._user(s, username)
            s.add(ApiToken(user_id=user.id, name=name, prefix=secret[:12],
                           token_hash=_token_hash(secret), expires_at=expires))  # fmt: skip
            _audit.append(
                s, username, "token.create", username, {"name": name, "prefix": secret[:12]}
            )
        return IssuedToken(secret, name, secret[:12], expires)

    def revoke_token(self, username: str, prefix: str) -> int:
        with self.db.session() as s:
            user = self._user(s, username)
            tokens = s.scalars(
                select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.prefix == prefix)
            ).all()
            for t in tokens:
                t.revoked = True
            return len(tokens)

    def actor_for_token(self, token: str) -> Actor:
        now = datetime.now(UTC)
        with self.db.session() as s:
            row = s.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
            if row is None or row.revoked:
                raise PermissionDenied("invalid or revoked API token")
            if row.expires_at is not None and _aware(row.expires_at) < now:
                raise PermissionDenied("the API token has expired")
            user = s.get(User, row.user_id)
            if user is None or not user.active:
                raise PermissionDenied("the token's user is deactivated")
            row.last_used_at = now
            return Actor(user.username, UserRole(user.role), user.member_id)

    def actor(self, username: str) -> Actor:
        return Actor.load(self.db, username)

    def set_language(self, username: str, language: str | None) -> None:
        if language not in (None, "en", "ja"):
            raise InputError(f"language must be en or ja, got {language!r}")
        with self.db.session() as s:
            self._user(s, username).language = language

    def language(self, username: str) -> str | None:
        with self.db.session() as s:
            return self._user(s, username).language

    @staticmethod
    def _user(session: Session, username: str) -> User:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(f"no user {username!r}")
        return user


def _check(stored: str | None, password: str) -> bool:
    if not stored:
        _check(_DUMMY_HASH, password)
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
