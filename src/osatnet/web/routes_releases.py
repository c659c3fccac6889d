"""Release tables: aggregates published under the disclosure rules, withheld cells marked.

Every signed-in user may read them (they are the alliance's published statistics); only the
secretariat creates them, and only over closed periods (the vault enforces both).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..api.deps import DbDep
from ..errors import InputError
from ..registry import Registry, UserRole
from ..vault._gather import DIMENSIONS
from ..vault.measures import DERIVED, MEASURES
from ..vault.releases import STATS, Releases
from .guard import ActorDep, CsrfForm, PageRoute, see_other
from .labels import dimension_label, measure_label, stat_label
from .render import language_of, render, translate

__all__ = ["router"]

router = APIRouter(prefix="/releases", route_class=PageRoute, include_in_schema=False)
METHODS = ("heuristic", "optimal")
TOTAL = "TOTAL"


@router.get("")
def releases(request: Request, actor: ActorDep, db: DbDep) -> Response:
    language = language_of(request)
    can_create = actor.role is UserRole.SECRETARIAT
    closed = [p.key for p in Registry(db).periods() if p.status == "closed"]
    return render(
        request,
        "releases.html",
        actor=actor,
        title=translate(language, "Release tables"),
        releases=list(reversed(Releases(db, actor).list())),
        can_create=can_create,
        closed=closed,
        measures=[(k, measure_label(k, language)) for k in (*MEASURES, *DERIVED)],
        stats=[(s, stat_label(s, language)) for s in STATS],
        dimensions=[(d, dimension_label(d, language)) for d in DIMENSIONS],
        measure_label=lambda k: measure_label(k, language),
        stat_label=lambda k: stat_label(k, language),
        dimension_label=lambda k: dimension_label(k, language),
    )


@router.post("")
def create(request: Request, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    actor.require(UserRole.SECRETARIAT)
    periods = [str(p) for p in form.getlist("periods")]
    by = [str(d) for d in form.getlist("by")]
    method = str(form.get("method") or "heuristic")
    if method not in METHODS:
        raise InputError(f"method must be heuristic or optimal, got {method!r}", column="method")
    if not periods:
        raise InputError(translate(language_of(request), "Choose at least one closed period."))
    table = Releases(db, actor).create(
        periods,
        str(form.get("measure") or ""),
        str(form.get("stat") or ""),
        by,
        method="optimal" if method == "optimal" else "heuristic",
        time_limit=20.0,
    )
    return see_other(f"/releases/{table.id}")


@router.get("/{release_id}")
def release(release_id: int, request: Request, actor: ActorDep, db: DbDep) -> Response:
    language = language_of(request)
    table = Releases(db, actor).get(release_id)
    withheld = sum(c.status != "published" for c in table.cells)
    return render(
        request,
        "release.html",
        actor=actor,
        title=translate(language, "Release %(id)s", id=table.id),
        table=table,
        withheld=withheld,
        total_label=translate(language, "Total"),
        total=TOTAL,
        measure=measure_label(table.measure, language),
        stat=stat_label(table.stat, language),
        dims=[dimension_label(d, language) for d in table.dims],
        names={
            p.key: (p.name_ja if language == "ja" else p.name) for p in Registry(db).processes()
        },
    )
