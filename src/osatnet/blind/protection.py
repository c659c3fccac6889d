"""Blind mode's check that every withheld primary cell keeps the firewall's protection.

The value-free pattern (:func:`.layout.value_free_pattern`) only proves that no withheld cell
is a linear function of the published ones. The firewall promises more (``sdc.audit``): for
every primary cell ``c`` of value ``X_c`` the attacker's LP (published cells, additivity,
cells ≥ 0, cells without records are 0) cannot narrow ``c`` past ``X_c·(1 ± q)``,
``q = protection_pct / 100``.

That LP needs no secret: only the published sums and the layout. So the nodes

1. reveal the **sums** of the cells the value-free pattern publishes (counts come later, for
   the final pattern only);
2. each solve, in the clear, every withheld primary cell's ``[lo, hi]`` (sdc's
   :class:`~osatnet.vault.sdc.AttackerLP`), encode the bounds as public fixed-point
   integers and check that all three nodes got the same (HiGHS runs on each);
3. check securely ``(100 - pct)·X_c ≥ 100·lo`` and ``100·hi ≥ (100 + pct)·X_c`` (integer
   coefficients: exact in fixed point; sdc's 1e-6 tolerance on the bounds) and reveal **one
   bit per checked cell**, "protected";
4. where a cell is not protected, withhold more cells, chosen in the clear from the sums
   already revealed (:meth:`Guard._widen`: usually one cell of its lines), and check that
   cell again (withholding more only widens intervals, so cells that passed stay protected).
   If nothing is left to add, every non-empty cell is withheld: the whole table can then
   scale by ``1 ± q``, always protected.

Step 4 is the one leak beyond the release: the cells it withholds had their sums revealed to
the three nodes in step 1 (not to the public or the members), and with those sums the nodes
can narrow the cell that failed. It happens only where the value-free pattern is not enough.

Why not decide everything before revealing a sum: a check that needs no published sum can
only prove protection by exhibiting attacker tables (deviations), one per cell; that misses
the LP's combinations of several and, measured on dense tables, ends up withholding every
cell in tables whose value-free pattern the exact LP passes. ``docs/firewall.md``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import InputError, OsatnetError
from ..vault.sdc import AttackerLP, DisclosureRules, Table, build_table
from .field import MAX_ABS_VALUE, ONE, comparison_bits
from .layout import Layout

__all__ = ["Check", "Guard", "protect_withheld"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
ObjArray = npt.NDArray[np.object_]

# The attacker-bound tolerance of sdc.audit, relative to the largest published sum: a cell
# exactly at its requirement must not fail by solver noise, nor here by a different rule.
TOL = 1e-6


@dataclass(frozen=True, eq=False)
class Check:
    """One round: cell ``cells[k]`` of secret fixed-point sum ``V`` is protected iff
    ``(100 - pct)·V ≥ 100·low[k]`` and, unless ``high[k]`` is None (no upper bound worth a
    comparison), ``100·high[k] ≥ (100 + pct)·V``. Bounds are fixed-point integers."""

    cells: IntArray
    low: tuple[int, ...]
    high: tuple[int | None, ...]


def public_table(layout: Layout, figures: FloatArray, dominance_n: int) -> Table:
    """The attacker's table: the layout's cells and relations, the revealed sums as values.

    Cells without records are the structural zeros everybody knows; the values of withheld
    cells are unknown here and set to 0 (the attacker's LP never reads them).
    """
    columns: dict[str, list[str | float]] = {
        "contributor": list(layout.members),
        "value": [1.0] * len(layout.members),
        **{d: [c[i] for c in layout.coords] for i, d in enumerate(layout.dims)},
    }
    proxy = build_table(columns, layout.dims, dominance_n=dominance_n)
    if proxy.shape != layout.shape:
        raise InputError("proxy table and layout disagree")  # same sorting: cannot happen
    return dataclasses.replace(proxy, value=np.asarray(figures, dtype=np.float64))


class Guard:
    """The clear-text side, identical on every node: attacker bounds and the pattern's growth.

    ``figures`` holds the revealed sum of every cell ``withheld`` publishes (anything
    elsewhere). Alternate :meth:`propose` (None: every primary cell is protected) and
    :meth:`settle` with the revealed bits.
    """

    def __init__(
        self, layout: Layout, passing: BoolArray, withheld: BoolArray, figures: FloatArray,
        rules: DisclosureRules,
    ) -> None:  # fmt: skip
        self.pct = whole_percent(rules)
        self.q = self.pct / 100
        self.table = public_table(layout, figures, rules.dominance_n)
        self.empty: BoolArray = self.table.empty
        self.withheld: BoolArray = np.asarray(withheld, dtype=np.bool_) & ~self.empty
        primary = ~np.asarray(passing, dtype=np.bool_) & ~self.empty
        if np.any(primary & ~self.withheld):
            raise InputError("a primary cell is not withheld")
        self.pending: IntArray = np.flatnonzero(primary).astype(np.int64)
        self.rounds = 0
        # Public upper bound of each cell's sum: its records × the input cap the clients
        # enforce. An attacker maximum past (1 + q) × that needs no comparison.
        records = np.bincount(layout.record_cells.reshape(-1), minlength=layout.num_cells)
        self.cap: FloatArray = records.astype(np.float64) * float(MAX_ABS_VALUE)
        self.tol = TOL * float(np.max(figures, initial=0.0))
        self._last: dict[int, tuple[float, float]] = {}

    def propose(self) -> Check | None:
        if self.pct == 0 or self.pending.size == 0:
            return None
        if self.tol == 0:
            # Only zeros published: the relations' right-hand sides are 0, so t × the true
            # table is feasible for every t >= 0 and every cell is protected. (sdc's LP would
            # scale by the largest published sum, 0, and cap every cell at nothing.)
            self.pending = np.zeros(0, dtype=np.int64)
            return None
        bounds = self._bounds(self.withheld, self.pending)
        if bounds is None:
            self._withhold_all()
            return None
        low: list[int] = []
        high: list[int | None] = []
        for cell, lo, hi in zip(self.pending, *bounds, strict=True):
            self._last[int(cell)] = (lo, hi)
            # lo <= the cell's value <= its cap; clamping keeps the comparison in range.
            low.append(round((min(lo, self.cap[cell]) - self.tol) * ONE))
            beyond = hi >= (1 + self.q) * self.cap[cell]
            high.append(None if beyond else round((hi + self.tol) * ONE))
        self.rounds += 1
        return Check(self.pending.copy(), tuple(low), tuple(high))

    def settle(self, protected: BoolArray) -> None:
        """Keep the failed cells pending and widen their intervals (:meth:`_widen`)."""
        ok = np.asarray(protected, dtype=np.bool_)
        if ok.shape != self.pending.shape:
            raise InputError("one bit per checked cell expected")
        self.pending = self.pending[~ok]
        for cell in self.pending:
            self._widen(int(cell))
        if not np.any(~self.empty & ~self.withheld):
            self.pending = np.zeros(0, dtype=np.int64)  # see _withhold_all

    def _bounds(self, withheld: BoolArray, cells: IntArray) -> tuple[list[float], ...] | None:
        """The attacker's min and max of ``cells`` (table units), None if HiGHS fails.

        sdc's LP caps every cell at 1e6 × the largest published sum: a restriction of the
        attacker's LP, so its min is >= the true min and its max <= the true max.
        """
        try:
            lp = AttackerLP(self.table, withheld)
            lo = [lp.extreme(int(c), maximize=False)[0] * lp.scale for c in cells]
            hi = [lp.extreme(int(c), maximize=True)[0] * lp.scale for c in cells]
        except OsatnetError:
            return None
        return lo, hi

    def _widen(self, cell: int) -> None:
        """Withhold published cells one at a time, each time the one that brings the
        attacker's interval of ``cell`` closest to ``[(1 - q)·lo, (1 + q)·hi]`` (``lo``,
        ``hi``: the interval that failed, so this target protects any value the cell can
        have); ties: the smaller published sum, then cell order. Cells of ``cell``'s lines
        (differing from it in one coordinate) first, then any.

        It reads only the published sums the nodes already hold; the secure re-check decides.
        No single cell helps any more: its whole lines, or if none is left, every cell.
        """
        lo, hi = self._last[cell]
        goal = ((1 - self.q) * lo, (1 + self.q) * hi)
        coords = self.table.coords
        line = (np.sum(coords != coords[cell], axis=1) == 1) & ~self.empty
        short = self._shortfall(self.withheld, cell, goal)
        for pool in (line, ~self.empty):
            while short > self.tol:
                options = []
                for c in np.flatnonzero(pool & ~self.withheld):
                    trial = self.withheld.copy()
                    trial[c] = True
                    options.append((self._shortfall(trial, cell, goal), self.table.value[c], c))
                best = min(options, default=None)
                if best is None or best[0] >= short - self.tol:
                    break
                self.withheld[best[2]] = True
                short = best[0]
        if short <= self.tol:
            return
        if np.any(line & ~self.withheld):
            self.withheld = self.withheld | line
        else:
            self._withhold_all()

    def _shortfall(self, withheld: BoolArray, cell: int, goal: tuple[float, float]) -> float:
        bounds = self._bounds(withheld, np.array([cell], dtype=np.int64))
        if bounds is None:
            return float("inf")
        (lo,), (hi,) = bounds
        return max(lo - goal[0], 0.0) + max(goal[1] - hi, 0.0)

    def _withhold_all(self) -> None:
        # Every non-empty cell withheld: the deviation ±q × the whole table keeps every
        # relation and every cell >= 0, so every cell is protected without a check.
        self.withheld = ~self.empty
        self.pending = np.zeros(0, dtype=np.int64)


def whole_percent(rules: DisclosureRules) -> int:
    # An integer coefficient keeps the secure comparisons exact in fixed point.
    pct = rules.protection_pct
    if pct != int(pct):
        raise InputError(f"blind mode takes a whole-number protection %, got {pct:g}")
    return int(pct)


def _digest(mask: BoolArray) -> str:
    return hashlib.sha256(np.packbits(mask).tobytes()).hexdigest()


def _agreed(mine: Check, everyone: list[Any], tol: int) -> Check:
    """Node 0's bounds, once every node holds the same pattern and bounds within ``tol`` of
    node 0's. Each node runs HiGHS itself (nothing here is sent but these integers), and
    MPyC would silently garble a comparison whose public constant differs between nodes."""

    def close(a: int | None, b: int | None) -> bool:
        return a is b is None or (a is not None and b is not None and abs(a - b) <= tol)

    pattern0, low0, high0 = everyone[0]
    for pattern, low, high in everyone:
        same = pattern == pattern0 and len(low) == len(low0) and len(high) == len(high0)
        if not same or not all(map(close, [*low, *high], [*low0, *high0])):
            raise OsatnetError("the nodes' patterns or attacker bounds differ; stopping")
    return Check(mine.cells, tuple(low0), tuple(high0))


def _protected(rt: Any, secfxp: Any, sums: ObjArray, check: Check, pct: int, bits: int) -> Any:
    """Secure 0/1 per checked cell, from this node's shares of the cells' sums."""
    p = int(secfxp.field.modulus)
    v = sums[check.cells]
    upper = [k for k, h in enumerate(check.high) if h is not None]
    # A public constant subtracted from every node's share is a share of the difference.
    below = [((100 - pct) * int(s) - 100 * lo) % p for s, lo in zip(v, check.low, strict=True)]
    above = [(100 * int(check.high[k] or 0) - (100 + pct) * int(v[k])) % p for k in upper]
    diffs = secfxp.array(secfxp.field.array(np.array(below + above, dtype=object)), integral=False)
    ok = 1 - rt.np_sgn(diffs, l=bits, LT=True)  # integral 0/1: products need no truncation
    n = check.cells.size
    pair = np.full((n, 2), len(below) + len(above), dtype=np.int64)  # → the constant 1
    pair[:, 0] = np.arange(n)
    pair[upper, 1] = n + np.arange(len(upper))
    padded = rt.np_concatenate((ok, secfxp.array(np.ones(1), integral=True)))
    return rt.np_all(padded[pair], axis=1)


async def protect_withheld(
    rt: Any, secfxp: Any, layout: Layout, sums: ObjArray, passing: BoolArray,
    withheld: BoolArray, rules: DisclosureRules,
) -> tuple[BoolArray, FloatArray, int]:  # fmt: skip
    """The final withheld cells, the revealed sums (valid where published at first) and
    the number of protection bits opened.

    ``sums`` are this node's shares of the cells' sums. Reveals the sums of the cells
    ``withheld`` publishes, then one bit per checked cell and round.
    """
    start = np.asarray(withheld, dtype=np.bool_)
    # The value-free pattern is derived (by HiGHS) on every node, never sent: check it agrees
    # before revealing anything that depends on it.
    if len(set(await rt.transfer(_digest(start)))) != 1:
        raise OsatnetError("the nodes derived different value-free patterns; nothing revealed")
    figures = np.zeros(layout.num_cells)
    shown = np.flatnonzero(~start)
    if shown.size:
        field = secfxp.field
        out = await rt.output(secfxp.array(field.array(sums[shown]), integral=False))
        figures[shown] = np.asarray(out, dtype=np.float64)
    guard = Guard(layout, passing, start, figures, rules)
    # |(100 ± pct)·X - 100·bound| <= 2·(100 + pct) × (records in the table) × the input cap.
    records = len(layout.members)
    bits = comparison_bits(2 * (100 + guard.pct) * records * int(MAX_ABS_VALUE) * ONE)
    tol = max(round(guard.tol * ONE), 1)
    opened = 0
    while (check := guard.propose()) is not None:
        mine = (_digest(guard.withheld), check.low, check.high)
        check = _agreed(check, await rt.transfer(mine), tol)
        bit = np.asarray(await rt.output(_protected(rt, secfxp, sums, check, guard.pct, bits)))
        opened += bit.size
        guard.settle(bit.astype(np.float64) > 0.5)
    # The last growth (or a solver failure: withhold everything) was not compared yet.
    if len(set(await rt.transfer(_digest(guard.withheld)))) != 1:
        raise OsatnetError("the nodes' final patterns differ; nothing more revealed")
    return guard.withheld, figures, opened
