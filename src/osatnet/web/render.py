"""Rendering pages: one Jinja2 environment per language, with gettext and locale-aware filters.

One environment per language (rather than installing translations per request) keeps rendering
free of shared mutable state while requests run on several threads.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..api.deps import csrf_token
from ..vault._context import Actor
from .i18n import LANGUAGES, from_accept_language, translations
from .nav import navigation

__all__ = ["TEMPLATES", "language_of", "render", "translate"]

TEMPLATES = Path(__file__).parent / "templates"


def language_of(request: Request) -> str:
    """The session's language (set at sign-in or by the switcher), else the browser's."""
    chosen = request.session.get("lang")
    if isinstance(chosen, str) and chosen in LANGUAGES:
        return chosen
    return from_accept_language(request.headers.get("accept-language"))


def translate(language: str, message: str, **values: object) -> str:
    """``message`` in ``language``, %-formatted with ``values``.

    Always formatted, as Jinja's newstyle gettext does: one rule (``%%`` for a percent sign)
    for every message of the catalogue.
    """
    return translations(language).gettext(message) % values


@cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]

    def num(value: float | int | None, digits: int = 2) -> str:
        if value is None:
            return "–"
        pattern = "#,##0" if digits == 0 else "#,##0." + "#" * digits
        return format_decimal(value, format=pattern, locale=language)

    def when(value: datetime | None) -> str:
        if value is None:
            return "–"
        return format_datetime(value, format="medium", locale=language)

    def local_name(item: Any) -> str:
        """The Japanese name of a member, site or process where there is one."""
        japanese = getattr(item, "name_ja", None)
        return str(japanese) if language == "ja" and japanese else str(item.name)

    env.filters.update(num=num, when=when, local_name=local_name)
    env.globals.update(lang=language, languages=LANGUAGES)
    return env


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    actor: Actor | None = None,
    **context: Any,
) -> HTMLResponse:
    """``template`` rendered in the request's language, with the page furniture's context."""
    page = environment(language_of(request)).get_template(template)
    html = page.render(
        request=request,
        actor=actor,
        csrf=csrf_token(request),
        nav=navigation(actor, request.url.path),
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status)
