"""The attacker's view of a release, and the audit of every suppressed cell against it.

The attacker knows every published value, that the table adds up (all additivity relations),
that cells are >= 0 and that empty cells (0 contributors, published) are 0. For a suppressed
cell with value X, they solve ``min`` and ``max`` of the cell under those constraints. The
release is safe when every primary cell's interval reaches at least ``X - p`` and ``X + p``
(``p`` = its required protection; the lower end is capped at 0).

Published cells are substituted out, so each LP has one column per suppressed cell and only
the relations that touch one. The LP is loaded once into HiGHS; every min / max changes one
objective coefficient and re-solves warm from the previous basis.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from osatnet.errors import OsatnetError
from osatnet.optim import LinearModel, LPSession, Sense, Status

from ._table import Table

__all__ = ["AttackerLP", "Audit", "CellAudit", "audit"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Column upper bound in scaled units (the largest cell is 1): a max this high means unbounded.
# It replaces an infinite bound so that every LP has an optimum (and duals) to report.
_BIG = 1e6
# Absolute tolerance of the protection check, in scaled units: HiGHS' own feasibility
# tolerance is 1e-7, so a pattern that is exactly at the requirement must not fail by noise.
TOL = 1e-6


class AttackerLP:
    """The attacker's LP for one suppression pattern, solved for many objectives."""

    def __init__(self, table: Table, suppressed: BoolArray) -> None:
        self.scale = float(max(table.value.max(initial=0.0), 1e-300))
        self.a: FloatArray = table.value / self.scale
        hidden = np.asarray(suppressed, dtype=np.bool_) & ~table.empty
        self.cells: IntArray = np.flatnonzero(hidden).astype(np.int64)
        self.column = np.full(table.num_cells, -1, dtype=np.int64)
        self.column[self.cells] = np.arange(self.cells.size)
        relations = table.relations
        known = ~hidden
        rhs = -(relations[:, known] @ self.a[known])
        sub = sp.csr_array(relations[:, self.cells])
        self.rows: IntArray = np.flatnonzero(np.diff(sub.indptr) > 0).astype(np.int64)
        self.relations = relations
        self._session: LPSession | None = None
        if self.cells.size:
            model = LinearModel(
                c=np.zeros(self.cells.size),
                A=sub[self.rows],
                row_lo=rhs[self.rows],
                row_hi=rhs[self.rows],
                col_lo=np.zeros(self.cells.size),
                col_hi=np.full(self.cells.size, _BIG),
            )
            self._session = LPSession(model)

    def extreme(self, cell: int, maximize: bool) -> tuple[float, FloatArray, FloatArray | None]:
        """Scaled min or max of a suppressed cell, the optimal point (one value per suppressed
        cell, a table the attacker cannot rule out) and the duals of all table relations."""
        assert self._session is not None
        col = int(self.column[cell])
        if col < 0:
            raise OsatnetError(f"cell {cell} is not suppressed")
        self._session.set_objective([col], [1.0], Sense.MAXIMIZE if maximize else Sense.MINIMIZE)
        sol = self._session.run()
        if sol.status is not Status.OPTIMAL:
            # The true table is feasible and columns are bounded: only a solver failure lands
            # here. Report the widest interval the cell could have, never a safe-looking one.
            raise OsatnetError(f"attacker LP for cell {cell} failed: {sol.message}")
        duals = None
        if sol.row_duals is not None:
            duals = np.zeros(self.relations.shape[0])
            duals[self.rows] = sol.row_duals
        return float(sol.objective), sol.x, duals


class CellAudit(NamedTuple):
    cell: int
    value: float
    attacker_min: float
    attacker_max: float  # inf when the attacker finds no upper bound
    protection: float
    ok: bool


@dataclass(frozen=True, eq=False)
class Audit:
    """Attacker intervals of every suppressed cell, in table units."""

    cells: IntArray
    value: FloatArray
    attacker_min: FloatArray
    attacker_max: FloatArray
    protection: FloatArray
    passed: BoolArray
    runtime_s: float

    @property
    def ok(self) -> bool:
        return bool(self.passed.all())

    @property
    def rows(self) -> list[CellAudit]:
        return [
            CellAudit(int(c), float(v), float(lo), float(hi), float(p), bool(ok))
            for c, v, lo, hi, p, ok in zip(
                self.cells,
                self.value,
                self.attacker_min,
                self.attacker_max,
                self.protection,
                self.passed,
                strict=True,
            )
        ]

    @property
    def failures(self) -> list[CellAudit]:
        return [row for row in self.rows if not row.ok]


def protected_enough(a: FloatArray, lo: FloatArray, hi: FloatArray, need: FloatArray) -> BoolArray:
    """Scaled check: the interval reaches ``a - need`` (capped at 0) and ``a + need``."""
    low_ok = lo <= np.maximum(a - need, 0.0) + TOL
    high_ok = hi >= a + need - TOL
    return np.asarray(low_ok & high_ok, dtype=np.bool_)


def intervals(lp: AttackerLP, need: FloatArray, *, exact: bool) -> tuple[FloatArray, FloatArray]:
    """Scaled (min, max) per suppressed cell of ``lp``, exact or witnessed (see :func:`audit`).

    Cells are visited largest requirement first: their extreme points move many other cells
    far, so later cells are often proven by witnesses alone.
    """
    a = lp.a[lp.cells]
    lo, hi = a.copy(), a.copy()
    for k in np.argsort(-need, kind="stable"):
        cell = int(lp.cells[k])
        for maximize in (False, True):
            if not exact:
                if need[k] <= 0:
                    break
                done = hi[k] >= a[k] + need[k] if maximize else lo[k] <= max(a[k] - need[k], 0.0)
                if done:
                    continue
            value, point, _ = lp.extreme(cell, maximize)
            np.minimum(lo, point, out=lo)
            np.maximum(hi, point, out=hi)
            if maximize:
                hi[k] = value
            else:
                lo[k] = value
    return lo, hi


def audit(
    table: Table, suppressed: npt.ArrayLike, protection: npt.ArrayLike, *, exact: bool = True
) -> Audit:
    """Attacker interval of every suppressed cell; ``protection`` is per cell (0 = none).

    With ``exact`` every suppressed cell gets its min and max LP solved. Without it, every
    optimal point found is a table the attacker cannot rule out, so it *witnesses* a part of
    each cell's interval; a cell's LP is solved only while the witnessed interval is still too
    narrow for its protection. The verdict is the same (a witnessed interval is a proven lower
    bound on the true one), the reported intervals of cells that needed no LP are then only
    "at least this wide", and it is several times faster.

    Suppressed empty cells are skipped: they are published structural zeros.
    """
    t0 = time.perf_counter()
    mask = np.asarray(suppressed, dtype=np.bool_)
    need_all = np.broadcast_to(np.asarray(protection, dtype=np.float64), mask.shape)
    lp = AttackerLP(table, mask)
    a = lp.a[lp.cells]
    need = need_all[lp.cells] / lp.scale
    lo, hi = intervals(lp, need, exact=exact)
    passed = protected_enough(a, lo, hi, need)
    hi_out = np.where(hi >= _BIG / 2, np.inf, hi * lp.scale)
    return Audit(
        cells=lp.cells,
        value=table.value[lp.cells],
        attacker_min=np.maximum(lo, 0.0) * lp.scale,
        attacker_max=hi_out,
        protection=need_all[lp.cells].copy(),
        passed=passed,
        runtime_s=time.perf_counter() - t0,
    )
