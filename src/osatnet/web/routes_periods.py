"""Reporting periods (opened and closed by the secretariat) and who has submitted (metadata)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..api.deps import DbDep
from ..registry import Registry, UserRole
from ..vault import Vault
from .guard import ActorDep, CsrfForm, PageRoute, see_other
from .nav import OFFICE_ROLES
from .render import language_of, render, translate

__all__ = ["router"]

router = APIRouter(prefix="/periods", route_class=PageRoute, include_in_schema=False)


@router.get("")
def periods(request: Request, actor: ActorDep, db: DbDep) -> Response:
    actor.require(*OFFICE_ROLES)
    title = translate(language_of(request), "Periods and status")
    return render(
        request,
        "periods.html",
        actor=actor,
        title=title,
        periods=list(reversed(Registry(db).periods())),
        can_manage=actor.role is UserRole.SECRETARIAT,
    )


@router.post("")
def add_period(request: Request, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    actor.require(UserRole.SECRETARIAT)
    Registry(db).add_period(str(form.get("key") or ""))
    return see_other("/periods")


@router.post("/{key}/close")
def close_period(key: str, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    actor.require(UserRole.SECRETARIAT)
    Registry(db).set_period_status(key, "closed")
    return see_other("/periods")


@router.post("/{key}/reopen")
def reopen_period(key: str, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    actor.require(UserRole.SECRETARIAT)
    Registry(db).set_period_status(key, "open")
    return see_other("/periods")


@router.get("/{key}/status")
def status(key: str, request: Request, actor: ActorDep, db: DbDep) -> Response:
    """Who has submitted: versions, row counts and times; never a value."""
    actor.require(*OFFICE_ROLES)
    registry = Registry(db)
    period = registry.period(key)
    latest = {i.member_id: i for i in Vault(db, actor).status(period.key)}
    members = registry.members()
    submitted = sum(1 for i in latest.values() if i.status == "active")
    title = translate(language_of(request), "Submission status for %(period)s", period=period.key)
    return render(
        request,
        "status.html",
        actor=actor,
        title=title,
        period=period,
        rows=[(m, latest.get(m.member_id)) for m in members],
        submitted=submitted,
    )
