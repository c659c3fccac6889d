"""Secondary suppression, the fast heuristic: a protecting deviation per primary cell.

For a primary cell ``p`` that must be protected by ``P``, the attacker can reach ``X_p + P``
exactly when some deviation ``z`` of the table with ``z_p = P`` keeps every relation
(``M z = 0``), keeps cells >= 0 (``z_i >= -X_i``) and is zero on published cells. The
heuristic picks such a ``z`` for each primary cell (largest first) and hides every cell it
moves. ``z`` then proves the protection, and hiding more cells later only widens intervals,
so the pattern is safe by construction; the final audit re-checks it with the attacker's LP.

The deviation is first sought as the cheapest *hypercube* (tau-ARGUS' hypercube method): one
partner level per dimension, 2^n corners moved by ``±P``, every corner large enough; cells
already hidden cost nothing. Where no hypercube fits (sparse or skewed surroundings), an LP
finds the least-cost deviation of any shape, one direction at a time, on one LP kept warm in
HiGHS. Requirements already met by an earlier deviation (a *witness*) are skipped.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from osatnet.optim import LinearModel, LPSession, Status

from ._table import Table

__all__ = ["COST_PER_CELL", "heuristic_pattern", "suppression_cost"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Added to each cell's value in the suppression cost, as a share of the largest cell (the
# grand total): information lost is the value hidden, and this small constant makes a pattern
# with fewer cells win among patterns of (nearly) equal value.
COST_PER_CELL = 1e-3
# Cost per unit deviation of a cell that is already suppressed: tiny but positive, so the LP
# prefers short cycles through hidden cells and never wanders for free.
_FREE = 1e-6
# A deviation this small (scaled units) is solver noise, not a use of the cell.
_USED = 1e-9


def suppression_cost(table: Table) -> FloatArray:
    """Cost of suppressing each cell, scaled so the largest cell is worth 1 (plus the constant)."""
    scale = float(max(table.value.max(initial=0.0), 1e-300))
    return np.asarray(table.value / scale + COST_PER_CELL, dtype=np.float64)


def _upper_bound(a: FloatArray) -> float:
    """A-priori bound on how far the attacker lets a cell rise (scaled units).

    Any finite bound keeps the heuristic safe (its deviation is a real witness); a large one
    keeps it from missing patterns. Ten times the grand total is far more than any protection.
    """
    return 10.0 * max(float(a.max(initial=0.0)), 1.0)


def heuristic_pattern(
    table: Table,
    primary: BoolArray,
    protection: FloatArray,
    *,
    start: BoolArray | None = None,
) -> BoolArray:
    """A safe suppression pattern containing ``primary`` (and ``start``, if given)."""
    empty = table.empty
    suppressed = (np.asarray(primary, dtype=np.bool_) | _mask_or_false(start, primary)) & ~empty
    scale = float(max(table.value.max(initial=0.0), 1e-300))
    a = table.value / scale
    need = np.asarray(protection, dtype=np.float64) / scale
    cost = suppression_cost(table)
    # Witnessed deviations (scaled) each cell can already make, up and down, with the cells
    # suppressed so far: a requirement already met needs no more work.
    reach_up = np.zeros(table.num_cells)
    reach_down = np.zeros(table.num_cells)
    order = np.flatnonzero(suppressed & primary & (need > 0))
    order = order[np.argsort(-need[order], kind="stable")]
    lp: _DeviationLP | None = None
    for cell in order:
        target = float(need[cell])
        if reach_up[cell] >= target and reach_down[cell] >= min(target, a[cell]):
            continue
        z = _hypercube(table, int(cell), target, a, np.where(suppressed, 0.0, cost))
        if z is not None:
            suppressed[z != 0] = True
            _record_witness(z, a, reach_up, reach_down)
            _record_witness(-z, a, reach_up, reach_down)
            continue
        # No hypercube has room enough (sparse or skewed surroundings): the LP finds a
        # deviation of any shape, one direction at a time.
        lp = lp or _DeviationLP(table, a, cost)
        for up in (True, False):
            goal = target if up else min(target, a[cell])
            if (reach_up[cell] if up else reach_down[cell]) >= goal:
                continue
            z = lp.cheapest(int(cell), goal, up, suppressed)
            if z is None:
                # Cannot happen (moving the whole table by a factor is always feasible), but
                # a failed solve must not weaken the release: hide every non-empty cell.
                return ~empty
            suppressed[np.abs(z) > _USED] = True
            _record_witness(z, a, reach_up, reach_down)
    return suppressed


def _hypercube(
    table: Table, cell: int, target: float, a: FloatArray, cost: FloatArray
) -> FloatArray | None:
    """Cheapest hypercube through ``cell`` whose corners can all move by ``target``.

    Per dimension, one partner level ``j_d`` besides the cell's own ``i_d``; the 2^n corners
    move by ``±target``: the product over dimensions of ``(e_i - e_j)`` (or ``(e_i + e_j)``
    when one of the two is TOTAL) keeps every relation, the sign flipping the whole move
    gives the other direction. Every corner except ``cell`` must hold at least ``target``
    (cells cannot go below 0). Returns the upward deviation, or None when no hypercube fits.
    """
    shape = table.shape
    n = len(shape)
    own = np.unravel_index(cell, shape)
    strides = np.array([int(np.prod(shape[d + 1 :])) for d in range(n)], dtype=np.int64)
    partners = [np.delete(np.arange(size), int(own[d])) for d, size in enumerate(shape)]
    if any(p.size == 0 for p in partners):
        return None  # a dimension with one level only: no partner, the LP handles it
    blocked = np.where(a >= target - 1e-12, cost, np.inf)
    blocked[cell] = 0.0
    total = np.zeros(tuple(p.size for p in partners))
    corner_index = []
    for mask in product((False, True), repeat=n):
        idx = np.zeros(total.shape, dtype=np.int64)
        for d in range(n):
            level = partners[d] if mask[d] else np.array([int(own[d])])
            view = [1] * n
            view[d] = level.size
            idx = idx + (strides[d] * level).reshape(view)
        corner_index.append((mask, idx))
        total = total + blocked[idx]
    best = int(np.argmin(total))
    if not np.isfinite(total.flat[best]):
        return None
    z = np.zeros(table.num_cells)
    chosen = np.unravel_index(best, total.shape)
    for mask, idx in corner_index:
        # Sign: one flip per dimension where both levels are ordinary (not TOTAL).
        flips = sum(
            1
            for d in range(n)
            if mask[d]
            and int(own[d]) != shape[d] - 1
            and int(partners[d][chosen[d]]) != shape[d] - 1
        )
        z[int(idx[chosen])] = target * (-1.0) ** flips
    return z


class _DeviationLP:
    """The least-cost deviation LP over non-empty cells, kept warm in one HiGHS instance."""

    def __init__(self, table: Table, a: FloatArray, cost: FloatArray) -> None:
        self.cells = np.flatnonzero(~table.empty)
        m = self.cells.size
        self.col = np.full(table.num_cells, -1, dtype=np.int64)
        self.col[self.cells] = np.arange(m)
        sub = sp.csr_array(table.relations[:, self.cells])
        sub = sub[np.flatnonzero(np.diff(sub.indptr) > 0)]
        self.big = _upper_bound(a)
        self.a = a
        self.cost = cost[self.cells]
        self.num_cells = table.num_cells
        model = LinearModel(
            c=np.zeros(2 * m),
            A=sp.hstack([sub, -sub], format="csr"),
            row_lo=np.zeros(sub.shape[0]),
            row_hi=np.zeros(sub.shape[0]),
            col_lo=np.zeros(2 * m),
            col_hi=np.concatenate([np.full(m, self.big), a[self.cells]]),
        )
        self.session = LPSession(model)

    def cheapest(
        self, cell: int, goal: float, up: bool, suppressed: BoolArray
    ) -> FloatArray | None:
        """Least-cost deviation moving ``cell`` by ``goal`` up or down (full-table vector)."""
        m = self.cells.size
        k = int(self.col[cell])
        unit = np.where(suppressed[self.cells], _FREE, self.cost)
        self.session.set_objective(np.arange(2 * m), np.concatenate([unit, unit]))
        lo_hi = (goal, goal, 0.0, 0.0) if up else (0.0, 0.0, goal, goal)
        self.session.set_col_bounds([k, k + m], lo_hi[0::2], lo_hi[1::2])
        sol = self.session.run()
        self.session.set_col_bounds([k, k + m], [0.0, 0.0], [self.big, self.a[cell]])
        if sol.status is not Status.OPTIMAL:
            return None
        z = np.zeros(self.num_cells)
        z[self.cells] = sol.x[:m] - sol.x[m:]
        return z


def _record_witness(
    z: FloatArray, a: FloatArray, reach_up: FloatArray, reach_down: FloatArray
) -> None:
    """Raise each cell's witnessed reach by what deviation ``t·z`` (0 <= t <= t_max) shows.

    ``z`` moves hidden cells only and keeps every relation, so ``t·z`` does too for any
    ``t >= 0``; cells must stay >= 0, which bounds ``t`` by the cells ``z`` lowers.
    """
    falling = z < -_USED
    t_max = float(min((a[falling] / -z[falling]).min(initial=np.inf), 1e6))
    np.maximum(reach_up, np.maximum(z, 0.0) * t_max * (1 - 1e-9), out=reach_up)
    np.maximum(reach_down, np.maximum(-z, 0.0) * t_max * (1 - 1e-9), out=reach_down)


def _mask_or_false(mask: BoolArray | None, like: BoolArray) -> BoolArray:
    if mask is None:
        return np.zeros_like(like, dtype=np.bool_)
    return np.asarray(mask, dtype=np.bool_)
