"""Least cost of buying given quantities of one category, vectorised over many quantities.

Why not a MILP per quantity: the cost game needs the cost of every distinct pooled quantity,
which for 20 members can be hundreds of thousands of values per category. Instead:

* a *combination* picks one option (price break) or "nothing" per supplier;
* for a fixed combination the cheapest split is a greedy fill: every supplier starts at its
  option's ``lo``, then the rest goes to the cheapest slopes first, each as much as its
  option, its share cap and its country's share cap still allow. The caps form a laminar
  family (suppliers inside countries inside the total), so the feasible fills are the bases of
  a polymatroid and the greedy fill is optimal;
* the least cost is the minimum over combinations.

All combinations are evaluated together on all quantities as 2-D numpy arrays (combinations x
quantities, in blocks of about a million cells), looping only over supplier positions. The
MILP in :mod:`._award` solves the same problem for one quantity; tests check they agree.

A quantity below every feasible set of minimum orders cannot be bought exactly; with
``surplus=True`` it then costs what the smallest purchasable quantity above it costs
(a small group pays for the minimum order and keeps the surplus).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ..errors import InputError
from ._options import OptionTable
from ._types import ResilienceRules

__all__ = ["MAX_COMBINATIONS", "CategoryPricer", "category_cost", "combinations"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_COMBINATIONS = 2_000_000
_BLOCK_CELLS = 1 << 20


def combinations(table: OptionTable, min_suppliers: int) -> IntArray:
    """All choices of one option or none (-1) per supplier, as rows of option indices."""
    per_supplier = [
        np.concatenate([[-1], np.flatnonzero(table.supplier == j)]).astype(np.int64)
        for j in range(table.num_suppliers)
    ]
    total = math.prod(len(p) for p in per_supplier)
    if total > MAX_COMBINATIONS:
        raise InputError(
            f"category {table.category}: {total} combinations of suppliers and price breaks "
            f"is more than the {MAX_COMBINATIONS} the exact cost game handles; "
            "merge price breaks or quote fewer suppliers"
        )
    if not per_supplier:
        return np.zeros((0, 0), dtype=np.int64)
    grids = np.meshgrid(*per_supplier, indexing="ij")
    combos: IntArray = np.stack([g.ravel() for g in grids], axis=1).astype(np.int64)
    active = (combos >= 0).sum(axis=1)
    kept: IntArray = combos[active >= max(1, min_suppliers)]
    return kept


class CategoryPricer:
    """The least-cost function of one category, with its combinations prepared once.

    Calling it prices an array of quantities. Without share caps each combination is
    interpolated over the quantities inside its range (fast for small and large batches);
    with share caps, or for the surplus rule, all combinations are filled at once in 2-D.
    """

    def __init__(self, table: OptionTable, rules: ResilienceRules) -> None:
        self.table = table
        self.rules = rules
        combos = combinations(table, rules.min_suppliers)
        self.num_combos = int(combos.shape[0])
        on = combos >= 0
        idx = np.where(on, combos, 0)
        # Per combination, supplier positions sorted by slope so the fill takes cheap first.
        slope = np.where(on, table.slope[idx], np.inf)
        order = np.argsort(slope, axis=1, kind="stable")
        on = np.take_along_axis(on, order, axis=1)
        idx = np.take_along_axis(idx, order, axis=1)
        self.slope = np.where(on, table.slope[idx], 0.0)
        self.lo = np.where(on, table.lo[idx], 0.0)
        self.width = np.where(on, table.hi[idx] - table.lo[idx], 0.0)
        self.country = np.where(on, table.country_of[table.supplier[idx]], 0)
        self.base = np.where(on, table.base[idx], 0.0).sum(axis=1)
        self.lo_sum = self.lo.sum(axis=1)
        self.no_shares = rules.max_supplier_share is None and rules.max_country_share is None

    def __call__(self, quantities: FloatArray, *, surplus: bool = True) -> FloatArray:
        """Least cost of buying each of ``quantities``; ``inf`` where it cannot be bought."""
        q = np.asarray(quantities, dtype=np.float64)
        out = np.full(q.shape, np.inf)
        out[q <= 0] = 0.0
        positive = np.flatnonzero(q > 0)
        if positive.size == 0 or self.num_combos == 0:
            return out
        qp = q[positive]
        best = self._min(qp, surplus=False)
        if surplus:
            missing = ~np.isfinite(best)
            if missing.any():
                best[missing] = self._min(qp[missing], surplus=True)
        out[positive] = best
        return out

    def _min(self, q: FloatArray, *, surplus: bool) -> FloatArray:
        if self.no_shares and not surplus:
            return _min_by_interpolation(q, self.lo_sum, self.width, self.slope, self.base)
        best = np.full(q.shape, np.inf)
        block = max(1, _BLOCK_CELLS // max(1, q.size))
        for start in range(0, self.num_combos, block):
            sl = slice(start, start + block)
            cost = _fill(
                self.rules,
                len(self.table.countries),
                q,
                self.lo[sl],
                self.width[sl],
                self.slope[sl],
                self.country[sl],
                self.base[sl],
                self.lo_sum[sl],
                surplus=surplus,
            )
            np.minimum(best, cost.min(axis=0), out=best)
        return best


def category_cost(
    table: OptionTable,
    rules: ResilienceRules,
    quantities: FloatArray,
    *,
    surplus: bool = True,
) -> FloatArray:
    """Least cost of buying each of ``quantities``; ``inf`` where it cannot be bought."""
    return CategoryPricer(table, rules)(quantities, surplus=surplus)


def _min_by_interpolation(
    q: FloatArray, lo_sum: FloatArray, width: FloatArray, slope: FloatArray, base: FloatArray
) -> FloatArray:
    """Fast path without share caps: each combination's cost is a convex piecewise-linear
    function of the quantity on ``[sum lo, sum hi]`` (knots where each option fills up), so
    it is one ``numpy.interp`` over the sorted quantities inside that interval only."""
    order = np.argsort(q, kind="stable")
    qs = q[order]
    top = float(qs[-1]) if qs.size else 0.0
    # Unlimited options are cut where no quantity asked for could reach.
    w = np.minimum(width, np.maximum(top - lo_sum, 0.0)[:, None] + 1.0)
    knots_x = lo_sum[:, None] + np.concatenate([np.zeros((w.shape[0], 1)), w.cumsum(axis=1)], 1)
    knots_y = base[:, None] + np.concatenate(
        [np.zeros((w.shape[0], 1)), (w * slope).cumsum(axis=1)], axis=1
    )
    tol = 1e-9 * max(1.0, top)
    start = np.searchsorted(qs, knots_x[:, 0] - tol, side="left")
    stop = np.searchsorted(qs, knots_x[:, -1] + tol, side="right")
    best = np.full(qs.shape, np.inf)
    for c in np.flatnonzero(stop > start):
        a, b = int(start[c]), int(stop[c])
        vals = np.interp(qs[a:b], knots_x[c], knots_y[c])
        np.minimum(best[a:b], vals, out=best[a:b])
    out = np.empty_like(best)
    out[order] = best
    return out


def _fill(
    rules: ResilienceRules,
    num_countries: int,
    q: FloatArray,
    lo: FloatArray,
    width: FloatArray,
    slope: FloatArray,
    country: IntArray,
    base: FloatArray,
    lo_sum: FloatArray,
    *,
    surplus: bool,
) -> FloatArray:
    """Greedy fill of a block of combinations (rows) on all quantities (columns)."""
    qq = np.broadcast_to(q[None, :], (lo.shape[0], q.size))
    if surplus:
        qq = np.maximum(qq, lo_sum[:, None])
    tol = 1e-9 * np.maximum(1.0, qq)
    remaining = qq - lo_sum[:, None]
    ok = remaining >= -tol
    remaining = np.maximum(remaining, 0.0)
    cost = np.broadcast_to(base[:, None], qq.shape).copy()
    s_share = rules.max_supplier_share
    c_share = rules.max_country_share
    room: FloatArray | None = None
    if c_share is not None:
        # Room left per country after the minimum quantities: (countries, combos, quantities).
        room = np.broadcast_to(c_share * qq, (num_countries, *qq.shape)).copy()
        for r in range(lo.shape[1]):
            sel = np.arange(num_countries)[:, None] == country[None, :, r]
            room -= np.where(sel[:, :, None], lo[None, :, r, None], 0.0)
        ok &= (room >= -tol[None]).all(axis=0)
    rows = np.arange(lo.shape[0])
    for r in range(lo.shape[1]):
        cap = np.broadcast_to(width[:, r, None], qq.shape)
        if s_share is not None:
            head = s_share * qq - lo[:, r, None]
            ok &= head >= -tol
            cap = np.minimum(cap, np.maximum(head, 0.0))
        if room is not None:
            cap = np.minimum(cap, np.maximum(room[country[:, r], rows, :], 0.0))
        amount = np.minimum(remaining, cap)
        remaining = remaining - amount
        cost += slope[:, r, None] * amount
        if room is not None:
            room[country[:, r], rows, :] -= amount
    ok &= remaining <= tol
    return np.where(ok, cost, np.inf)
