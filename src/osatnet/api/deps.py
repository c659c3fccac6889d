"""Request dependencies: the database, and who is calling (API token or session cookie)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request

from ..auth import Auth
from ..db import Database
from ..errors import PermissionDenied
from ..registry.catalog import UserRole
from ..vault._context import Actor
from .errors import Unauthenticated

__all__ = ["ActorDep", "DbDep", "SecretariatDep", "csrf_token"]

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def get_db(request: Request) -> Database:
    db = request.app.state.db
    assert isinstance(db, Database)
    return db


DbDep = Annotated[Database, Depends(get_db)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use); forms and HTMX send it back."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def get_actor(request: Request, db: DbDep) -> Actor:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("expected 'Authorization: Bearer <API token>'")
        try:
            return Auth(db).actor_for_token(token.strip())
        except PermissionDenied as exc:
            raise Unauthenticated(str(exc)) from None
    username = request.session.get("user")
    if not isinstance(username, str):
        raise Unauthenticated("sign in at /login or send an API token")
    if request.method in _UNSAFE:
        # Cookies ride along on cross-site requests: a state change needs the session's token.
        sent = request.headers.get("x-csrf-token") or request.query_params.get("csrf")
        if not sent or not secrets.compare_digest(sent, csrf_token(request)):
            raise PermissionDenied("missing or wrong CSRF token")
    try:
        return Actor.load(db, username)
    except Exception:
        request.session.clear()
        raise Unauthenticated("your session has ended; sign in again") from None


ActorDep = Annotated[Actor, Depends(get_actor)]


def _secretariat(actor: ActorDep) -> Actor:
    actor.require(UserRole.SECRETARIAT)
    return actor


# As a dependency the role is checked before the body is validated: a member gets 403, not 422.
SecretariatDep = Annotated[Actor, Depends(_secretariat)]
