"""The cost game of a round: c(S) = least cost of buying the pooled demand of group S.

Two facts make the game cheap to tabulate:

* c(S) depends on S only through the pooled quantity of each category, and
* c is a sum over categories, each bought independently.

So for each category the pooled quantity of all 2^n groups is built with the subset-sum bit
trick (doubling an array n times; index = bitmask of the group), the distinct quantities are
found with ``numpy.unique`` and priced *once* by the vectorised least-cost function of
:mod:`._costfn`, and the prices are scattered back. Large alliances use :meth:`CostGame.cost`
on explicit groups and :meth:`CostGame.prefix_costs` on permutations instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ..errors import InputError
from ._costfn import CategoryPricer
from ._options import OptionTable, build_options
from ._results import group_by_category
from ._types import Demand, Quote, ResilienceRules

__all__ = ["MAX_EXACT_MEMBERS", "CostGame", "subset_sums"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MAX_EXACT_MEMBERS = 20


def subset_sums(values: FloatArray) -> FloatArray:
    """``out[mask] = sum(values[i] for bits i of mask)`` for all ``2**len(values)`` masks."""
    out = np.zeros(1, dtype=np.float64)
    for v in values:
        out = np.concatenate([out, out + v])
    return out


class CostGame:
    """The cost game of ``demands`` under ``quotes`` and ``rules``.

    Members are ordered as they first appear in ``demands``; bit ``i`` of a coalition mask
    is member ``i``. Groups too small for any supplier's minimum order pay for the minimum
    order (see :mod:`._costfn`), so every group has a finite cost when the alliance does.
    """

    def __init__(
        self,
        demands: Sequence[Demand],
        quotes: Sequence[Quote],
        rules: ResilienceRules = ResilienceRules(),
    ) -> None:
        members: list[str] = []
        categories: list[str] = []
        for d in demands:
            if d.member_id not in members:
                members.append(d.member_id)
            if d.category not in categories:
                categories.append(d.category)
        self.members = tuple(members)
        self.categories = tuple(categories)
        self.rules = rules
        self.demand = np.zeros((len(members), len(categories)))
        for d in demands:
            self.demand[members.index(d.member_id), categories.index(d.category)] += d.quantity
        by_cat = group_by_category(quotes)
        totals = self.demand.sum(axis=0)
        self.tables: list[OptionTable] = []
        self.pricers: list[CategoryPricer] = []
        for k, cat in enumerate(categories):
            qs = by_cat.get(cat, [])
            if not qs and totals[k] > 0:
                raise InputError(f"category {cat}: no supplier quotes it")
            self.tables.append(build_options(cat, qs, rules, max_qty=float(totals[k])))
            self.pricers.append(CategoryPricer(self.tables[-1], rules))

    @property
    def n(self) -> int:
        return len(self.members)

    def price(self, k: int, quantities: FloatArray) -> FloatArray:
        """Least cost of category ``k`` at each quantity, pricing each distinct value once."""
        flat = np.asarray(quantities, dtype=np.float64).ravel()
        uniq, inverse = np.unique(flat, return_inverse=True)
        prices = self.pricers[k](uniq)
        if not np.isfinite(prices).all():
            bad = float(uniq[~np.isfinite(prices)][0])
            raise InputError(
                f"category {self.categories[k]}: a group needing {bad:g} cannot buy it "
                "from the quotes (capacity or resilience rules)"
            )
        out: FloatArray = prices[inverse].reshape(np.shape(quantities))
        return out

    def cost(self, masks: BoolArray) -> FloatArray:
        """c(S) for each row of ``masks`` (shape groups x members)."""
        m = np.asarray(masks, dtype=np.float64)
        pooled = m @ self.demand
        total = np.zeros(m.shape[0])
        for k in range(len(self.categories)):
            total += self.price(k, pooled[:, k])
        return total

    def solo_costs(self) -> FloatArray:
        return self.cost(np.eye(self.n, dtype=bool))

    def grand_cost(self) -> float:
        return float(self.cost(np.ones((1, self.n), dtype=bool))[0])

    def all_costs(self) -> FloatArray:
        """c(S) for all ``2**n`` masks (``n`` at most :data:`MAX_EXACT_MEMBERS`)."""
        if self.n > MAX_EXACT_MEMBERS:
            raise InputError(
                f"{self.n} members is more than the {MAX_EXACT_MEMBERS} the exact game "
                "tabulates; use sampling"
            )
        v = np.zeros(1 << self.n)
        for k in range(len(self.categories)):
            v += self.price(k, subset_sums(self.demand[:, k]))
        return v

    def prefix_costs(self, perms: IntArray) -> FloatArray:
        """Cost of the first ``0..n`` members of each permutation (shape perms x n+1)."""
        p = np.asarray(perms, dtype=np.int64)
        out = np.zeros((p.shape[0], self.n + 1))
        for k in range(len(self.categories)):
            cum = np.cumsum(self.demand[p, k], axis=1)
            out[:, 1:] += self.price(k, cum)
        return out
