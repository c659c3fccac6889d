"""Who may see a page: the signed-in session, CSRF on forms, and errors as HTML pages.

Pages never answer with the API's JSON errors: :class:`PageRoute` turns osatnet's errors into
an error page in the reader's language (403, 404, 409…), and a missing session into a
redirect to ``/login?next=…``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from starlette.datastructures import FormData

from ..api.deps import DbDep, csrf_token
from ..api.errors import status_of
from ..errors import InputError, NotFoundError, OsatnetError, PermissionDenied
from ..vault._context import Actor
from .render import language_of, render, translate

__all__ = [
    "ActorDep",
    "CsrfForm",
    "LoginRequired",
    "PageRoute",
    "is_htmx",
    "safe_next",
    "see_other",
]


class LoginRequired(OsatnetError):
    """The page needs a signed-in session."""


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else ``/``: sign-in must not redirect away."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def see_other(url: str) -> RedirectResponse:
    """After a form: 303 so that reloading the next page does not post again."""
    return RedirectResponse(url, status_code=303)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def signed_in(request: Request, db: DbDep) -> Actor:
    username = request.session.get("user")
    if not isinstance(username, str):
        raise LoginRequired("sign in first")
    try:
        actor = Actor.load(db, username)
    except (NotFoundError, PermissionDenied):
        # Deleted or deactivated since sign-in: the session is worthless.
        request.session.clear()
        raise LoginRequired("your session has ended") from None
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(signed_in)]


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token (field ``csrf`` or header) matches the session's."""
    form = await request.form()
    sent = request.headers.get("x-csrf-token") or form.get("csrf")
    if not isinstance(sent, str) or not secrets.compare_digest(sent, csrf_token(request)):
        raise PermissionDenied("missing or wrong CSRF token")
    return form


CsrfForm = Annotated[FormData, Depends(checked_form)]


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = "/login?next=" + quote(safe_next(target), safe="")
    if is_htmx(request):
        # A fragment request cannot follow a redirect into a full page: tell HTMX to navigate.
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, exc: OsatnetError) -> Response:
    status = status_of(exc)
    language = language_of(request)
    titles = {
        403: translate(language, "You may not open this page"),
        404: translate(language, "Not found"),
        409: translate(language, "This cannot be done now"),
        422: translate(language, "The input has errors"),
        429: translate(language, "Too many attempts"),
    }
    if isinstance(exc, PermissionDenied) and "CSRF" in str(exc):
        hint = translate(
            language,
            "The form had expired or came from another site. Reload the page and try again.",
        )
    elif status == 403:
        hint = translate(
            language,
            "Your role does not include this page. The menu shows the pages you can use; "
            "ask the secretariat if you need more rights.",
        )
    else:
        hint = ""
    actor = getattr(request.state, "actor", None)
    template = "_error.html" if is_htmx(request) else "error.html"
    return render(
        request,
        template,
        status=status,
        actor=actor,
        title=titles.get(status, translate(language, "Something went wrong")),
        detail=str(exc),
        hint=hint,
    )


class PageRoute(APIRoute):
    """A dashboard route: osatnet's errors become HTML pages, not the API's JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                return _login_redirect(request)
            except OsatnetError as exc:
                return error_page(request, exc)
            except RequestValidationError as exc:
                # A malformed address (``/releases/abc``, ``?limit=0``): say which part.
                problems = "; ".join(
                    f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" for e in exc.errors()
                )
                return error_page(request, InputError(problems))

        return page_handler
