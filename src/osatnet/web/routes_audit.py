"""The audit trail and its hash-chain check, for auditors and the secretariat."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ..api.deps import DbDep
from ..vault import Vault
from .guard import ActorDep, PageRoute, is_htmx
from .nav import OFFICE_ROLES
from .render import language_of, render, translate

__all__ = ["router"]

router = APIRouter(prefix="/audit", route_class=PageRoute, include_in_schema=False)
LIMITS = (50, 200, 1000)


@router.get("")
def audit(
    request: Request,
    actor: ActorDep,
    db: DbDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> Response:
    actor.require(*OFFICE_ROLES)
    entries = Vault(db, actor).audit_entries(limit)
    return render(
        request,
        "audit.html",
        actor=actor,
        title=translate(language_of(request), "Audit log"),
        entries=list(reversed(entries)),
        limit=limit,
        limits=LIMITS,
    )


@router.get("/verify")
def verify(request: Request, actor: ActorDep, db: DbDep) -> Response:
    """Recompute the hash chain over every entry: any edit or deletion shows up."""
    actor.require(*OFFICE_ROLES)
    problems = Vault(db, actor).verify_audit()
    template = "_verify.html" if is_htmx(request) else "verify.html"
    return render(
        request,
        template,
        actor=actor,
        title=translate(language_of(request), "Audit log check"),
        problems=problems,
    )
