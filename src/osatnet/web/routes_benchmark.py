"""A member's benchmark: its own values against the alliance's released quartiles only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ..api.deps import DbDep
from ..errors import NotFoundError
from ..registry import Registry
from ..vault.benchmark import BenchmarkRow, benchmark_report
from .charts import benchmark_figure
from .guard import ActorDep, PageRoute
from .labels import measure_label
from .nav import MEMBER_ROLES
from .render import language_of, render, translate

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/benchmark")
def benchmark(
    request: Request,
    actor: ActorDep,
    db: DbDep,
    period: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    actor.require(*MEMBER_ROLES)
    language = language_of(request)
    registry = Registry(db)
    periods = registry.periods()
    closed = [p.key for p in periods if p.status == "closed"]
    # Quartiles are released for closed periods only: the newest closed one is the default.
    default = closed[-1] if closed else (periods[-1].key if periods else None)
    key = registry.period(period).key if period else default
    report, missing = None, None
    if key is not None:
        try:
            report = benchmark_report(db, actor, key)
        except NotFoundError as exc:
            missing = str(exc)
    names = {p.key: (p.name_ja if language == "ja" else p.name) for p in registry.processes()}
    sections = []
    if report is not None:
        by_measure: dict[str, list[BenchmarkRow]] = {}
        for row in report.rows:
            by_measure.setdefault(row.measure, []).append(row)
        for measure, rows in by_measure.items():
            chart = benchmark_figure(
                rows,
                process_names=names,
                own_label=translate(language, "Your value"),
                range_label=translate(language, "Alliance middle half (25th–75th percentile)"),
                median_label=translate(language, "Alliance median"),
            )
            sections.append((measure, measure_label(measure, language), rows, chart))
    return render(
        request,
        "benchmark.html",
        actor=actor,
        title=translate(language, "Benchmark"),
        periods=[p.key for p in periods],
        period=key,
        report=report,
        missing=missing,
        sections=sections,
        process_names=names,
    )
