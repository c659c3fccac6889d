"""The buying options of one category, as arrays shared by the award MILP and the cost game.

A supplier's price-break schedule is turned into *options*: "buy between ``lo`` and ``hi`` on
this break, paying ``base`` for the first ``lo`` units and ``slope`` for each unit above".
All-units breaks give ``base = price * lo``; incremental breaks give the cost of the bands
below ``lo``. A supplier uses at most one option, so one table models both discount kinds
(the multiple-choice model of a piecewise-linear cost, exact even where the cost jumps).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._types import Discount, Quote, ResilienceRules

__all__ = ["OptionTable", "build_options"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class OptionTable:
    category: str
    suppliers: tuple[str, ...]
    countries: tuple[str, ...]
    country_of: IntArray  # per supplier, index into ``countries``
    capacity: FloatArray  # per supplier, ``inf`` when unlimited
    supplier: IntArray  # per option, index into ``suppliers``
    lo: FloatArray
    hi: FloatArray
    base: FloatArray
    slope: FloatArray

    @property
    def num_options(self) -> int:
        return int(self.lo.shape[0])

    @property
    def num_suppliers(self) -> int:
        return len(self.suppliers)


def _band_cost(quote: Quote, qty: float) -> float:
    """Incremental cost of the first ``qty`` units, ignoring the minimum order."""
    total = 0.0
    for i, b in enumerate(quote.breaks):
        start = 0.0 if i == 0 else b.min_qty
        end = quote.breaks[i + 1].min_qty if i + 1 < len(quote.breaks) else math.inf
        if qty > start:
            total += b.unit_price * (min(qty, end) - start)
    return total


def build_options(
    category: str,
    quotes: Sequence[Quote],
    rules: ResilienceRules,
    *,
    max_qty: float = math.inf,
    clip_capacity: bool = True,
) -> OptionTable:
    """Options of ``quotes`` (all of ``category``), each ``hi`` cut at ``max_qty``.

    ``clip_capacity`` also cuts ``hi`` at the supplier's capacity; the MILP keeps capacity as
    an explicit row instead so that its shadow price can be read. Options that start above
    the capacity or ``max_qty`` are dropped. Suppliers without a country of origin count as
    a country of their own for the country-share rule.
    """
    suppliers = tuple(q.supplier_id for q in quotes)
    countries: list[str] = []
    country_of: list[int] = []
    for q in quotes:
        key = q.country if q.country else f"?{q.supplier_id}"
        if key not in countries:
            countries.append(key)
        country_of.append(countries.index(key))
    capacity = np.array(
        [math.inf if q.capacity is None else q.capacity for q in quotes], dtype=np.float64
    )
    min_lot = rules.MIN_LOT if rules.min_suppliers > 1 else 0.0
    sup: list[int] = []
    lo: list[float] = []
    hi: list[float] = []
    base: list[float] = []
    slope: list[float] = []
    for j, q in enumerate(quotes):
        limit = min(max_qty, capacity[j]) if clip_capacity else max_qty
        for k, b in enumerate(q.breaks):
            start = max(b.min_qty, min_lot)
            end = q.breaks[k + 1].min_qty if k + 1 < len(q.breaks) else math.inf
            end = min(end, limit)
            if start > end or start > capacity[j]:
                continue
            if q.discount is Discount.ALL_UNITS:
                cost_at_start = b.unit_price * start
            else:
                cost_at_start = _band_cost(q, start)
            sup.append(j)
            lo.append(start)
            hi.append(end)
            base.append(cost_at_start)
            slope.append(b.unit_price)
    return OptionTable(
        category=category,
        suppliers=suppliers,
        countries=tuple(countries),
        country_of=np.array(country_of, dtype=np.int64),
        capacity=capacity,
        supplier=np.array(sup, dtype=np.int64),
        lo=np.array(lo, dtype=np.float64),
        hi=np.array(hi, dtype=np.float64),
        base=np.array(base, dtype=np.float64),
        slope=np.array(slope, dtype=np.float64),
    )
