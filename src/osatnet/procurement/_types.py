"""Typed inputs of a procurement round: demand lines, supplier quotes and resilience rules.

These are plain immutable values so that the stored rounds (database) and the CSV files feed
the same pure functions. Constructors validate what a single value can know; the file reader
adds the file, row and column to the same messages.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from ..errors import InputError

__all__ = [
    "Demand",
    "Discount",
    "PriceBreak",
    "Quote",
    "ResilienceRules",
    "check_breaks",
]


class Discount(enum.Enum):
    """How a price-break schedule prices a quantity.

    ``ALL_UNITS``: every unit costs the price of the break reached by the whole quantity.
    ``INCREMENTAL``: each unit costs the price of the band it falls into (like tax brackets).
    """

    ALL_UNITS = "all_units"
    INCREMENTAL = "incremental"


@dataclass(frozen=True)
class PriceBreak:
    min_qty: float
    unit_price: float


@dataclass(frozen=True)
class Demand:
    """One member's confidential demand for one category in a round."""

    member_id: str
    category: str
    quantity: float
    current_unit_price: float | None = None

    def __post_init__(self) -> None:
        if not self.member_id:
            raise InputError("member_id must not be empty", column="member_id")
        if not self.category:
            raise InputError("category must not be empty", column="category")
        if not (math.isfinite(self.quantity) and self.quantity >= 0):
            raise InputError(
                f"expected a finite quantity >= 0, got {self.quantity!r}", column="quantity"
            )
        cup = self.current_unit_price
        if cup is not None and not (math.isfinite(cup) and cup >= 0):
            raise InputError(
                f"expected a finite price >= 0, got {cup!r}", column="current_unit_price"
            )


def check_breaks(breaks: tuple[PriceBreak, ...], discount: Discount) -> tuple[int, str, str] | None:
    """The first problem of a break schedule as ``(index, column, reason)``, or ``None``.

    Breaks must have distinct ``min_qty`` (they are sorted here by the caller), finite
    non-negative numbers, and for all-units schedules prices that do not rise with quantity:
    a rising all-units break is almost always a typing error, and allowing it would make the
    price at exactly a break boundary ambiguous.
    """
    if not breaks:
        return (0, "min_qty", "a quote needs at least one price break")
    for i, b in enumerate(breaks):
        if not (math.isfinite(b.min_qty) and b.min_qty >= 0):
            return (i, "min_qty", f"expected a finite number >= 0, got {b.min_qty!r}")
        if not (math.isfinite(b.unit_price) and b.unit_price >= 0):
            return (i, "unit_price", f"expected a finite number >= 0, got {b.unit_price!r}")
        if i == 0:
            continue
        prev = breaks[i - 1]
        if b.min_qty <= prev.min_qty:
            return (
                i,
                "min_qty",
                f"min_qty {b.min_qty:g} repeats or does not follow {prev.min_qty:g}; "
                "each break of a supplier and category needs its own min_qty",
            )
        if discount is Discount.ALL_UNITS and b.unit_price > prev.unit_price:
            return (
                i,
                "unit_price",
                f"all-units unit_price {b.unit_price:g} at min_qty {b.min_qty:g} is higher than "
                f"{prev.unit_price:g} at min_qty {prev.min_qty:g}; prices must not rise",
            )
    return None


@dataclass(frozen=True)
class Quote:
    """A supplier's price-break schedule for one category.

    The smallest ``min_qty`` is the minimum order: less than it (but more than nothing) cannot
    be bought from this supplier. ``capacity`` caps the quantity (``None`` = unlimited).
    For incremental schedules the first band starts at zero, so buying the minimum order
    ``m`` costs ``m`` times the first price.
    """

    supplier_id: str
    category: str
    breaks: tuple[PriceBreak, ...]
    discount: Discount = Discount.ALL_UNITS
    capacity: float | None = None
    country: str | None = None
    lead_time_weeks: float | None = None

    def __post_init__(self) -> None:
        if not self.supplier_id:
            raise InputError("supplier_id must not be empty", column="supplier_id")
        if not self.category:
            raise InputError("category must not be empty", column="category")
        ordered = tuple(sorted(self.breaks, key=lambda b: b.min_qty))
        object.__setattr__(self, "breaks", ordered)
        problem = check_breaks(ordered, self.discount)
        if problem is not None:
            raise InputError(f"supplier {self.supplier_id}: {problem[2]}", column=problem[1])
        cap = self.capacity
        if cap is not None and not (math.isfinite(cap) and cap > 0):
            raise InputError(f"expected a capacity > 0, got {cap!r}", column="capacity")

    @property
    def min_order(self) -> float:
        return self.breaks[0].min_qty

    def cost(self, quantity: float) -> float:
        """Cost of buying ``quantity`` from this supplier alone (``inf`` if it cannot)."""
        if quantity == 0:
            return 0.0
        if quantity < self.min_order or (self.capacity is not None and quantity > self.capacity):
            return math.inf
        if self.discount is Discount.ALL_UNITS:
            price = [b.unit_price for b in self.breaks if b.min_qty <= quantity][-1]
            return price * quantity
        total = 0.0
        for i, b in enumerate(self.breaks):
            start = 0.0 if i == 0 else b.min_qty
            end = self.breaks[i + 1].min_qty if i + 1 < len(self.breaks) else math.inf
            if quantity > start:
                total += b.unit_price * (min(quantity, end) - start)
        return total


@dataclass(frozen=True)
class ResilienceRules:
    """Rules set per round, applied per category.

    ``max_supplier_share`` / ``max_country_share``: the largest fraction (0..1] of a category's
    quantity one supplier / one country of origin may get. ``min_suppliers``: at least this
    many suppliers per category; a supplier only counts when it gets at least its minimum order
    and at least ``MIN_LOT`` units, so that a token order cannot satisfy the rule.
    """

    max_supplier_share: float | None = None
    max_country_share: float | None = None
    min_suppliers: int = 1

    MIN_LOT = 1.0

    def __post_init__(self) -> None:
        for name in ("max_supplier_share", "max_country_share"):
            v = getattr(self, name)
            if v is not None and not (0 < v <= 1):
                raise InputError(f"{name} must be a fraction in (0, 1], got {v!r}")
        if self.min_suppliers < 1:
            raise InputError(f"min_suppliers must be at least 1, got {self.min_suppliers!r}")

    @property
    def active(self) -> bool:
        return (
            self.max_supplier_share is not None
            or self.max_country_share is not None
            or self.min_suppliers > 1
        )

    def without(self, rule: str) -> ResilienceRules:
        """These rules with ``rule`` switched off (to price what the rule costs)."""
        if rule == "min_suppliers":
            return ResilienceRules(self.max_supplier_share, self.max_country_share, 1)
        if rule == "max_supplier_share":
            return ResilienceRules(None, self.max_country_share, self.min_suppliers)
        if rule == "max_country_share":
            return ResilienceRules(self.max_supplier_share, None, self.min_suppliers)
        raise ValueError(f"unknown rule {rule!r}")
