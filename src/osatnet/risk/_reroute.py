"""Rerouting: place the members' lost output on the alliance's spare capacity.

A scenario's shortfalls at member sites, for items that are processes of the catalog
(``leadframe_package``…), become requests; the spare weekly capacity of the other member sites
(registry capability minus planned output) becomes offers. Hosts that are hit by the scenario
or short themselves that week offer nothing. A :class:`Rerouter` matches the two; the default
is the capacity exchange's optimiser (:func:`osatnet.exchange.clear`), maximising value placed;
:func:`lp_rerouter` is a self-contained LP with the same answer, for use without the exchange.
It assumes a host with spare capacity can get the materials for the extra output: its own
supply is not cut (it would be short otherwise), and links can surge to their maximum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from ..optim import LinearModel, Sense, solve
from ..registry.schemas import CapabilityRow
from ._network import Network, NodeKind
from ._tts import ScenarioResult

__all__ = [
    "LostDemand",
    "Placement",
    "RerouteResult",
    "Rerouter",
    "SpareCapacity",
    "exchange_rerouter",
    "lp_rerouter",
    "reroute",
]


@dataclass(frozen=True)
class LostDemand:
    request_id: str
    site_id: str
    process: str
    week: int
    units: float
    value_per_unit: float


@dataclass(frozen=True)
class SpareCapacity:
    offer_id: str
    site_id: str
    process: str
    week: int
    units: float


@dataclass(frozen=True)
class Placement:
    request_id: str
    offer_id: str
    units: float


class Rerouter(Protocol):
    """Anything that places lost demand on spare capacity (same process and week)."""

    def __call__(
        self, lost: Sequence[LostDemand], spare: Sequence[SpareCapacity]
    ) -> list[Placement]: ...


def exchange_rerouter(
    lost: Sequence[LostDemand], spare: Sequence[SpareCapacity]
) -> list[Placement]:
    """The capacity exchange clears the requests at zero price; an unplaced unit costs its
    value, so the clearing places the most valuable demand first."""
    # Imported here: the exchange is an optional collaborator, not needed to assess risk.
    from ..exchange import ClearingOptions, Offer, Request, clear

    if not lost or not spare:
        return []
    offers = [
        Offer(offer_id=s.offer_id, process=s.process, week=s.week, capacity=s.units,
              unit_price=0.0, site_id=s.site_id)
        for s in spare
    ]  # fmt: skip
    requests = [
        Request(request_id=d.request_id, process=d.process, quantity=d.units,
                earliest_week=d.week, due_week=d.week, unserved_penalty=d.value_per_unit,
                site_id=d.site_id)
        for d in lost
    ]  # fmt: skip
    result = clear(offers, requests, options=ClearingOptions(time_limit=30.0))
    return [
        Placement(m.request_id, m.offer_id, m.quantity) for m in result.matches() if m.quantity > 0
    ]


def lp_rerouter(lost: Sequence[LostDemand], spare: Sequence[SpareCapacity]) -> list[Placement]:
    """Maximise the value placed: one column per (request, offer) of the same process and week,
    rows for each request's units and each offer's capacity."""
    if not lost or not spare:
        return []
    markets = {(d.process, d.week) for d in lost} | {(s.process, s.week) for s in spare}
    keys = {k: i for i, k in enumerate(sorted(markets))}
    r_key = np.array([keys[(d.process, d.week)] for d in lost])
    o_key = np.array([keys[(s.process, s.week)] for s in spare])
    ri, oi = np.nonzero(r_key[:, None] == o_key[None, :])
    if ri.size == 0:
        return []
    n = ri.size
    cols = np.arange(n)
    A = sp.csr_array(
        (np.ones(2 * n), (np.concatenate([ri, len(lost) + oi]), np.concatenate([cols, cols]))),
        shape=(len(lost) + len(spare), n),
    )
    hi = np.array([d.units for d in lost] + [s.units for s in spare])
    value = np.array([d.value_per_unit for d in lost])[ri]
    model = LinearModel(value, A, np.zeros(hi.size), hi, np.zeros(n), np.full(n, np.inf),
                        sense=Sense.MAXIMIZE)  # fmt: skip
    sol = solve(model)
    return [
        Placement(lost[int(r)].request_id, spare[int(o)].offer_id, float(q))
        for r, o, q in zip(ri, oi, sol.x, strict=True)
        if q > 1e-9
    ]


@dataclass(frozen=True)
class RerouteResult:
    scenario: str
    lost_value_before: float
    lost_units_before: float
    placed_units: float
    avoided_value: float
    placements: tuple[Placement, ...]

    @property
    def lost_value_after(self) -> float:
        return self.lost_value_before - self.avoided_value

    def as_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario,
            "lost_value_before": round(self.lost_value_before, 2),
            "lost_value_after": round(self.lost_value_after, 2),
            "avoided_value": round(self.avoided_value, 2),
            "lost_units_before": round(self.lost_units_before, 3),
            "placed_units": round(self.placed_units, 3),
            "placements": len(self.placements),
        }


def reroute(
    network: Network,
    result: ScenarioResult,
    capabilities: Sequence[CapabilityRow],
    rerouter: Rerouter = exchange_rerouter,
) -> RerouteResult:
    """Re-plan ``result``'s member shortfalls onto spare capacity; report the avoided loss."""
    members = {n.node_id for n in network.nodes if n.kind is NodeKind.MEMBER_SITE}
    processes = {c.process for c in capabilities}
    lost = [
        LostDemand(f"L{i}", s.node_id, s.item, s.week, s.units, s.value_per_unit)
        for i, s in enumerate(result.shortfalls)
        if s.node_id in members and s.item in processes and s.value_per_unit > 0
    ]
    planned = {(d.node_id, d.item): d.weekly_need for d in network.needs}
    short_weeks: dict[str, set[int]] = defaultdict(set)
    for s in result.shortfalls:
        short_weeks[s.node_id].add(s.week)
    hit = set(result.hit_nodes)
    weeks = sorted({d.week for d in lost})
    spare = [
        SpareCapacity(f"O{c.site_id}:{c.process}:{w}", c.site_id, c.process, w, free)
        for c in capabilities
        if c.site_id not in hit
        and (free := c.weekly_capacity - planned.get((c.site_id, c.process), 0.0)) > 0
        for w in weeks
        if w not in short_weeks[c.site_id]
    ]
    placements = rerouter(lost, spare) if lost and spare else []
    value = {d.request_id: d.value_per_unit for d in lost}
    return RerouteResult(
        scenario=result.name,
        lost_value_before=result.lost_value,
        lost_units_before=result.lost_units,
        placed_units=sum((p.units for p in placements), 0.0),
        avoided_value=sum((p.units * value[p.request_id] for p in placements), 0.0),
        placements=tuple(placements),
    )
