"""Blind mode: the compute nodes and their key fingerprints (everyone), a member's own uploads,
the release jobs and their state (secretariat and auditors; the secretariat may retry)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..api.deps import DbDep
from ..blind.auction_platform import BlindAuctions
from ..blind.platform import BlindService, UploadInfo
from ..errors import NotFoundError
from ..registry import Registry, UserRole
from .guard import ActorDep, CsrfForm, PageRoute, see_other
from .nav import OFFICE_ROLES
from .render import language_of, render, translate

__all__ = ["router"]

router = APIRouter(prefix="/blind", route_class=PageRoute, include_in_schema=False)


def _uploads(service: BlindService, periods: list[str]) -> list[tuple[str, UploadInfo | None]]:
    rows: list[tuple[str, UploadInfo | None]] = []
    for key in periods:
        try:
            rows.append((key, service.my_upload(key)))
        except NotFoundError:
            rows.append((key, None))
    return rows


@router.get("")
def blind(request: Request, actor: ActorDep, db: DbDep) -> Response:
    service = BlindService(db, actor)
    office = actor.role in OFFICE_ROLES
    periods = [p.key for p in reversed(Registry(db).periods())]
    return render(
        request,
        "blind.html",
        actor=actor,
        title=translate(language_of(request), "Blind mode"),
        trust_model=service.trust_model(),
        nodes=service.nodes(),
        uploads=[] if office else _uploads(service, periods),
        jobs=list(reversed(service.jobs())) if office else [],
        auctions=list(reversed(BlindAuctions(db, actor).auctions())),
        can_retry=actor.role is UserRole.SECRETARIAT,
    )


@router.post("/jobs/{job_id}/retry")
def retry(job_id: int, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    BlindService(db, actor).retry(job_id)
    return see_other("/blind")
