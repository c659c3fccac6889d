"""Signing in and out, and choosing the language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ..api.deps import DbDep, csrf_token
from ..auth import Auth, TooManyAttempts
from ..errors import InputError, PermissionDenied
from .guard import CsrfForm, PageRoute, safe_next, see_other
from .i18n import LANGUAGES
from .render import language_of, render, translate

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/login")
def login_form(request: Request, next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    if isinstance(request.session.get("user"), str):
        return see_other(safe_next(next))
    return render(
        request,
        "login.html",
        title=translate(language_of(request), "Sign in"),
        next=safe_next(next),
        username="",
        error=None,
    )


@router.post("/login")
def login(request: Request, form: CsrfForm, db: DbDep) -> Response:
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or "/"))
    language = language_of(request)
    auth = Auth(db)
    client = request.client.host if request.client else "unknown"
    try:
        actor = auth.sign_in(username, password, client=client)
    except TooManyAttempts:
        minutes = int(auth.window.total_seconds() // 60)
        error = translate(
            language,
            "Too many failed sign-ins for this user. Wait %(minutes)s minutes, then try again.",
            minutes=minutes,
        )
        return _again(request, username, target, error, 429)
    except PermissionDenied:
        error = translate(
            language, "The user name or the password is wrong. Check both and try again."
        )
        # 200, as for any form shown again with a message (401 would need an auth challenge).
        return _again(request, username, target, error, 200)
    # A fresh session (and CSRF token) on sign-in: nothing from before carries privileges.
    stored = auth.language(actor.username)
    request.session.clear()
    request.session["user"] = actor.username
    request.session["lang"] = stored or language
    csrf_token(request)
    return see_other(target)


def _again(request: Request, username: str, target: str, error: str, status: int) -> Response:
    return render(
        request,
        "login.html",
        status=status,
        title=translate(language_of(request), "Sign in"),
        next=target,
        username=username,
        error=error,
    )


@router.post("/logout")
def logout(request: Request, form: CsrfForm) -> Response:
    language = request.session.get("lang")
    request.session.clear()
    if isinstance(language, str):
        request.session["lang"] = language  # the sign-in page stays in the reader's language
    return see_other("/login")


@router.post("/language")
def set_language(request: Request, form: CsrfForm, db: DbDep) -> Response:
    chosen = str(form.get("lang") or "")
    if chosen not in LANGUAGES:
        raise InputError(f"unsupported language {chosen!r}; expected en or ja", column="lang")
    request.session["lang"] = chosen
    username = request.session.get("user")
    if isinstance(username, str):
        Auth(db).set_language(username, chosen)  # remembered for the next sign-in
    return see_other(safe_next(str(form.get("next") or "/")))
