"""Member benchmarking: a member's own values against released statistics only.

The report reads the member's own raw values (its right) and the alliance's published
quartiles (releases of p25 / median / p75 by process). It never touches another member's raw
data: not even server-side.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from pydantic import BaseModel

from ..db import Database
from ..errors import NotFoundError
from ..registry.service import Registry
from ._context import Actor
from .measures import measure
from .releases import Releases, ReleaseTable
from .service import Vault

__all__ = ["DEFAULT_MEASURES", "BenchmarkReport", "BenchmarkRow", "TrendPoint", "benchmark_report"]

DEFAULT_MEASURES = ("unit_cost_total", "yield_pct", "utilisation_pct")
LOWER_IS_BETTER = {"unit_cost_total", "unit_cost_labour", "unit_cost_materials",
                   "unit_cost_depreciation", "unit_cost_overhead"}  # fmt: skip
QUARTILE_STATS = ("p25", "median", "p75")


class TrendPoint(BaseModel):
    period: str
    own: float | None
    median: float | None


class BenchmarkRow(BaseModel):
    measure: str
    process: str
    unit: str
    own_value: float
    p25: float | None
    median: float | None
    p75: float | None
    band: str  # "Q1" (lowest quarter of the alliance) … "Q4", or "withheld"
    gap_to_median_pct: float | None
    lower_is_better: bool
    trend: list[TrendPoint]


class BenchmarkReport(BaseModel):
    member_id: str
    period: str
    rows: list[BenchmarkRow]
    release_ids: list[int]
    notes: list[str]


def _band(value: float, p25: float | None, median: float | None, p75: float | None) -> str:
    if p25 is None or median is None or p75 is None:
        return "withheld"
    return "Q1" if value < p25 else "Q2" if value < median else "Q3" if value < p75 else "Q4"


def _released(
    releases: list[ReleaseTable], key: str, period: str
) -> dict[str, dict[str, float | None]]:
    """process -> {p25, median, p75} from the newest matching releases (None if withheld)."""
    found: dict[str, dict[str, float | None]] = defaultdict(dict)
    for table in releases:  # oldest first: newer releases overwrite
        if table.measure != key or table.periods != [period] or table.dims != ["process"]:
            continue
        if table.stat not in QUARTILE_STATS:
            continue
        for cell in table.cells:
            found[cell.labels["process"]][table.stat] = cell.value
    return found


def _own(vault: Vault, period: str, key: str) -> dict[str, float]:
    """The member's value per process: the mean over its sites (one contribution, as released)."""
    values: dict[str, list[float]] = defaultdict(list)
    for r in vault.values(period):
        if r.measure == key and r.process:
            values[r.process].append(r.value)
    return {p: float(np.mean(v)) for p, v in values.items()}


def benchmark_report(
    db: Database,
    actor: Actor,
    period: str,
    *,
    member_id: str | None = None,
    measures: tuple[str, ...] = DEFAULT_MEASURES,
) -> BenchmarkReport:
    """The calling member's position in the alliance for ``period``, with the trend so far."""
    vault = Vault(db, actor)
    own_member = vault.own_member(member_id, "see the benchmark of")
    key = Registry(db).period(period).key
    releases = Releases(db, actor)
    tables = [releases.get(s.id) for s in releases.list() if s.stat in QUARTILE_STATS]
    earlier = [p.key for p in Registry(db).periods() if p.key <= key]
    own_by_period = {}
    for p in earlier:
        try:
            own_by_period[p] = {m: _own(vault, p, m) for m in measures}
        except NotFoundError:
            continue  # no active submission that quarter
    if key not in own_by_period:
        raise NotFoundError(f"member {own_member} has no active submission for {key}")
    released = {p: {m: _released(tables, m, p) for m in measures} for p in own_by_period}
    rows, notes = [], []
    for m in measures:
        stats = released[key][m]
        if not stats:
            notes.append(f"no released quartiles of {m} by process for {key}")
        for process, own in sorted(own_by_period[key][m].items()):
            q = stats.get(process, {})
            p25, median, p75 = q.get("p25"), q.get("median"), q.get("p75")
            trend = [
                TrendPoint(
                    period=p, own=own_by_period[p][m].get(process),
                    median=released[p][m].get(process, {}).get("median"),
                )
                for p in sorted(own_by_period)
            ]  # fmt: skip
            info = measure(m)
            rows.append(
                BenchmarkRow(
                    measure=m, process=process, unit=info.unit if info else "", own_value=own,
                    p25=p25, median=median, p75=p75, band=_band(own, p25, median, p75),
                    gap_to_median_pct=100 * (own - median) / median if median else None,
                    lower_is_better=m in LOWER_IS_BETTER, trend=trend,
                )
            )  # fmt: skip
    ids = sorted({t.id for t in tables if t.periods == [key]})
    return BenchmarkReport(
        member_id=own_member, period=key, rows=rows, release_ids=ids, notes=notes
    )
