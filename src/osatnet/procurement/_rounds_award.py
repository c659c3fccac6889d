"""The award of a stored round, computed from decrypted demand: pool, award, split, summarise.

Pure: the service decrypts in the aggregate scope, calls :func:`compute_round`, and stores
what comes back. The summary it builds is the only thing about the round that leaves the
aggregate scope unencrypted, so it holds totals and never a member's own figure.

A category only one member asks for is *not pooled*: there is nothing to share, and the
alliance's purchase order (which the secretariat places, in clear) would be exactly that
member's confidential quantity. Such lines are left to the member, reported to it as
unpooled, and counted (not named) in the summary.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ConflictError, InputError
from ._allocate import Allocation, Method, allocate
from ._award import award
from ._report import award_dict, round_report
from ._results import Award
from ._rounds_schemas import RoundSummary
from ._types import Demand, Quote, ResilienceRules
from .catalog import describe

__all__ = ["MIN_BUYERS", "RoundOutcome", "compute_round", "pool", "savings_distribution"]

MIN_BUYERS = 2  # members a category needs to be pooled
BAND_PCT = 5.0  # width of the savings bands shown to the secretariat


@dataclass(frozen=True)
class RoundOutcome:
    award: Award
    allocation: Allocation
    summary: RoundSummary
    unpooled: dict[str, tuple[str, ...]]  # member -> its categories no other member asked for


def pool(demands: Sequence[Demand]) -> tuple[list[Demand], dict[str, tuple[str, ...]]]:
    """The demand lines that are pooled, and per member the categories that are not."""
    buyers: dict[str, set[str]] = defaultdict(set)
    for d in demands:
        if d.quantity > 0:
            buyers[d.category].add(d.member_id)
    pooled: list[Demand] = []
    alone: dict[str, list[str]] = defaultdict(list)
    for d in demands:
        if d.quantity <= 0:
            continue
        if len(buyers[d.category]) >= MIN_BUYERS:
            pooled.append(d)
        else:
            alone[d.member_id].append(d.category)
    return pooled, {m: tuple(sorted(c)) for m, c in alone.items()}


def savings_distribution(
    savings_pct: Sequence[float], min_contributors: int
) -> list[dict[str, Any]] | None:
    """How many members fall in each band of savings percent; ``None`` for too few members.

    Bands are fixed-width and unnamed, and empty bands inside the range are kept so that the
    chart shows the shape rather than a list of values.
    """
    if len(savings_pct) < max(min_contributors, 3) or not savings_pct:
        return None
    lo = math.floor(min(savings_pct) / BAND_PCT) * BAND_PCT
    hi = math.floor(max(savings_pct) / BAND_PCT) * BAND_PCT
    bands = []
    start = lo
    while start <= hi + 1e-9:
        end = start + BAND_PCT
        count = sum(start <= p < end for p in savings_pct)
        bands.append({"from_pct": start, "to_pct": end, "members": count})
        start = end
    return bands


def _categories(result: Award, pooled: Sequence[Demand]) -> list[dict[str, Any]]:
    buyers: dict[str, int] = defaultdict(int)
    for d in pooled:
        buyers[d.category] += 1
    out = []
    for cat, cost in result.category_cost.items():
        entry = describe(cat)
        qty = result.category_quantity[cat]
        out.append(
            {
                "category": cat,
                "name_en": entry.name_en,
                "name_ja": entry.name_ja,
                "unit": entry.unit,
                "buyers": buyers[cat],
                "quantity": round(qty, 6),
                "cost": round(cost, 2),
                "unit_price": round(cost / qty, 6) if qty > 0 else None,
            }
        )
    return out


def compute_round(
    key: str,
    demands: Sequence[Demand],
    quotes: Sequence[Quote],
    rules: ResilienceRules,
    *,
    method: Method,
    target: float,
    min_contributors: int,
    seed: int = 0,
) -> RoundOutcome:
    """Award the pooled demand of round ``key`` and split its cost; summarise the totals."""
    pooled, unpooled = pool(demands)
    if not pooled:
        raise ConflictError(
            f"round {key}: no category is asked for by at least {MIN_BUYERS} members, "
            "so there is nothing to pool"
        )
    wanted = {d.category for d in pooled}
    quoted = {q.category for q in quotes}
    missing = sorted(wanted - quoted)
    if missing:
        raise InputError(
            f"round {key}: no supplier quotes category {missing[0]!r}"
            + (f" (nor {', '.join(missing[1:])})" if len(missing) > 1 else "")
            + "; enter its quotes with `osatnet procure quotes enter`",
            column="category",
        )
    used = [q for q in quotes if q.category in wanted]
    result = award(pooled, used, rules)
    allocation = allocate(pooled, used, rules, method=method, seed=seed, awarded=result)
    report = round_report(pooled, result, allocation, target=target)
    prices = award_dict(result)
    core = allocation.core
    summary = RoundSummary(
        round_key=key,
        method=allocation.method.value,
        exact=allocation.exact,
        members=len(allocation.shares),
        total_cost=report.total_cost,
        solo_total=report.solo_total,
        savings=report.savings,
        savings_pct=report.savings_pct,
        target_pct=report.target_pct,
        target_reached=report.target_reached,
        current_spend=report.current_spend,
        savings_vs_current_pct=report.savings_vs_current_pct,
        categories=_categories(result, pooled),
        orders=[
            {k: line[k] for k in ("supplier_id", "category", "quantity", "cost")}
            for line in prices["lines"]
        ],
        rule_costs=prices["rule_costs"],
        shadow_prices=prices["shadow_prices"],
        # No group is named, and neither is the overcharge of the most violated group: a
        # group of one would be a member's own savings.
        core=None
        if core is None
        else {
            "in_core": core.in_core,
            "exact": core.exact,
            "core_empty": None if core.least_core is None else core.least_core.core_empty,
            "least_core_epsilon": None
            if core.least_core is None
            else round(core.least_core.epsilon, 2),
        },
        savings_distribution=savings_distribution(
            [s.savings_pct for s in allocation.shares], min_contributors
        ),
        unpooled_categories=len({c for cats in unpooled.values() for c in cats}),
    )
    return RoundOutcome(result, allocation, summary, unpooled)
