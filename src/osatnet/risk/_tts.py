"""Time to survive, time to recover and lost value (Simchi-Levi, Schmidt et al., 2014-2018).

*TTS* of a disruption: how long every need of the network can still be met, from inventory,
alternative supply (links up to ``max_weekly_volume``) and what the bills of materials make of
them. *TTR*: how long the disruption lasts. When TTR > TTS, the *lost units / value* are what
the best re-plan over the TTR weeks still cannot meet. Details and the sanity rule
``TTS = I / (n - a)`` in ``docs/risk.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..optim import Status, solve
from ._lp import Cone, build_lp, cone_of
from ._network import Compiled, Network
from ._scenarios import Scenario, Timeline, timeline

__all__ = [
    "TTS_CAP_WEEKS",
    "ScenarioResult",
    "Shortfall",
    "SolverFailure",
    "lost_need",
    "stress",
    "time_to_survive",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
# Surviving this long counts as surviving for good (about 190 years): the TTS LP needs a
# finite bound on its last time scale.
TTS_CAP_WEEKS = 10_000.0


class SolverFailure(RuntimeError):
    """The LP solver gave no answer. These LPs are always feasible and bounded, so this is a
    bug or a broken solver, not bad input: it keeps its traceback."""


def _caps(net: Compiled, cone: Cone, tl: Timeline, columns: Sequence[int]) -> tuple[
    FloatArray, BoolArray
]:  # fmt: skip
    cols = np.asarray(columns, dtype=np.int64)
    up = ~tl.node_down[:, cols]
    links = cone.links
    cap = (
        net.link_cap[links, None]
        * tl.link_factor[links][:, cols]
        * up[net.link_sup_node[links]]
        * up[net.link_cust_node[links]]
    )
    return cap, up[net.recipe_node[cone.recipes]]


def _survives(net: Compiled, cone: Cone, tl: Timeline, full: int, tau_hi: float) -> float:
    """Max time scale of week ``full`` after ``full`` weeks met in full; -1 when infeasible."""
    last = min(full, tl.weeks - 1)
    cap, on = _caps(net, cone, tl, [*range(full), last])
    model, lay = build_lp(net, cone, cap, on, allow_unmet=False, tau_hi=tau_hi)
    sol = solve(model)
    if sol.status is Status.INFEASIBLE:
        return -1.0
    if not sol.status.has_solution:
        raise SolverFailure(f"time-to-survive LP of {tl.name!r}: {sol.message}")
    return float(lay.tau(sol.x)[-1])


def time_to_survive(net: Compiled, tl: Timeline, cone: Cone | None = None) -> float:
    """Weeks until the first need goes unmet (``inf`` when never): continuous, not rounded.

    Full weeks are found by bisection on feasibility LPs; the fraction of the first short week
    (or, once the timeline stays constant, the whole remaining time) by one LP maximising its
    time scale. With a constant timeline (a node down for good) that is the single LP of
    Simchi-Levi et al. and runs at constant rates, which is why it is exact in continuous time.
    """
    cone = cone if cone is not None else cone_of(net, tl.seeds(net.link_cust_node))
    if not cone.pairs.size or not (net.need[cone.pairs] > 0).any():
        return math.inf
    tail = tl.weeks - 1  # the timeline's last column holds from that week on
    lo, hi = 0, tail
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _survives(net, cone, tl, mid, 1.0) >= 0:
            lo = mid
        else:
            hi = mid - 1
    tau = _survives(net, cone, tl, lo, TTS_CAP_WEEKS if lo == tail else 1.0)
    tau = max(tau, 0.0)
    if lo == tail and tau >= TTS_CAP_WEEKS * (1 - 1e-9):
        return math.inf
    return lo + tau


@dataclass(frozen=True)
class Shortfall:
    node_id: str
    item: str
    week: int
    units: float
    value_per_unit: float


def lost_need(net: Compiled, tl: Timeline, weeks: int, cone: Cone | None = None) -> list[Shortfall]:
    """The least-value shortfall over ``weeks`` weeks of the timeline (its last column lasts)."""
    if weeks <= 0:
        return []
    cone = cone if cone is not None else cone_of(net, tl.seeds(net.link_cust_node))
    if not cone.pairs.size:
        return []
    columns = np.minimum(np.arange(weeks), tl.weeks - 1)
    cap, on = _caps(net, cone, tl, list(columns))
    model, lay = build_lp(net, cone, cap, on, allow_unmet=True, tau_hi=1.0)
    sol = solve(model)
    if not sol.status.has_solution:
        raise SolverFailure(f"lost-need LP of {tl.name!r}: {sol.message}")
    unmet = lay.unmet(sol.x)
    k_idx, w_idx = np.nonzero(unmet > 1e-6 * np.maximum(net.need[cone.pairs], 1.0)[:, None])
    out = []
    for k, w in zip(k_idx, w_idx, strict=True):
        pair = int(cone.pairs[k])
        out.append(
            Shortfall(
                node_id=net.node_ids[int(net.pair_node[pair])], item=net.pair_item[pair],
                week=int(w), units=float(unmet[k, w]), value_per_unit=float(net.value[pair]),
            )
        )  # fmt: skip
    return out


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    tts_weeks: float
    ttr_weeks: int
    horizon: int
    hit_nodes: tuple[str, ...]  # down, or behind a cut link
    reach: tuple[str, ...]  # everything downstream of the hit nodes
    shortfalls: tuple[Shortfall, ...]

    @property
    def lost_units(self) -> float:
        return sum((s.units for s in self.shortfalls), 0.0)

    @property
    def lost_value(self) -> float:
        return sum((s.units * s.value_per_unit for s in self.shortfalls), 0.0)

    def lost_by_node(self) -> dict[str, tuple[float, float]]:
        """Lost (units, value) per node with a shortfall."""
        found: dict[str, tuple[float, float]] = {}
        for s in self.shortfalls:
            units, value = found.get(s.node_id, (0.0, 0.0))
            found[s.node_id] = (units + s.units, value + s.units * s.value_per_unit)
        return found

    def as_dict(self) -> dict[str, object]:
        return {
            "scenario": self.name,
            "tts_weeks": None if math.isinf(self.tts_weeks) else round(self.tts_weeks, 4),
            "ttr_weeks": self.ttr_weeks,
            "horizon": self.horizon,
            "lost_units": round(self.lost_units, 3),
            "lost_value": round(self.lost_value, 2),
            "hit_nodes": list(self.hit_nodes),
            "reach": len(self.reach),
            "lost_by_node": {
                n: {"units": round(u, 3), "value": round(v, 2)}
                for n, (u, v) in self.lost_by_node().items()
            },
        }


def stress(network: Network, scenario: Scenario, horizon: int | None = None) -> ScenarioResult:
    """TTS, TTR and the losses of ``scenario`` over ``horizon`` weeks (default: its TTR)."""
    net = network.compile()
    tl = timeline(scenario, network)
    seeds = tl.seeds(net.link_cust_node)
    cone = cone_of(net, seeds)
    weeks = max(horizon if horizon is not None else tl.ttr_weeks, 1)
    tts = time_to_survive(net, tl, cone)
    lost = lost_need(net, tl, weeks, cone) if tts < weeks else []
    return ScenarioResult(
        name=scenario.name, tts_weeks=tts, ttr_weeks=tl.ttr_weeks, horizon=weeks,
        hit_nodes=tuple(net.node_ids[i] for i in np.flatnonzero(seeds)),
        reach=tuple(net.node_ids[i] for i in np.flatnonzero(cone.nodes)),
        shortfalls=tuple(lost),
    )  # fmt: skip
