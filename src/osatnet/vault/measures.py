"""The vocabulary of confidential measures members submit, with units and valid ranges.

Site-level measures are given per site x process family; member-level measures leave
``site_id`` and ``process`` empty. Derived measures are computed, never submitted.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..procurement.catalog import CATALOG

__all__ = [
    "DERIVED",
    "END_MARKETS",
    "MEASURES",
    "REGIONS",
    "Level",
    "Measure",
    "measure",
]


class Level(enum.StrEnum):
    SITE = "site"
    MEMBER = "member"


@dataclass(frozen=True)
class Measure:
    key: str
    level: Level
    unit: str
    description: str
    low: float = 0.0
    high: float | None = None
    integer: bool = False


END_MARKETS = ("automotive", "industrial", "consumer", "communications", "computing_ai", "other")
REGIONS = ("japan", "china", "rest_of_asia", "americas", "europe")
COST_PARTS = ("labour", "materials", "depreciation", "overhead")

_SITE = [
    Measure("weekly_capacity", Level.SITE, "units/week", "capacity in the family's unit"),
    Measure("utilisation_pct", Level.SITE, "%", "share of capacity in use", high=100.0),
    *(
        Measure(f"unit_cost_{part}", Level.SITE, "JPY/unit", f"unit cost: {part}")
        for part in COST_PARTS
    ),
    Measure("yield_pct", Level.SITE, "%", "good units out of units started", high=100.0),
    Measure("headcount", Level.SITE, "persons", "staff on the process", integer=True),
]
_MEMBER = [
    *(
        Measure(f"revenue_share_{m}_pct", Level.MEMBER, "%", f"revenue share: {m}", high=100.0)
        for m in END_MARKETS
    ),
    *(
        Measure(
            f"revenue_share_region_{r}_pct", Level.MEMBER, "%", f"revenue by customer region: {r}",
            high=100.0,
        )
        for r in REGIONS
    ),
    *(
        Measure(f"spend_{key}", Level.MEMBER, "JPY/quarter", f"procurement spend: {entry.name_en}")
        for key, entry in CATALOG.items()
    ),
]  # fmt: skip

MEASURES: dict[str, Measure] = {m.key: m for m in (*_SITE, *_MEMBER)}

# Derived measures and how they are computed from submitted ones.
DERIVED: dict[str, tuple[str, ...]] = {
    "unit_cost_total": tuple(f"unit_cost_{part}" for part in COST_PARTS),
}
DERIVED_MEASURES: dict[str, Measure] = {
    "unit_cost_total": Measure(
        "unit_cost_total", Level.SITE, "JPY/unit", "unit cost: sum of the four parts"
    )
}


def measure(key: str) -> Measure | None:
    """A submitted or derived measure by key."""
    return MEASURES.get(key) or DERIVED_MEASURES.get(key)
