"""A member's confidential submissions: versions, file upload and form entry.

Every write goes through :class:`~osatnet.vault.Vault` on behalf of the signed-in user, so the
firewall's rules (own member only, open periods only, all-or-nothing checks) hold here as in
the CLI and the API.
"""

from __future__ import annotations

import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import UploadFile

from ..api.deps import DbDep
from ..db import Database
from ..errors import InputError, NotFoundError
from ..registry import Registry
from ..vault import ValueRecord, Vault
from ..vault._context import Actor
from .entry import FormRow, choices, parse_rows, rows_from_values, submit_form
from .guard import ActorDep, CsrfForm, PageRoute, is_htmx, see_other
from .nav import MEMBER_ROLES
from .render import language_of, render, translate

__all__ = ["MAX_UPLOAD", "router"]

router = APIRouter(prefix="/submissions", route_class=PageRoute, include_in_schema=False)
MAX_UPLOAD = 20 * 1024 * 1024


def _member(actor: Actor) -> str:
    actor.require(*MEMBER_ROLES)
    return actor.require_member()


@router.get("")
def overview(request: Request, actor: ActorDep, db: DbDep) -> Response:
    _member(actor)
    vault = Vault(db, actor)
    versions = vault.submissions()
    latest = {}
    for info in versions:  # ordered by period, then version: the last one wins
        latest[info.period_key] = info
    title = translate(language_of(request), "Submissions")
    return render(
        request,
        "submissions.html",
        actor=actor,
        title=title,
        periods=Registry(db).periods(),
        latest=latest,
        versions=list(reversed(versions)),
    )


@router.get("/{period}")
def period_page(
    period: str,
    request: Request,
    actor: ActorDep,
    db: DbDep,
    saved: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    _member(actor)
    return _period_page(request, actor, db, period, saved=saved)


def _period_page(
    request: Request,
    actor: Actor,
    db: Database,
    period: str,
    *,
    saved: int | None = None,
    errors: list[InputError] | None = None,
    entered: list[FormRow] | None = None,
    status: int = 200,
) -> Response:
    info = Registry(db).period(period)
    vault = Vault(db, actor)
    language = language_of(request)
    values: list[ValueRecord] = []
    with suppress(NotFoundError):  # nothing submitted yet (or withdrawn): the form starts empty
        values = vault.values(info.key)
    rows = entered if entered is not None else rows_from_values(values)
    return render(
        request,
        "submission_period.html",
        status=status,
        actor=actor,
        title=translate(language, "Submission for %(period)s", period=info.key),
        period=info,
        versions=list(reversed(vault.submissions(info.key))),
        saved=saved,
        errors=errors,
        rows=rows,
        rows_entered=entered is not None,
        values=[v for v in values if not v.derived],
        choices=choices(db, actor.require_member(), language),
        derived=[v for v in values if v.derived],
    )


def _stored(request: Request, period: str, version: int) -> Response:
    url = f"/submissions/{period}?saved={version}"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return see_other(url)


def _rejected(
    request: Request,
    actor: Actor,
    db: Database,
    period: str,
    exc: InputError,
    entered: list[FormRow] | None = None,
) -> Response:
    """Every error, located; nothing was stored. HTMX gets the error table alone."""
    errors = exc.all_errors
    if is_htmx(request):
        return render(request, "_input_errors.html", status=422, actor=actor, errors=errors)
    return _period_page(request, actor, db, period, errors=errors, entered=entered, status=422)


@router.post("/{period}/upload")
def upload(period: str, request: Request, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    _member(actor)
    key = Registry(db).period(period).key
    file = form.get("file")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise InputError(translate(language_of(request), "Choose a file to upload."))
        name = Path(file.filename).name
        if Path(name).suffix.lower() not in (".csv", ".xlsx"):
            raise InputError("expected a .csv or .xlsx file", file=name)
        data = file.file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise InputError(f"the file is larger than {MAX_UPLOAD // 2**20} MB", file=name)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            info = Vault(db, actor).submit_file(path, key)
    except InputError as exc:
        return _rejected(request, actor, db, key, exc)
    return _stored(request, key, info.version)


@router.post("/{period}/values")
def enter_values(
    period: str, request: Request, form: CsrfForm, actor: ActorDep, db: DbDep
) -> Response:
    member_id = _member(actor)
    key = Registry(db).period(period).key
    rows = parse_rows(form)
    try:
        info = submit_form(Vault(db, actor), key, rows, member_id, language_of(request))
    except InputError as exc:
        return _rejected(request, actor, db, key, exc, entered=rows)
    return _stored(request, key, info.version)


@router.post("/{period}/withdraw")
def withdraw(period: str, request: Request, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    _member(actor)
    info = Vault(db, actor).withdraw(period)
    return see_other(f"/submissions/{info.period_key}")
