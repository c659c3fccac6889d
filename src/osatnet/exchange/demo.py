"""The exchange's demo step: one realistic week of the demo alliance, posted and cleared.

Each OSAT member looks at its own lines (registry capacity, and its own utilisation and unit
costs from its confidential submission, read through the firewall) and at a week's demand:
a few members get a surge and post their overflow as requests, members with idle lines post
the spare capacity as offers. The secretariat clears the week and the report shows the result.
Needs the registry, the ``<member>-admin`` and ``secretariat`` users and the submissions of
the open period (the demo's earlier steps).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import NotFoundError
from ..registry.catalog import PROCESS_FAMILIES
from ..vault import Vault
from ._platform_outcome import run_outcome
from ._platform_records import OfferDraft, RequestDraft
from ._platform_weeks import period_weeks
from .report import ExchangeReportData, exchange_section
from .service import Exchange

if TYPE_CHECKING:
    # Only for annotations: the demo's step list imports this module, so importing the demo
    # package here at run time would be circular.
    from ..demo._context import DemoContext

__all__ = ["demo_step"]

_WEEK_OF_QUARTER = 9  # a mid-quarter week (2026-W36 for 2026Q3)
_SURGE_SHARE = 0.35  # share of OSAT members whose week is a rush
_COST_PER_UNIT_KM = 2e-4  # JPY per unit and km: trucks between Kyushu and Kanto add ~0.2 JPY
_WAFER = {p.key for p in PROCESS_FAMILIES if p.capacity_unit == "wafers"}


@dataclass(frozen=True)
class _Line:
    """One site x process of a member: capacity, this week's demand and unit cost."""

    site_id: str
    process: str
    capacity: float
    demand: float
    unit_cost: float
    automotive: bool


def _round(process: str, value: float) -> float:
    return float(round(value, -1 if process in _WAFER else -2))


def _own_lines(
    ctx: DemoContext, member_id: str, period: str, rng: np.random.Generator
) -> list[_Line]:
    """The member's lines, from its own submission (read as the member: audited)."""
    try:
        values = Vault(ctx.db, f"{member_id.lower()}-admin").values(period)
    except NotFoundError:
        return []  # a member without a user or a submission sits this week out
    util: dict[tuple[str, str], float] = {}
    cost: dict[tuple[str, str], float] = {}
    for v in values:
        if v.site_id is None or v.process is None:
            continue
        if v.measure == "utilisation_pct":
            util[(v.site_id, v.process)] = v.value / 100
        elif v.measure == "unit_cost_total":
            cost[(v.site_id, v.process)] = v.value
    surge = rng.uniform(1.2, 1.6) if rng.random() < _SURGE_SHARE else rng.normal(0.9, 0.08)
    lines = []
    for site in ctx.registry.sites(member_id):
        for c in ctx.registry.capabilities(site_id=site.site_id):
            key = (site.site_id, c.process)
            if key not in util or key not in cost:
                continue
            demand = c.weekly_capacity * util[key] * surge * float(rng.lognormal(0, 0.05))
            lines.append(
                _Line(site.site_id, c.process, c.weekly_capacity, demand, cost[key], c.automotive)
            )
    return lines


def _drafts(
    lines: list[_Line], week: str, rng: np.random.Generator
) -> tuple[list[OfferDraft], list[RequestDraft]]:
    offers, requests = [], []
    number = int(week[-2:])
    for line in lines:
        short = _round(line.process, line.demand - line.capacity)
        spare = _round(line.process, 0.95 * line.capacity - line.demand)
        if short > 0:
            automotive = line.automotive and rng.random() < 0.6
            requires = ["IATF 16949", "automotive"] if automotive else []
            if rng.random() < 0.25:
                requires.append("country:JP")  # the customer approved domestic plants only
            min_split = _round(line.process, 0.25 * short) if rng.random() < 0.3 else 0.0
            requests.append(RequestDraft(
                process=line.process, quantity=short, site_id=line.site_id,
                earliest_week=number - int(rng.integers(0, 2)),
                due_week=number + int(rng.integers(0, 3)),
                max_price=round(line.unit_cost * rng.uniform(1.1, 1.35), 4),
                splittable=rng.random() < 0.8, min_split=min(min_split, short),
                unserved_penalty=round(line.unit_cost * rng.uniform(1.3, 1.9), 4),
                requires=tuple(requires),
            ))  # fmt: skip
        elif spare >= 0.1 * line.capacity and rng.random() < 0.75:
            offers.append(OfferDraft(
                process=line.process, week=week, capacity=spare, site_id=line.site_id,
                unit_price=round(line.unit_cost * rng.uniform(0.95, 1.1), 4),
            ))  # fmt: skip
    return offers, requests


def demo_step(ctx: DemoContext) -> None:
    """Post a realistic week, clear it as the secretariat, add the report section."""
    registry = ctx.registry
    period = next(p.key for p in reversed(registry.periods()) if p.status == "open")
    week = period_weeks(period)[_WEEK_OF_QUARTER]
    rng = np.random.default_rng(ctx.seed + 4000)
    capacity: dict[str, float] = defaultdict(float)
    load: dict[str, float] = defaultdict(float)
    for member in registry.members():
        lines = _own_lines(ctx, member.member_id, period, rng)
        if not lines:
            continue
        for line in lines:
            capacity[line.process] += line.capacity
            load[line.process] += min(line.demand, line.capacity)
        offers, requests = _drafts(lines, week, rng)
        if offers or requests:
            exchange = Exchange.login(ctx.db, f"{member.member_id.lower()}-admin", via="demo")
            exchange.post(period, offers=offers, requests=requests, source="demo")
    secretariat = Exchange.login(ctx.db, "secretariat", via="demo")
    info = secretariat.clear(period, week, cost_per_km=_COST_PER_UNIT_KM, time_limit=30.0, gap=1e-3)
    outcome = run_outcome(ctx.db, period, week, actor="secretariat")
    data = ExchangeReportData.from_outcome(outcome, capacity, load, info.matches)
    exchange_section(ctx.report, data)
    ctx.summary["exchange"] = data.summary()
    # What the secretariat may see of the week: matched volume per process, under the rules.
    from ..vault._context import Actor
    from ..vault.report import release_section
    from .release import release_week

    table = release_week(ctx.db, Actor.load(ctx.db, "secretariat"), period, week)
    release_section(ctx.report, table, "Exchange week: matched volume by process (released)")
