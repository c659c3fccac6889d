"""Every node down in turn: TTS, TTR, lost units and value, and the risk exposure index.

A node down for good is a disruption that never changes, so the whole question is one
*aggregate* period (docs/risk.md, "The linear programs"): at constant rates every inventory
moves linearly, so one period of length ``tau`` is exact in continuous time. That holds for
the losses too: any week-by-week plan over ``W`` weeks sums to an aggregate plan of length
``W`` with the same unmet need, and an aggregate plan run at constant rates is a weekly plan
whose stocks stay >= 0 at every week's end. So both questions are one small LP each, solved
in one :class:`~osatnet.optim.LPSession` (the loss LP starts from the TTS LP's basis), and a
node nobody depends on needs no LP at all (its needs live on its own stock: ``I / n``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import numpy.typing as npt

from ..optim import LPSession, Sense, Status
from ._lp import Cone, build_lp, cone_of
from ._network import Compiled, Network
from ._tts import TTS_CAP_WEEKS, SolverFailure

__all__ = ["NodeRisk", "node_risks"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
# The LP's tie-break on units (the loss LP of _lp.build_lp uses the same constant).
_UNIT_COST = 1e-6


@dataclass(frozen=True)
class NodeRisk:
    """One node down: its TTS, its TTR, what is lost, and its exposure index in [0, 1]."""

    node_id: str
    tts_weeks: float
    ttr_weeks: int
    lost_units: float
    lost_value: float
    reach: int  # nodes downstream of it, itself included
    exposure: float = 0.0

    @property
    def at_risk(self) -> bool:
        return self.ttr_weeks > self.tts_weeks

    def as_dict(self) -> dict[str, object]:
        return {
            "node_id": self.node_id,
            "tts_weeks": None if math.isinf(self.tts_weeks) else round(self.tts_weeks, 4),
            "ttr_weeks": self.ttr_weeks,
            "lost_units": round(self.lost_units, 3),
            "lost_value": round(self.lost_value, 2),
            "exposure": round(self.exposure, 4),
            "reach": self.reach,
        }


def _alone(net: Compiled, pairs: IntArray, weeks: int) -> tuple[float, float, float]:
    """A down node that ships to nobody: each need ``n`` with stock ``I`` lasts ``I / n`` and
    loses ``max(0, n W - I)`` over ``W`` weeks (what the LP gives, without the LP)."""
    need = net.need[pairs]
    pairs, need = pairs[need > 0], need[need > 0]
    if not pairs.size:
        return math.inf, 0.0, 0.0
    stock = net.inventory[pairs]
    tts = float((stock / need).min())
    if tts >= TTS_CAP_WEEKS * (1 - 1e-9):
        tts = math.inf
    short = np.maximum(need * weeks - stock, 0.0)
    return tts, float(short.sum()), float(short @ net.value[pairs])


def _with_lp(
    net: Compiled, ends: tuple[IntArray, IntArray], cone: Cone, node: int, ttr: int, weeks: int
) -> tuple[float, float, float]:
    """TTS and losses of ``node`` down for good; ``ends``: supplier and customer node of
    every link (computed once for all nodes)."""
    # A link from a pair without a balance (a node outside the reach, or an origin) into the
    # reach only ever adds stock, which never hurts: its flow is at capacity in some optimum.
    # So it is no column of its own but part of the time scale's column (capacity x tau): on
    # the upstream nodes' large reaches most links are of that kind, and the LP shrinks ~2x.
    sup_node, cust_node = ends[0][cone.links], ends[1][cone.links]
    balanced = np.zeros(net.n_pairs, dtype=np.bool_)
    balanced[cone.pairs] = True
    touches = (sup_node == node) | (cust_node == node)
    free = ~balanced[net.link_sup[cone.links]] & ~touches
    kept = Cone(cone.nodes, cone.pairs, cone.links[~free], cone.recipes)
    cap = net.link_cap[kept.links, None].astype(np.float64)
    on = np.ones((kept.recipes.size, 1), dtype=np.bool_)
    local = np.full(net.n_pairs, -1, dtype=np.int64)
    local[cone.pairs] = np.arange(cone.pairs.size)
    inflow = np.bincount(
        local[net.link_cust[cone.links[free]]], net.link_cap[cone.links[free]], cone.pairs.size
    ).astype(np.float64)
    model, lay = build_lp(
        net, kept, cap, on, allow_unmet=False, tau_hi=TTS_CAP_WEEKS, inflow=inflow
    )
    tau_col = lay.block
    session = LPSession(model)
    # The node goes down as a bound change: LPSession then runs the dual simplex, which
    # starts from the slack basis far faster than the primal here (measured ~2x).
    down = np.concatenate([
        np.flatnonzero(touches[~free]),
        lay.n_links + np.flatnonzero(net.recipe_node[kept.recipes] == node),
    ])  # fmt: skip
    session.set_col_bounds(down, 0.0, 0.0)
    sol = session.run()
    if not sol.status.has_solution:
        raise SolverFailure(f"time-to-survive LP of node {net.node_ids[node]!r}: {sol.message}")
    tts = float(max(sol.x[tau_col], 0.0))
    if tts >= TTS_CAP_WEEKS * (1 - 1e-9):
        tts = math.inf
    if not (ttr > tts and weeks > 0):
        return tts, 0.0, 0.0
    unmet = lay.n_links + lay.n_recipes + lay.n_pairs + np.arange(lay.n_pairs)
    need = net.need[cone.pairs]
    session.set_col_bounds([tau_col], float(weeks), float(weeks))
    session.set_col_bounds(unmet, 0.0, need * weeks)
    session.set_objective(unmet, net.value[cone.pairs] + _UNIT_COST, Sense.MINIMIZE)
    sol = session.run()
    if sol.status is not Status.OPTIMAL:
        raise SolverFailure(f"lost-need LP of node {net.node_ids[node]!r}: {sol.message}")
    u = np.clip(sol.x[unmet], 0.0, None)
    # Solver noise below a millionth of a week's need is not a loss.
    u[u <= 1e-6 * np.maximum(need, 1.0)] = 0.0
    return tts, float(u.sum()), float(u @ net.value[cone.pairs])


def _unranked(network: Network, horizon: int, node_ids: Sequence[str]) -> list[NodeRisk]:
    net = network.compile()
    ends = (net.link_sup_node, net.link_cust_node)
    ships = np.zeros(net.n_nodes, dtype=np.bool_)
    ships[ends[0]] = True
    balanced = ~net.source
    out = []
    for node_id in node_ids:
        i = network.node_position[node_id]
        ttr = network.nodes[i].ttr
        weeks = min(ttr, horizon)
        if not ships[i]:
            own = np.flatnonzero((net.pair_node == i) & balanced)
            tts, units, value = _alone(net, own, weeks)
            reach = 1
        else:
            seeds = np.zeros(net.n_nodes, dtype=np.bool_)
            seeds[i] = True
            cone = cone_of(net, seeds)
            reach = int(cone.nodes.sum())
            if not (net.need[cone.pairs] > 0).any():
                tts, units, value = math.inf, 0.0, 0.0
            else:
                tts, units, value = _with_lp(net, ends, cone, i, ttr, weeks)
        if not ttr > tts:
            units = value = 0.0
        out.append(NodeRisk(node_id, tts, ttr, units, value, reach))
    return out


def node_risks(
    network: Network,
    horizon: int = 26,
    nodes: Sequence[str] | None = None,
    *,
    workers: int = 1,
) -> list[NodeRisk]:
    """Every node (or ``nodes``) down in turn: TTS for good, losses over min(TTR, horizon)
    weeks; ranked by exposure = lost value / the largest lost value (0 when nothing is lost).

    ``workers > 1`` shares the nodes among that many processes (each node's LPs are
    independent); the answer is the same.
    """
    network.validate()
    ids = list(nodes if nodes is not None else (n.node_id for n in network.nodes))
    if workers > 1 and len(ids) > 1:
        # Interleaved chunks, several per worker: the big LPs (upstream nodes) are spread out.
        n_chunks = min(len(ids), workers * 8)
        chunks = [ids[k::n_chunks] for k in range(n_chunks)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = pool.map(_unranked, repeat(network), repeat(horizon), chunks)
            out = [r for part in parts for r in part]
    else:
        out = _unranked(network, horizon, ids)
    top = max((r.lost_value for r in out), default=0.0)
    ranked = [
        NodeRisk(r.node_id, r.tts_weeks, r.ttr_weeks, r.lost_units, r.lost_value, r.reach,
                 r.lost_value / top if top > 0 else 0.0)
        for r in out
    ]  # fmt: skip
    ranked.sort(key=lambda r: (-r.exposure, r.tts_weeks - r.ttr_weeks, r.node_id))
    return ranked
