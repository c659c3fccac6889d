"""Secondary suppression, the optimal method: Fischetti–Salazar MILP with constraint generation.

One binary ``x_i`` per cell that may be hidden (non-empty, not primary; primaries are fixed to
1, empty cells to 0); minimise ``Σ cost_i x_i``. Protection is imposed by cuts: for any dual
vector ``λ`` of the table relations and ``r = ±e_p - Mᵀλ``, every deviation ``z`` of the table
that the attacker cannot rule out satisfies ``±z_p = rᵀz ≤ Σ_i (U·max(r_i, 0) + X_i·max(-r_i,
0)) x_i`` (weak duality; ``U`` bounds how far a cell may rise, ``X_i`` how far it may fall). So

    Σ_i (U·max(r_i, 0) + X_i·max(-r_i, 0)) x_i  >=  P_p

is valid for every protected pattern. The master starts with the cuts of single relations
(``λ`` = one relation: "some other cell of each line through p must be hidden, with enough
room to move"), then loops: solve the master, run the attacker's LP for every primary cell on
its pattern, and add the cut built from the LP duals of each failing check (it is violated by
the current pattern, by strong duality). The loop ends when the pattern passes every check;
the pattern is then optimal for the cost. The safe heuristic pattern is the fallback when time
runs out (or the solver answer cannot be trusted).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from osatnet.optim import LinearModel, solve

from ._audit import TOL, AttackerLP
from ._secondary import heuristic_pattern, suppression_cost
from ._table import Table

__all__ = ["OptimalResult", "optimal_pattern"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

# How far the master lets a hidden cell rise, in scaled units (largest cell = 1). Larger is
# closer to the real attacker (who has no bound); coefficients are capped at the right-hand
# side, so a large value does not weaken the cuts.
_U = 1e3
# A witness move smaller than this (scaled units) is solver noise, not a move of the cell.
_MOVED = 1e-9


@dataclass(frozen=True)
class OptimalResult:
    suppressed: BoolArray
    optimal: bool  # False when the time ran out and a safe fallback was returned
    rounds: int
    cuts: int


@dataclass
class _Problem:
    """Scaled data of one suppression problem, the master's cuts and the witnesses found."""

    table: Table
    a: FloatArray  # cell values, largest = 1
    need: FloatArray  # required protection per cell (scaled), 0 outside primaries
    primary: BoolArray
    relations: sp.csc_array
    col: IntArray  # master column of each candidate cell, -1 elsewhere
    cut_rows: list[IntArray] = field(default_factory=list)
    cut_coefs: list[FloatArray] = field(default_factory=list)
    cut_rhs: list[float] = field(default_factory=list)
    # Deviations of the table found by attacker LPs, as (cells moved, by how much). Each one
    # stays a valid witness for every later pattern that hides all the cells it moves.
    witness_cells: list[IntArray] = field(default_factory=list)
    witness_moves: list[FloatArray] = field(default_factory=list)

    def target(self, p: int, up: bool) -> float:
        return float(self.need[p]) if up else float(min(self.need[p], self.a[p]))


def optimal_pattern(
    table: Table,
    primary: BoolArray,
    protection: FloatArray,
    *,
    time_limit: float = 30.0,
    mip_gap: float = 1e-4,
) -> OptimalResult:
    """Least-cost safe pattern (within ``mip_gap``), or a safe fallback if time runs out."""
    t_end = time.perf_counter() + time_limit
    empty = table.empty
    primary = np.asarray(primary, dtype=np.bool_) & ~empty
    scale = float(max(table.value.max(initial=0.0), 1e-300))
    need = np.asarray(protection, dtype=np.float64) / scale
    wants = np.flatnonzero(primary & (need > 0))
    if wants.size == 0:
        return OptimalResult(primary.copy(), True, 0, 0)
    cand = np.flatnonzero(~empty & ~primary)
    col = np.full(table.num_cells, -1, dtype=np.int64)
    col[cand] = np.arange(cand.size)
    prob = _Problem(
        table=table,
        a=table.value / scale,
        need=need,
        primary=primary,
        relations=sp.csc_array(table.relations),
        col=col,
    )
    cost = suppression_cost(table)[cand]
    for p in wants:
        for up in (True, False):
            for lam in _line_duals(prob.relations, int(p), up):
                _add_cut(prob, lam, int(p), up)
    rounds = 0
    while True:
        rounds += 1
        left = t_end - time.perf_counter()
        x = _solve_master(prob, cost, left, mip_gap) if left > 0 else None
        if x is None:
            fallback = heuristic_pattern(table, primary, protection)
            return OptimalResult(fallback, False, rounds - 1, len(prob.cut_rhs))
        pattern = primary.copy()
        pattern[cand[x]] = True
        if _separate(prob, pattern, wants) == 0:
            return OptimalResult(pattern, True, rounds, len(prob.cut_rhs))


def _line_duals(relations: sp.csc_array, p: int, up: bool) -> list[FloatArray]:
    """One λ per relation through ``p``: the unit vector making ``r_p = 0``."""
    start, stop = relations.indptr[p], relations.indptr[p + 1]
    out = []
    sign = 1.0 if up else -1.0
    for row, coef in zip(relations.indices[start:stop], relations.data[start:stop], strict=True):
        lam = np.zeros(relations.shape[0])
        lam[row] = sign / coef
        out.append(lam)
    return out


def _cut_terms(prob: _Problem, lam: FloatArray, p: int, up: bool) -> FloatArray:
    """Coefficient of every cell in the cut built from ``λ``."""
    r = -(prob.relations.T @ lam)
    r[p] += 1.0 if up else -1.0
    return np.asarray(_U * np.maximum(r, 0.0) + prob.a * np.maximum(-r, 0.0), dtype=np.float64)


def _add_cut(prob: _Problem, lam: FloatArray, p: int, up: bool) -> None:
    coef = _cut_terms(prob, lam, p, up)
    rhs = prob.target(p, up) - float(coef[prob.primary].sum())
    if rhs <= TOL:
        return  # met by the primary cells alone
    cells = np.flatnonzero((prob.col >= 0) & (coef > 0))
    # Coefficient strengthening: for binaries, a term above the right-hand side counts as it.
    prob.cut_rows.append(prob.col[cells])
    prob.cut_coefs.append(np.minimum(coef[cells], rhs))
    prob.cut_rhs.append(rhs)


def _solve_master(
    prob: _Problem, cost: FloatArray, left: float, mip_gap: float
) -> BoolArray | None:
    """Optimal binaries of the master, or None without a proven optimum.

    No starting incumbent is passed: the heuristic pattern is usually far from optimal (it
    does not help pruning), and with one HiGHS 1.16 was seen to return the start point as
    "optimal" with the objective value of another point. The answer is checked for that.
    """
    m, n = len(prob.cut_rhs), cost.size
    indptr = np.cumsum([0, *(r.size for r in prob.cut_rows)])
    data = np.concatenate([np.zeros(0), *prob.cut_coefs])
    index = np.concatenate([np.zeros(0, dtype=np.int64), *prob.cut_rows])
    model = LinearModel(
        c=cost,
        A=sp.csr_array((data, index, indptr), shape=(m, n)),
        row_lo=np.asarray(prob.cut_rhs),
        row_hi=np.full(m, np.inf),
        col_lo=np.zeros(n),
        col_hi=np.ones(n),
        integrality=np.ones(n, dtype=np.bool_),
    )
    sol = solve(model, time_limit=left, mip_gap=mip_gap)
    if not sol.status.has_solution or sol.gap > mip_gap + 1e-9:
        return None
    x = np.asarray(sol.x > 0.5, dtype=np.bool_)
    consistent = abs(float(cost[x].sum()) - sol.objective) <= 1e-6 * max(1.0, abs(sol.objective))
    if not consistent or model.max_violation(x.astype(np.float64)) > 1e-6:
        return None
    return x


def _witnessed(prob: _Problem, pattern: BoolArray) -> tuple[FloatArray, FloatArray]:
    """Per cell, the lowest and highest value shown by stored deviations valid for ``pattern``."""
    lo, hi = prob.a.copy(), prob.a.copy()
    for cells, moves in zip(prob.witness_cells, prob.witness_moves, strict=True):
        if pattern[cells].all():
            np.minimum.at(lo, cells, prob.a[cells] + moves)
            np.maximum.at(hi, cells, prob.a[cells] + moves)
    return lo, hi


def _separate(prob: _Problem, pattern: BoolArray, wants: IntArray) -> int:
    """Check every requirement on ``pattern`` with the attacker's LP; add a cut per failure.

    Requirements already met by a stored witness need no LP: most primary cells are protected
    by other primary cells alone, and those witnesses hold in every round.
    """
    lp = AttackerLP(prob.table, pattern)
    lo, hi = _witnessed(prob, pattern)
    a = prob.a
    added = 0
    for p in wants[np.argsort(-prob.need[wants], kind="stable")]:
        for up in (True, False):
            target = prob.target(int(p), up)
            if (hi[p] >= a[p] + target - TOL) if up else (lo[p] <= a[p] - target + TOL):
                continue
            value, point, duals = lp.extreme(int(p), maximize=up)
            moves = point - a[lp.cells]
            moved = np.abs(moves) > _MOVED
            prob.witness_cells.append(lp.cells[moved])
            prob.witness_moves.append(moves[moved])
            np.minimum.at(lo, lp.cells, point)
            np.maximum.at(hi, lp.cells, point)
            reach = value - a[p] if up else a[p] - value
            if reach >= target - TOL:
                continue
            before = len(prob.cut_rhs)
            if duals is not None:
                for lam in (duals, -duals):
                    coef = _cut_terms(prob, lam, int(p), up)
                    if float(coef[pattern].sum()) < target - TOL:
                        _add_cut(prob, lam, int(p), up)
                        break
            others = np.flatnonzero(prob.col >= 0)
            others = others[~pattern[others]]
            if len(prob.cut_rhs) == before and others.size:
                # No violated dual cut (numerical trouble): forbid this pattern and all of its
                # subsets, which are no safer: "hide at least one more cell".
                prob.cut_rows.append(prob.col[others])
                prob.cut_coefs.append(np.ones(others.size))
                prob.cut_rhs.append(1.0)
            added += 1
    return added
