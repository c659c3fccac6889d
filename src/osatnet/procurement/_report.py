"""Report data of a round: savings against buying alone, the alliance target, constraint costs.

Plain data (``to_dict`` is JSON-ready) so that the CLI, the REST API and the HTML/Excel
reports show the same figures; ``charts`` holds the series the report charts plot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._allocate import Allocation
from ._results import Award
from ._types import Demand
from .catalog import describe

__all__ = [
    "ALLIANCE_TARGET",
    "RoundReport",
    "allocation_dict",
    "award_dict",
    "round_report",
]

ALLIANCE_TARGET = 0.20  # the alliance expects about 20% lower cost from shared buying


def award_dict(result: Award) -> dict[str, Any]:
    return {
        "total_cost": round(result.total_cost, 2),
        "rules": {
            "max_supplier_share": result.rules.max_supplier_share,
            "max_country_share": result.rules.max_country_share,
            "min_suppliers": result.rules.min_suppliers,
        },
        "lines": [
            {
                "supplier_id": x.supplier_id,
                "category": x.category,
                "quantity": round(x.quantity, 6),
                "unit_price": round(x.unit_price, 6),
                "cost": round(x.cost, 2),
            }
            for x in result.lines
        ],
        "categories": [
            {
                "category": cat,
                "quantity": result.category_quantity[cat],
                "cost": round(cost, 2),
            }
            for cat, cost in result.category_cost.items()
        ],
        "shadow_prices": [
            {
                "category": p.category,
                "constraint": p.constraint,
                "subject": p.subject,
                "saving": round(p.saving, 6),
                "per": p.per,
            }
            for p in result.prices
        ],
        "rule_costs": [
            {"category": r.category, "rule": r.rule, "cost": round(r.cost, 2)}
            for r in result.rule_costs
        ],
    }


def allocation_dict(allocation: Allocation) -> dict[str, Any]:
    core = allocation.core
    core_dict: dict[str, Any] | None = None
    members = [s.member_id for s in allocation.shares]
    if core is not None:
        core_dict = {
            "in_core": core.in_core,
            "exact": core.exact,
            "max_excess": round(core.max_excess, 2),
            "coalition": [members[i] for i in core.coalition],
        }
        if core.least_core is not None:
            core_dict["core_empty"] = core.least_core.core_empty
            core_dict["least_core_epsilon"] = round(core.least_core.epsilon, 2)
            core_dict["least_core_allocation"] = {
                m: round(float(v), 2)
                for m, v in zip(members, core.least_core.allocation, strict=True)
            }
    return {
        "method": allocation.method.value,
        "total_cost": allocation.total_cost,
        "solo_total": round(allocation.solo_total, 2),
        "exact": allocation.exact,
        "permutations": allocation.permutations,
        "error_target_reached": allocation.error_target_reached,
        "members": [
            {
                "member_id": s.member_id,
                "cost": s.cost,
                "solo_cost": s.solo_cost,
                "savings": s.savings,
                "savings_pct": s.savings_pct,
                **({"std_error": round(s.std_error, 4)} if s.std_error is not None else {}),
            }
            for s in allocation.shares
        ],
        "core": core_dict,
    }


@dataclass(frozen=True)
class RoundReport:
    total_cost: float
    solo_total: float
    savings: float
    savings_pct: float
    target_pct: float
    target_reached: bool
    current_spend: float | None  # at members' current unit prices, when all gave one
    savings_vs_current_pct: float | None
    categories: tuple[dict[str, Any], ...]
    award: dict[str, Any]
    allocation: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        members = self.allocation["members"]
        return {
            "total_cost": self.total_cost,
            "solo_total": self.solo_total,
            "savings": self.savings,
            "savings_pct": self.savings_pct,
            "target_pct": self.target_pct,
            "target_reached": self.target_reached,
            "current_spend": self.current_spend,
            "savings_vs_current_pct": self.savings_vs_current_pct,
            "categories": list(self.categories),
            "members": members,
            "constraint_costs": self.award["rule_costs"],
            "shadow_prices": self.award["shadow_prices"],
            "core": self.allocation["core"],
            "charts": {
                "member_savings": {
                    "member_id": [m["member_id"] for m in members],
                    "solo_cost": [m["solo_cost"] for m in members],
                    "cost": [m["cost"] for m in members],
                },
                "constraint_costs": {
                    "label": [f"{r['category']}: {r['rule']}" for r in self.award["rule_costs"]],
                    "cost": [r["cost"] for r in self.award["rule_costs"]],
                },
            },
        }


def round_report(
    demands: Sequence[Demand],
    result: Award,
    allocation: Allocation,
    *,
    target: float = ALLIANCE_TARGET,
) -> RoundReport:
    """Savings of the round versus every member buying alone, and against the target."""
    solo = round(allocation.solo_total, 2)
    total = allocation.total_cost
    savings = round(solo - total, 2)
    pct = savings / solo if solo > 0 else 0.0
    priced = [d for d in demands if d.quantity > 0]
    current: float | None = None
    vs_current: float | None = None
    if priced and all(d.current_unit_price is not None for d in priced):
        current = round(math.fsum(d.quantity * (d.current_unit_price or 0.0) for d in priced), 2)
        vs_current = round(100 * (current - total) / current, 2) if current > 0 else None
    categories = []
    for cat, cost in result.category_cost.items():
        entry = describe(cat)
        qty = result.category_quantity[cat]
        categories.append(
            {
                "category": cat,
                "name_en": entry.name_en,
                "name_ja": entry.name_ja,
                "unit": entry.unit,
                "quantity": qty,
                "cost": round(cost, 2),
                "unit_price": round(cost / qty, 6) if qty > 0 else None,
            }
        )
    return RoundReport(
        total_cost=total,
        solo_total=solo,
        savings=savings,
        savings_pct=round(100 * pct, 2),
        target_pct=round(100 * target, 2),
        target_reached=pct >= target - 1e-12,
        current_spend=current,
        savings_vs_current_pct=vs_current,
        categories=tuple(categories),
        award=award_dict(result),
        allocation=allocation_dict(allocation),
    )
