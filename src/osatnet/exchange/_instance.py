"""Offers, requests and arcs as column arrays, built once and shared by every later step.

Ids are checked here (duplicates, unknown ids in arcs) so the pure API refuses bad input the same
way the file readers do. Certifications and allowed locations become bit masks, so that "the
offer holds every certification the request needs" is one vectorised AND over all pairs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import InputError
from ._types import Arc, Offer, Request

__all__ = ["NO_DUE", "NO_EARLIEST", "Instance", "build_instance", "wsum"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
MaskArray = npt.NDArray[np.uint64]

# Stand-ins for "no earliest week" / "no due week" that keep week arithmetic in int64.
NO_EARLIEST = -(2**40)
NO_DUE = 2**40


@dataclass(frozen=True)
class Instance:
    """Offers and requests as column arrays (one entry per offer / per request)."""

    offers: Sequence[Offer]
    requests: Sequence[Request]
    processes: tuple[str, ...]
    members: tuple[str, ...]
    o_proc: IntArray
    o_week: IntArray
    o_cap: FloatArray
    o_price: FloatArray
    o_cert: MaskArray
    o_loc: MaskArray
    o_lat: FloatArray
    o_lon: FloatArray
    r_proc: IntArray
    r_q: FloatArray
    r_early: IntArray
    r_due: IntArray
    r_maxp: FloatArray
    r_split: BoolArray
    r_ms: FloatArray
    r_pen: FloatArray  # NaN = must be served in full
    r_cert: MaskArray
    r_loc: MaskArray
    r_lat: FloatArray
    r_lon: FloatArray
    r_member: IntArray
    arc_r: IntArray | None
    arc_o: IntArray | None
    arc_cost: FloatArray | None  # NaN = use the computed cost
    arc_cpu: FloatArray | None

    @property
    def n_offers(self) -> int:
        return len(self.offers)

    @property
    def n_requests(self) -> int:
        return len(self.requests)

    @property
    def must_serve(self) -> BoolArray:
        return np.isnan(self.r_pen)


def wsum(index: IntArray, weights: FloatArray, size: int) -> FloatArray:
    """``out[i] = sum(weights[index == i])`` for ``i < size`` (a typed ``np.bincount``)."""
    return np.bincount(index, weights=weights, minlength=size).astype(np.float64)


def _float(v: float | None) -> float:
    return math.nan if v is None else float(v)


def _masks(sets: Sequence[frozenset[str]], vocabulary: dict[str, int]) -> MaskArray:
    """Bit sets as ``(n, words)`` uint64 arrays; tokens outside ``vocabulary`` are ignored."""
    words = max(1, math.ceil(len(vocabulary) / 64))
    out = np.zeros((len(sets), words), dtype=np.uint64)
    owner = [i for i, s in enumerate(sets) for t in s if t in vocabulary]
    bits = [vocabulary[t] for s in sets for t in s if t in vocabulary]
    if owner:
        b = np.asarray(bits, dtype=np.int64)
        np.bitwise_or.at(
            out,
            (np.asarray(owner, dtype=np.int64), b // 64),
            np.left_shift(np.uint64(1), (b % 64).astype(np.uint64)),
        )
    return out


def _offer_locations(o: Offer) -> frozenset[str]:
    tokens = set()
    if o.country:
        tokens.add(f"country:{o.country}")
    if o.region:
        tokens.add(f"region:{o.region}")
    return frozenset(tokens)


def _unique(ids: Sequence[str], what: str) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, key in enumerate(ids):
        if key in index:
            raise InputError(f"duplicate {what} {key!r} (first at position {index[key] + 1})")
        index[key] = i
    return index


def build_instance(
    offers: Sequence[Offer], requests: Sequence[Request], arcs: Sequence[Arc] | None = None
) -> Instance:
    """Check ids and turn the records into arrays. Raises :class:`InputError` on bad input."""
    o_index = _unique([o.offer_id for o in offers], "offer_id")
    r_index = _unique([r.request_id for r in requests], "request_id")
    for o in offers:
        if not (o.capacity >= 0 and math.isfinite(o.capacity)):
            raise InputError(f"offer {o.offer_id!r}: capacity must be >= 0, got {o.capacity}")
        if not (o.unit_price >= 0 and math.isfinite(o.unit_price)):
            raise InputError(f"offer {o.offer_id!r}: unit_price must be >= 0, got {o.unit_price}")
    for r in requests:
        if not (r.quantity > 0 and math.isfinite(r.quantity)):
            raise InputError(f"request {r.request_id!r}: quantity must be > 0, got {r.quantity}")
        if not 0 <= r.min_split <= r.quantity:
            raise InputError(
                f"request {r.request_id!r}: min_split must be between 0 and the quantity "
                f"{r.quantity:g}, got {r.min_split:g}"
            )
    processes = tuple(sorted({o.process for o in offers} | {r.process for r in requests}))
    p_index = {p: i for i, p in enumerate(processes)}
    members = tuple(dict.fromkeys(r.member_id or r.request_id for r in requests))
    m_index = {m: i for i, m in enumerate(members)}
    cert_vocab = {
        t: i for i, t in enumerate(sorted({t for r in requests for t in r.certifications}))
    }
    loc_vocab = {t: i for i, t in enumerate(sorted({t for r in requests for t in r.locations}))}

    arc_r = arc_o = None
    arc_cost = arc_cpu = None
    if arcs is not None:
        seen: set[tuple[int, int]] = set()
        rows: list[tuple[int, int]] = []
        for a in arcs:
            if a.request_id not in r_index:
                raise InputError(f"arc names unknown request_id {a.request_id!r}")
            if a.offer_id not in o_index:
                raise InputError(f"arc names unknown offer_id {a.offer_id!r}")
            key = (r_index[a.request_id], o_index[a.offer_id])
            if key in seen:
                raise InputError(f"duplicate arc {a.request_id!r} -> {a.offer_id!r}")
            if not a.capacity_per_unit > 0:
                raise InputError(f"arc capacity_per_unit must be > 0, got {a.capacity_per_unit}")
            seen.add(key)
            rows.append(key)
        pairs = np.asarray(rows, dtype=np.int64).reshape(-1, 2)
        arc_r, arc_o = pairs[:, 0].copy(), pairs[:, 1].copy()
        arc_cost = np.asarray([_float(a.unit_cost) for a in arcs], dtype=np.float64)
        arc_cpu = np.asarray([a.capacity_per_unit for a in arcs], dtype=np.float64)

    def farr(values: list[float]) -> FloatArray:
        return np.asarray(values, dtype=np.float64).reshape(-1)

    def iarr(values: list[int]) -> IntArray:
        return np.asarray(values, dtype=np.int64).reshape(-1)

    return Instance(
        offers=offers,
        requests=requests,
        processes=processes,
        members=members,
        o_proc=iarr([p_index[o.process] for o in offers]),
        o_week=iarr([o.week for o in offers]),
        o_cap=farr([o.capacity for o in offers]),
        o_price=farr([o.unit_price for o in offers]),
        o_cert=_masks([o.certifications for o in offers], cert_vocab),
        o_loc=_masks([_offer_locations(o) for o in offers], loc_vocab),
        o_lat=farr([_float(o.latitude) for o in offers]),
        o_lon=farr([_float(o.longitude) for o in offers]),
        r_proc=iarr([p_index[r.process] for r in requests]),
        r_q=farr([r.quantity for r in requests]),
        r_early=iarr(
            [NO_EARLIEST if r.earliest_week is None else r.earliest_week for r in requests]
        ),
        r_due=iarr([NO_DUE if r.due_week is None else r.due_week for r in requests]),
        r_maxp=farr([math.inf if r.max_price is None else r.max_price for r in requests]),
        r_split=np.asarray([r.splittable for r in requests], dtype=np.bool_).reshape(-1),
        r_ms=farr([r.min_split if r.splittable else 0.0 for r in requests]),
        r_pen=farr([_float(r.unserved_penalty) for r in requests]),
        r_cert=_masks([r.certifications for r in requests], cert_vocab),
        r_loc=_masks([r.locations for r in requests], loc_vocab),
        r_lat=farr([_float(r.latitude) for r in requests]),
        r_lon=farr([_float(r.longitude) for r in requests]),
        r_member=iarr([m_index[r.member_id or r.request_id] for r in requests]),
        arc_r=arc_r,
        arc_o=arc_o,
        arc_cost=arc_cost,
        arc_cpu=arc_cpu,
    )
