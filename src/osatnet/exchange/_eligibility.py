"""Which (request, offer) pairs may trade, at what unit cost: vectorised with numpy.

Offers and requests arrive as arrays (:mod:`._instance`); candidate pairs are
then filtered stage by stage (process, certification, location, week window, price limit,
capacity) on whole arrays. The number of pairs left after each stage is kept per request so
that an unservable request can be told exactly which rule shut it out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._instance import Instance, wsum
from ._types import ClearingOptions, Request

__all__ = [
    "STAGES",
    "Diagnostics",
    "Pairs",
    "eligible_pairs",
    "explain",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

STAGES = ("process", "certification", "location", "week", "price", "capacity")
# Candidate pairs are evaluated in blocks of at most this many cells, so that a 10,000 x 600
# market needs tens of megabytes, not gigabytes, whatever the number of process families.
_BLOCK = 2_000_000
_EPS = 1e-9
_EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Pairs:
    """Eligible pairs, sorted by request then unit cost (the greedy relies on that order).

    ``cost`` is per unit of the request; ``cpu`` is offer capacity used per request unit;
    ``ub`` is the most the pair can carry (request quantity, offer capacity / cpu).
    """

    ri: IntArray
    oi: IntArray
    cost: FloatArray
    cpu: FloatArray
    ub: FloatArray
    late: IntArray

    def __len__(self) -> int:
        return int(self.ri.shape[0])


@dataclass(frozen=True)
class Diagnostics:
    """Per request: pairs surviving each stage, and capacity figures for the reasons."""

    counts: IntArray  # shape (len(STAGES), n_requests)
    largest: FloatArray  # largest offer capacity (request units) before the capacity stage
    available: FloatArray  # total eligible capacity (request units) after every stage
    cheapest: FloatArray  # cheapest offer price among pairs that passed the week stage


def _distance_km(inst: Instance, ri: IntArray, oi: IntArray) -> FloatArray:
    """Great-circle distance; 0 when either side has no coordinates."""
    lat1, lon1 = np.radians(inst.r_lat[ri]), np.radians(inst.r_lon[ri])
    lat2, lon2 = np.radians(inst.o_lat[oi]), np.radians(inst.o_lon[oi])
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    d: FloatArray = 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    d[np.isnan(d)] = 0.0
    return d


class _Accumulator:
    """Diagnostics summed over the blocks of candidate pairs."""

    def __init__(self, n_requests: int) -> None:
        self.counts = np.zeros((len(STAGES), n_requests), dtype=np.int64)
        self.largest = np.zeros(n_requests, dtype=np.float64)
        self.cheapest = np.full(n_requests, np.inf, dtype=np.float64)

    def count(self, stage: int, ri: IntArray) -> None:
        self.counts[stage] += np.bincount(ri, minlength=self.counts.shape[1])


def _filter(
    inst: Instance,
    ri: IntArray,
    oi: IntArray,
    cpu: FloatArray,
    acost: FloatArray,
    options: ClearingOptions,
    acc: _Accumulator,
    uniform: FloatArray | None,
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Apply the stages after ``process`` to candidate pairs that already share the process."""

    def keep(mask: BoolArray, stage: int) -> None:
        nonlocal ri, oi, cpu, acost
        ri, oi, cpu, acost = ri[mask], oi[mask], cpu[mask], acost[mask]
        acc.count(stage, ri)

    keep(~np.any(inst.r_cert[ri] & ~inst.o_cert[oi], axis=1), 1)
    has_loc = np.any(inst.r_loc[ri] != 0, axis=1)
    keep(~has_loc | np.any(inst.r_loc[ri] & inst.o_loc[oi], axis=1), 2)
    week = inst.o_week[oi]
    keep((week >= inst.r_early[ri]) & (week <= inst.r_due[ri] + options.max_lateness_weeks), 3)
    np.minimum.at(acc.cheapest, ri, inst.o_price[oi])
    price_ok = inst.o_price[oi] <= inst.r_maxp[ri] * (1 + _EPS)
    if uniform is not None:
        # A market held to a uniform price keeps only hosts asking at most that price and
        # requesters bidding at least that much.
        up = uniform[oi]
        held = ~np.isnan(up)
        price_ok &= ~held | (
            (inst.o_price[oi] <= up * (1 + _EPS)) & (up <= inst.r_maxp[ri] * (1 + _EPS))
        )
    keep(price_ok, 4)
    avail = inst.o_cap[oi] / cpu
    np.maximum.at(acc.largest, ri, avail)
    # A non-splittable request needs one offer that takes it whole; a min-split request needs
    # room for at least one chunk; any request needs some room at all.
    need = np.where(inst.r_split[ri], np.maximum(inst.r_ms[ri], _EPS), inst.r_q[ri])
    keep(avail >= need * (1 - _EPS), 5)
    return ri, oi, cpu, acost


def _candidates(inst: Instance) -> list[tuple[IntArray, IntArray, FloatArray, FloatArray]]:
    """Blocks of same-process candidate pairs (all of them, or the arcs when given)."""
    if inst.arc_r is not None:
        assert inst.arc_o is not None and inst.arc_cpu is not None and inst.arc_cost is not None
        same = inst.r_proc[inst.arc_r] == inst.o_proc[inst.arc_o]
        return [(inst.arc_r[same], inst.arc_o[same], inst.arc_cpu[same], inst.arc_cost[same])]
    blocks = []
    for p in range(len(inst.processes)):
        reqs = np.flatnonzero(inst.r_proc == p)
        offs = np.flatnonzero(inst.o_proc == p)
        if reqs.size == 0 or offs.size == 0:
            continue
        step = max(1, _BLOCK // offs.size)
        for start in range(0, reqs.size, step):
            chunk = reqs[start : start + step]
            ri = np.repeat(chunk, offs.size)
            oi = np.tile(offs, chunk.size)
            blocks.append((ri, oi, np.ones(ri.size), np.full(ri.size, np.nan)))
    return blocks


def eligible_pairs(
    inst: Instance, options: ClearingOptions, uniform: FloatArray | None = None
) -> tuple[Pairs, Diagnostics]:
    """All eligible pairs with their unit costs, and per-request diagnostics.

    ``uniform`` (per offer, NaN = free) holds markets to a uniform price (see ``_pricing``).
    """
    acc = _Accumulator(inst.n_requests)
    if inst.arc_r is not None:
        assert inst.arc_o is not None
        same = inst.r_proc[inst.arc_r] == inst.o_proc[inst.arc_o]
        acc.count(0, inst.arc_r[same])
    else:
        offers_per_process = np.bincount(inst.o_proc, minlength=len(inst.processes))
        acc.counts[0] = offers_per_process[inst.r_proc]
    parts = [_filter(inst, *block, options, acc, uniform) for block in _candidates(inst)]
    empty_i = np.zeros(0, dtype=np.int64)
    empty_f = np.zeros(0, dtype=np.float64)
    ri = np.concatenate([p[0] for p in parts] + [empty_i])
    oi = np.concatenate([p[1] for p in parts] + [empty_i])
    cpu = np.concatenate([p[2] for p in parts] + [empty_f])
    acost = np.concatenate([p[3] for p in parts] + [empty_f])

    late = np.maximum(inst.o_week[oi] - inst.r_due[ri], 0)
    base = inst.o_price[oi] + options.logistics_cost_per_unit_km * _distance_km(inst, ri, oi)
    cost = np.where(np.isnan(acost), base, acost) + options.lateness_penalty * late
    ub = np.minimum(inst.r_q[ri], inst.o_cap[oi] / cpu) if ri.size else empty_f
    order = np.lexsort((oi, cost, ri))
    pairs = Pairs(
        ri=ri[order],
        oi=oi[order],
        cost=cost[order],
        cpu=cpu[order],
        ub=ub[order],
        late=late[order].astype(np.int64),
    )
    available = wsum(pairs.ri, pairs.ub, inst.n_requests)
    diag = Diagnostics(
        counts=acc.counts, largest=acc.largest, available=available, cheapest=acc.cheapest
    )
    return pairs, diag


def _week_text(r: Request, options: ClearingOptions) -> str:
    lo = "any week" if r.earliest_week is None else f"week {r.earliest_week}"
    if r.due_week is None:
        return f"from {lo}" if r.earliest_week is not None else "any week"
    hi = r.due_week + options.max_lateness_weeks
    late = (
        f" (due {r.due_week} + {options.max_lateness_weeks} late)"
        if options.max_lateness_weeks
        else ""
    )
    return f"{lo} to week {hi}{late}" if r.earliest_week is not None else f"up to week {hi}{late}"


def explain(inst: Instance, diag: Diagnostics, r: int, options: ClearingOptions) -> str:
    """Why request ``r`` cannot be served in full, as precisely as the stages allow."""
    req = inst.requests[r]
    counts = diag.counts[:, r]
    source = "arcs.csv lists no offer" if inst.arc_r is not None else "no offer"
    if counts[0] == 0:
        return f"{source} of process {req.process!r}"
    if counts[1] == 0:
        return f"{source} of process {req.process!r} holds {', '.join(sorted(req.certifications))}"
    if counts[2] == 0:
        allowed = ", ".join(sorted(req.locations))
        return f"{source} of process {req.process!r} is in an allowed location ({allowed})"
    if counts[3] == 0:
        return (
            f"{source} of process {req.process!r} is in the week window {_week_text(req, options)}"
        )
    if counts[4] == 0:
        limit = "any price" if req.max_price is None else f"the max price {req.max_price:g}"
        if options.pricing == "uniform":
            return (
                f"every eligible offer asks more than {limit}, or trades in a market whose "
                f"uniform price is above it (cheapest ask: {diag.cheapest[r]:g})"
            )
        return f"every eligible offer asks more than {limit} (cheapest: {diag.cheapest[r]:g})"
    if counts[5] == 0:
        if not req.splittable:
            return (
                f"not splittable and no eligible offer can take all {req.quantity:g} units "
                f"(largest: {diag.largest[r]:g})"
            )
        if req.min_split > 0:
            return (
                f"no eligible offer has room for the minimum split {req.min_split:g} "
                f"(largest: {diag.largest[r]:g})"
            )
        return "every eligible offer has zero capacity left"
    if diag.available[r] < req.quantity * (1 - _EPS):
        return (
            f"eligible offers hold only {diag.available[r]:g} of the {req.quantity:g} units "
            "requested"
        )
    return (
        f"its {int(counts[5])} eligible offer(s) (room for {diag.available[r]:g} units) are "
        "needed by other must-serve requests"
    )
