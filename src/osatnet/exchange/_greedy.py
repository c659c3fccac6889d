"""A fast greedy clearing: the baseline the optimiser is measured against, and its warm start.

Requests are taken one at a time (must-serve first, the most constrained of them first; then
by unserved penalty, highest first) and filled from their cheapest eligible offers while
capacity lasts. An optional request only takes offers cheaper than its unserved penalty.
The plan respects capacity, eligibility, splittability and minimum splits, so the MIP can
start from it; fairness floors it misses show up as shortfall in the model.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ._eligibility import Pairs
from ._instance import Instance

__all__ = ["greedy"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_EPS = 1e-9


def _order(inst: Instance, pairs: Pairs) -> IntArray:
    """Request processing order (see the module docstring)."""
    options = np.bincount(pairs.ri, minlength=inst.n_requests)
    must = inst.must_serve
    penalty = np.nan_to_num(inst.r_pen, nan=np.inf)
    # lexsort: the last key is the primary one.
    return np.lexsort((-inst.r_q, -penalty, np.where(must, options, 0), ~must)).astype(np.int64)


def greedy(inst: Instance, pairs: Pairs) -> FloatArray:
    """Quantity per eligible pair of the greedy plan (pairs sorted by request, then cost)."""
    qty = np.zeros(len(pairs))
    remaining = inst.o_cap.astype(np.float64).copy()
    starts = np.searchsorted(pairs.ri, np.arange(inst.n_requests + 1))
    for r in _order(inst, pairs):
        s, e = int(starts[r]), int(starts[r + 1])
        if s == e:
            continue
        oi, cpu = pairs.oi[s:e], pairs.cpu[s:e]
        need = float(inst.r_q[r])
        if not np.isnan(inst.r_pen[r]):
            # Serving at a unit cost above the penalty would make the plan worse.
            worth = pairs.cost[s:e] < inst.r_pen[r]
            if not worth.any():
                continue
            e = s + int(np.flatnonzero(worth)[-1]) + 1
            oi, cpu = pairs.oi[s:e], pairs.cpu[s:e]
        avail = remaining[oi] / cpu
        if not inst.r_split[r]:
            fits = np.flatnonzero(avail >= need * (1 - _EPS))
            if fits.size == 0:
                continue
            take = np.zeros(e - s)
            take[fits[0]] = need
        elif inst.r_ms[r] > 0:
            take = _min_split_fill(avail, need, float(inst.r_ms[r]))
        else:
            filled = np.minimum(np.cumsum(avail), need)
            take = np.diff(filled, prepend=0.0)
        qty[s:e] = take
        remaining[oi] = np.maximum(remaining[oi] - take * cpu, 0.0)
    return qty


def _min_split_fill(avail: FloatArray, need: float, min_split: float) -> FloatArray:
    """Fill ``need`` from offers in order with chunks of at least ``min_split``.

    A chunk is trimmed when what would be left afterwards is positive but below the minimum
    split and a later offer has room for a legal chunk, so that the rest can still go there.
    """
    take = np.zeros(avail.shape[0])
    # room_after[i]: some offer after i can take a chunk of min_split.
    fits = avail >= min_split * (1 - _EPS)
    room_after = np.concatenate([np.cumsum(fits[::-1])[::-1][1:], [0]]) > 0
    for i, a in enumerate(avail):
        if need <= _EPS:
            break
        t = min(float(a), need)
        if 0 < need - t < min_split and room_after[i]:
            t = need - min_split
        if t >= min_split * (1 - _EPS):
            take[i] = t
            need -= t
    return take
