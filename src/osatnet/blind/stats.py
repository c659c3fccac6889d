"""Mean and quartiles of the published cells, computed on shares.

The semantics are the operator-trusted release's (``vault._cellstats.statistic`` over
``cell_contributions``, as ``Releases`` publishes them): a cell's statistic is taken over
**every member with a record in the cell, zero values included**, each member one
contribution — the sum of its records there, or their mean for rates and unit costs
(``vault.releases._intensive``). Quartiles are numpy's default ``linear`` percentiles; a cell
without any member gets 0.

What is public: which cells are published (``~withheld``), and from the metadata the number
``n`` of members in each cell and of records behind each contribution. So the positions of
the order statistics a quartile interpolates are public, and so is the mean's divisor ``n``:

* **mean**, additive measures: the revealed sum / ``n``; nothing more is revealed.
* **mean**, intensive measures: each contribution of ``k > 1`` records is its sum times
  ``round(2**T / k)`` (local) then securely truncated by ``T`` bits; the cell's sum of
  contributions is opened, divided by ``n`` in the clear.
* **quartiles**: cells are grouped by ``n``; each group is one secure ``(cells, n)`` matrix,
  sorted row-wise by Batcher's merge-exchange network (per comparator one secure comparison
  bounded by the public maximum of a contribution, and one secure product), all comparators
  of a round and all cells of a group in one call, all groups concurrently. A percentile's
  interpolation weights are multiples of 1/4, so ``4 × quartile`` is an integer combination of
  the sorted row: only that figure is opened, never the order statistics it interpolates.

A published cell whose revealed contributor count is 0 holds only zero values (the clients
refuse negative values): its statistics are 0 without any secure work. Nothing is computed or
opened for a withheld cell.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..vault.releases import _intensive
from .field import MAX_ABS_VALUE, ONE, comparison_bits
from .job import BlindJob
from .layout import Layout

if TYPE_CHECKING:  # protocol imports this module
    from .protocol import Revealed

__all__ = [
    "QUARTILES",
    "cell_groups",
    "merge_exchange",
    "pruned",
    "published_stats",
    "quantile_weights",
]

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]

QUARTILES = {"p25": 0.25, "median": 0.5, "p75": 0.75}
_SCALE = 4  # every linear-percentile weight (n - 1)·q − ⌊…⌋ is a multiple of 1/4
# Precision of 1/k for intensive contributions (relative error 2**-49). The truncated product
# must stay below the field's modulus by MPyC's statistical margin: 57 + 48 + 2 + 30 < 144.
_DIVISION_BITS = 48


def merge_exchange(n: int) -> list[tuple[IntArray, IntArray]]:
    """Batcher's merge-exchange sorting network for ``n`` keys (Knuth, TAOCP 5.2.2 M).

    Rounds of disjoint comparators ``(i, j)``, ``i < j``: after all of them, position ``i``
    holds the smaller key. The same network as MPyC's ``np_sort``, listed so that every
    comparison can be bounded (MPyC's compares at full width).
    """
    rounds: list[tuple[IntArray, IntArray]] = []
    if n < 2:
        return rounds
    t = (n - 1).bit_length()
    p = 1 << (t - 1)
    while p:
        d, q, r = p, 1 << (t - 1), 0
        while d:
            low = np.array([i for i in range(n - d) if i & p == r], dtype=np.int64)
            if low.size:
                rounds.append((low, low + d))
            d, q, r = q - p, q >> 1, p
        p >>= 1
    return rounds


def pruned(
    network: list[tuple[IntArray, IntArray]], needed: set[int]
) -> list[tuple[IntArray, IntArray]]:
    """``network`` without the comparators that cannot change the ``needed`` outputs.

    Backwards from the outputs: a comparator is kept when one of its outputs is needed,
    and then both its inputs are (a quartile needs at most six positions: about 10% fewer
    comparisons at 30 members).
    """
    out = []
    want = set(needed)
    for low, high in reversed(network):
        keep = np.array([a in want or b in want for a, b in zip(low, high, strict=True)], bool)
        if keep.any():
            want |= set(low[keep].tolist()) | set(high[keep].tolist())
            out.append((low[keep], high[keep]))
    return out[::-1]


def quantile_weights(n: int, q: float) -> IntArray:
    """Integer weights ``w`` with ``w · sorted / 4`` = numpy's linear percentile ``q``."""
    h = (n - 1) * q
    lo = int(np.floor(h))
    frac = round((h - lo) * _SCALE)  # exact: (n - 1)·q is a multiple of 1/4
    w = np.zeros(n, dtype=np.int64)
    w[lo] = _SCALE - frac
    if frac:
        w[lo + 1] = frac
    return w


def cell_groups(pair_cell: IntArray, cells: IntArray) -> list[tuple[int, IntArray, IntArray]]:
    """``cells`` (those with at least one member) grouped by their number of members ``n``:
    ``(n, cells, (cells, n) matrix of their (member, cell) pair numbers)``."""
    order = np.argsort(pair_cell, kind="stable")
    starts = np.searchsorted(pair_cell[order], cells, side="left")
    ends = np.searchsorted(pair_cell[order], cells, side="right")
    sizes = ends - starts
    out = []
    for n in sorted(set(sizes.tolist()) - {0}):
        chosen = np.flatnonzero(sizes == n)
        matrix = np.stack([order[starts[c] : ends[c]] for c in chosen]).astype(np.int64)
        out.append((int(n), cells[chosen].astype(np.int64), matrix))
    return out


def _weights(n: int, stat: str) -> IntArray:
    # The mean's: the row's sum (sorted or not), × 4 like the quartiles'.
    return (
        np.full(n, _SCALE, dtype=np.int64)
        if stat == "mean"
        else quantile_weights(n, QUARTILES[stat])
    )


def _records(layout: Layout) -> IntArray:
    """Number of records behind every (member, cell) pair (public metadata)."""
    counts = np.bincount(layout.record_pairs.reshape(-1), minlength=layout.pair_cell.size)
    return np.asarray(counts, dtype=np.int64)


def _sorted_rows(rt: Any, m: Any, n: int, bits: int, needed: set[int]) -> Any:
    """``m`` with every row's ``needed`` positions as in the sorted row (secure; batched over
    rows and comparators)."""
    for low, high in pruned(merge_exchange(n), needed):
        a, b = m[:, low], m[:, high]
        diff = b - a
        # swap where b < a: MPyC told the public range of b - a; the 0/1 result is integral,
        # so the product needs no truncation and the sort permutes the values exactly.
        h = rt.np_sgn(diff, l=bits, LT=True) * diff
        m = rt.np_update(m, (..., low), a + h)
        m = rt.np_update(m, (..., high), b - h)
    return m


async def _mean_contributions(
    rt: Any, secfxp: Any, layout: Layout, pair_values: ObjArray, pairs: IntArray
) -> ObjArray:
    """Shares of each member's mean over its records, for intensive measures.

    A member's sum of ``k`` records times ``round(2**T / k)`` (a public integer: local), then
    one secure truncation by ``T`` bits, batched over every pair with ``k > 1``.
    """
    p = int(secfxp.field.modulus)
    k = _records(layout)
    out = pair_values.copy()
    several = pairs[k[pairs] > 1]
    if several.size == 0:
        return out
    # round(2**T / k) in integers (a float would lose the last bits of 2**48 / k)
    factor = np.array([((1 << _DIVISION_BITS) + x // 2) // x for x in k[several].tolist()], object)
    scaled = secfxp.array(secfxp.field.array(pair_values[several] * factor % p), integral=False)
    # |sum × factor| < 2**(bits of the input cap + T) with a bit of slack and the sign.
    width = int(MAX_ABS_VALUE * ONE).bit_length() + _DIVISION_BITS + 2
    means = rt.np_trunc(scaled, f=_DIVISION_BITS, l=width)
    out[several] = np.asarray((await rt.gather(means)).value, dtype=object)
    return out


async def published_stats(
    rt: Any, secfxp: Any, layout: Layout, values: ObjArray, job: BlindJob, revealed: Revealed
) -> Revealed:
    """``revealed`` with ``stats`` filled for every statistic ``job.stats`` asks beyond sum and
    count, for the cells published in the end (``~revealed.withheld``) only."""
    wanted = [s for s in job.stats if s == "mean" or s in QUARTILES]
    if not wanted:
        return revealed
    intensive = _intensive(job.measure)
    cells = np.flatnonzero(~np.asarray(revealed.withheld, dtype=np.bool_))
    members = np.bincount(layout.pair_cell, minlength=layout.num_cells)
    stats: dict[str, dict[int, float]] = {s: {} for s in wanted}
    # Known without secure work: no member (0, as the operator-trusted release gives), or
    # only zero values (revealed count 0); for additive measures the mean is sum / n.
    secure = []
    for i in (int(x) for x in cells):
        if members[i] == 0 or revealed.counts.get(i) == 0:
            for s in wanted:
                stats[s][i] = 0.0
            continue
        if "mean" in wanted and not intensive:
            if i not in revealed.sums:
                raise RuntimeError(f"cell {i} is published without its sum")  # internal error
            stats["mean"][i] = revealed.sums[i] / int(members[i])
        secure.append(i)
    opened = [s for s in wanted if s in QUARTILES or intensive]
    if not opened or not secure:
        return dataclasses.replace(revealed, stats=stats)

    field = secfxp.field
    p = int(field.modulus)
    pair_values = layout.pair_sums(values, p)
    groups = cell_groups(layout.pair_cell, np.array(secure, dtype=np.int64))
    if intensive:
        used = np.concatenate([m.reshape(-1) for _, _, m in groups])
        pair_values = await _mean_contributions(rt, secfxp, layout, pair_values, used)
    records = _records(layout)
    pending = []
    for n, group_cells, pairs in groups:
        m = secfxp.array(field.array(pair_values[pairs]), integral=False)
        if any(s in QUARTILES for s in opened):
            # A contribution is at most its records × the input cap; a mean is at most the
            # cap, give or take the division's rounding (the factor 2 covers it).
            most = 2 if intensive else int(records[pairs].max())
            bits = comparison_bits(most * int(MAX_ABS_VALUE) * ONE)
            needed = {
                int(j) for s in opened if s in QUARTILES for j in np.flatnonzero(_weights(n, s))
            }
            m = _sorted_rows(rt, m, n, bits, needed)
        pending.append((n, group_cells, m))  # every group's network runs concurrently
    for n, group_cells, m in pending:
        weights = np.stack([_weights(n, s) for s in opened], axis=1).astype(object)
        # Integer combinations of this node's shares are shares of the combination: local.
        shares = np.asarray((await rt.gather(m)).value, dtype=object)
        combined = secfxp.array(field.array((shares @ weights) % p), integral=False)
        figures = np.asarray(await rt.output(combined), dtype=np.float64).reshape(-1, len(opened))
        for row, i in enumerate(group_cells.tolist()):
            for col, s in enumerate(opened):
                value = figures[row, col] / _SCALE
                stats[s][i] = value / n if s == "mean" else value
    return dataclasses.replace(revealed, stats=stats)
