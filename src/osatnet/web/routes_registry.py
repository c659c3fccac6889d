"""The home page, a member's sites and capabilities, and the secretariat's member list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from ..api.deps import DbDep
from ..db import Database
from ..registry import Registry
from ..registry.schemas import CapabilityRow, SiteRow
from ..registry.service import PeriodInfo, ProcessInfo
from ..vault import SubmissionInfo, Vault
from ..vault._context import Actor
from .charts import site_map
from .guard import ActorDep, PageRoute
from .nav import MEMBER_ROLES, OFFICE_ROLES
from .render import language_of, render, translate

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _open_periods(registry: Registry) -> list[PeriodInfo]:
    return [p for p in registry.periods() if p.status == "open"]


@router.get("/")
def home(request: Request, actor: ActorDep, db: DbDep) -> Response:
    registry = Registry(db)
    vault = Vault(db, actor)
    language = language_of(request)
    context: dict[str, Any] = {"alliance": registry.alliance()}
    if actor.role in MEMBER_ROLES:
        member_id = actor.require_member()
        sites = registry.sites(member_id)
        own_sites = {s.site_id for s in sites}
        context |= {
            "member": registry.member(member_id),
            "site_count": len(sites),
            "capability_count": sum(c.site_id in own_sites for c in registry.capabilities()),
            "periods": [(p, _latest(vault.status(p.key))) for p in _open_periods(registry)],
        }
    else:
        members = registry.members()
        context |= {
            "counts": registry.counts(),
            "periods": [
                (p, sum(i.status == "active" for i in vault.status(p.key)), len(members))
                for p in _open_periods(registry)
            ],
        }
    title = translate(language, "Home")
    return render(request, "home.html", actor=actor, title=title, **context)


def _latest(infos: list[SubmissionInfo]) -> SubmissionInfo | None:
    return infos[0] if infos else None


def _sites_context(db: Database, member_id: str, language: str) -> dict[str, Any]:
    registry = Registry(db)
    sites = registry.sites(member_id)
    ids = {s.site_id for s in sites}
    capabilities: list[CapabilityRow] = [c for c in registry.capabilities() if c.site_id in ids]
    processes: dict[str, ProcessInfo] = {p.key: p for p in registry.processes()}
    site_names: dict[str, SiteRow] = {s.site_id: s for s in sites}
    chart = (
        site_map(
            sites,
            language=language,
            capitals_label=translate(language, "Prefectural capitals (for orientation)"),
        )
        if sites
        else ""
    )
    return {
        "member": registry.member(member_id),
        "sites": sites,
        "capabilities": capabilities,
        "processes": processes,
        "site_names": site_names,
        "chart": chart,
    }


@router.get("/sites")
def sites(request: Request, actor: ActorDep, db: DbDep) -> Response:
    """A member's own sites: the secretariat reads any member's under /members/…"""
    actor.require(*MEMBER_ROLES)
    language = language_of(request)
    context = _sites_context(db, actor.require_member(), language)
    title = translate(language, "Sites and capabilities")
    return render(request, "sites.html", actor=actor, title=title, **context)


@router.get("/members")
def members(request: Request, actor: ActorDep, db: DbDep) -> Response:
    actor.require(*OFFICE_ROLES)
    registry = Registry(db)
    site_counts: dict[str, int] = {}
    for site in registry.sites():
        site_counts[site.member_id] = site_counts.get(site.member_id, 0) + 1
    title = translate(language_of(request), "Members")
    return render(
        request,
        "members.html",
        actor=actor,
        title=title,
        members=registry.members(),
        site_counts=site_counts,
    )


@router.get("/members/{member_id}")
def member(member_id: str, request: Request, actor: ActorDep, db: DbDep) -> Response:
    _office_or_own(actor, member_id)
    language = language_of(request)
    context = _sites_context(db, member_id, language)
    title = translate(language, "Sites and capabilities")
    return render(request, "sites.html", actor=actor, title=title, **context)


def _office_or_own(actor: Actor, member_id: str) -> None:
    """The registry is shared with the secretariat; a member's page shows only its own."""
    if actor.role in OFFICE_ROLES or actor.member_id == member_id:
        return
    actor.require(*OFFICE_ROLES)  # raises: another member's page
