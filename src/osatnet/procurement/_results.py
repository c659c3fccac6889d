"""Results of an award, and the error of demand that cannot be bought."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import InputError
from ._types import Quote, ResilienceRules

__all__ = [
    "Award",
    "AwardLine",
    "CategoryAward",
    "ConstraintPrice",
    "InfeasibleDemand",
    "RuleCost",
    "group_by_category",
]


class InfeasibleDemand(InputError):
    """The pooled demand of a category cannot be bought (capacity, minimum orders, rules)."""

    def __init__(self, category: str, reason: str, shortfall: float = 0.0) -> None:
        self.category = category
        self.shortfall = shortfall
        super().__init__(f"category {category}: {reason}")


@dataclass(frozen=True)
class AwardLine:
    supplier_id: str
    category: str
    quantity: float
    unit_price: float
    cost: float


@dataclass(frozen=True)
class ConstraintPrice:
    """Marginal value of a binding constraint: what one more unit of it would save."""

    category: str
    constraint: str  # demand | capacity | max_supplier_share | max_country_share
    subject: str  # supplier, country or category the row is about
    saving: float  # cost saved per one more ``per``
    per: str  # "unit" or "percentage point"


@dataclass(frozen=True)
class RuleCost:
    """Extra cost of a rule: award cost with it minus award cost without it."""

    category: str
    rule: str  # max_supplier_share | max_country_share | min_suppliers | capacity
    cost: float


@dataclass(frozen=True)
class CategoryAward:
    category: str
    quantity: float
    cost: float
    lines: tuple[AwardLine, ...]
    prices: tuple[ConstraintPrice, ...] = ()


@dataclass(frozen=True)
class Award:
    lines: tuple[AwardLine, ...]
    total_cost: float
    category_cost: dict[str, float]
    category_quantity: dict[str, float]
    rules: ResilienceRules
    prices: tuple[ConstraintPrice, ...] = ()
    rule_costs: tuple[RuleCost, ...] = field(default=())


def group_by_category(quotes: Sequence[Quote]) -> dict[str, list[Quote]]:
    out: dict[str, list[Quote]] = {}
    for q in quotes:
        out.setdefault(q.category, []).append(q)
    return out
