"""Monte Carlo of the yearly lost value: scenario probabilities x duration distributions.

Solving an LP per sample would cost minutes per thousand samples. Instead the lost value of
each scenario is tabulated once as a function of its duration (:func:`loss_curve`: LPs on a
grid of durations, exact there, linear in between) and the samples only interpolate in that
table, all at once with numpy. A sampled year draws, for every scenario, whether it happens
(its ``probability`` per year) and how long it lasts (its ``duration``); the year's loss is
the sum. Expected loss, VaR and CVaR come from the sampled years.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..errors import InputError
from ..optim import LPSession, Status
from ._duration import FixedDuration
from ._lp import Cone, build_lp, cone_of
from ._network import Compiled, Network
from ._scenarios import Scenario, Timeline, TransportDisruption, timeline
from ._tts import SolverFailure, _caps, lost_need, time_to_survive

__all__ = [
    "LossCurve",
    "MonteCarloResult",
    "ScenarioLoss",
    "loss_curve",
    "monte_carlo",
    "risk_measures",
    "sample_losses",
    "with_duration",
]

FloatArray = npt.NDArray[np.float64]
ALPHA = 0.95
# Samples drawn per numpy batch: bounds memory (a few arrays of this many floats) on very
# large sweeps without a loop per sample.
CHUNK = 1_000_000


def _longest(scenario: Scenario) -> int:
    return max(e.duration_weeks for e in scenario.events)


def with_duration(scenario: Scenario, weeks: int) -> Scenario:
    """``scenario`` lasting ``weeks``: its longest events (its *main* events) last ``weeks``,
    the others keep their duration but end no later than the main ones would."""
    longest = _longest(scenario)
    events = tuple(
        e.model_copy(update={"duration_weeks": weeks if e.duration_weeks == longest
                             else min(e.duration_weeks, weeks)})
        for e in scenario.events
    )  # fmt: skip
    return scenario.model_copy(update={"events": events})


def _grid(upper: float) -> list[int]:
    """Every whole week up to the largest duration (rounded up)."""
    return list(range(max(1, math.ceil(upper)) + 1))


@dataclass(frozen=True)
class LossCurve:
    """Lost value (JPY) of one scenario as a function of its duration (weeks)."""

    scenario: str
    weeks: FloatArray  # increasing, from 0
    lost_value: FloatArray

    def __call__(self, weeks: npt.ArrayLike) -> FloatArray:
        """Lost value at ``weeks``: linear between grid points, flat beyond the last."""
        return np.interp(np.asarray(weeks, dtype=np.float64), self.weeks, self.lost_value)


def _others_end(scenario: Scenario) -> int:
    """When everything but the main events' own duration is over (lead-time gaps included)."""
    longest = _longest(scenario)
    ends = [0]
    for e in scenario.events:
        if e.duration_weeks != longest:
            ends.append(e.end_week)
        else:
            ends.append(e.start_week)
            if isinstance(e, TransportDisruption):
                ends.append(e.start_week + e.extra_lead_weeks)
    return max(ends)


class _Tail:
    """The losses of the durations whose last part is one constant state.

    Once every other event and lead-time gap is over (week ``t0``), only the main events
    remain, unchanged until they end. A constant stretch is one aggregate period (as for a
    node down for good, docs/risk.md): weeks ``0 .. t0-1`` week by week, then one period of
    ``start + D - t0`` weeks. That is exact for any duration ``D``, and each ``D`` is a warm
    re-solve of one small LP that changes two sets of bounds.
    """

    def __init__(self, net: Compiled, cone: Cone, tl: Timeline, t0: int) -> None:
        self.net, self.cone = net, cone
        cap, on = _caps(net, cone, tl, [*range(t0), t0])
        model, self.lay = build_lp(net, cone, cap, on, allow_unmet=True, tau_hi=1.0)
        self.session = LPSession(model)
        lay = self.lay
        self.tau = lay.weeks * lay.block + lay.weeks - 1
        first = (lay.weeks - 1) * lay.block + lay.n_links + lay.n_recipes + lay.n_pairs
        self.unmet = first + np.arange(lay.n_pairs)

    def lost_value(self, length: float) -> float:
        need = self.net.need[self.cone.pairs]
        self.session.set_col_bounds([self.tau], length, length)
        self.session.set_col_bounds(self.unmet, 0.0, need * length)
        sol = self.session.run()
        if sol.status is not Status.OPTIMAL:
            raise SolverFailure(f"lost-need LP of a {length:g}-week tail: {sol.message}")
        unmet = self.lay.unmet(sol.x)
        unmet[unmet <= 1e-6 * np.maximum(need, 1.0)[:, None]] = 0.0
        return float(self.net.value[self.cone.pairs] @ unmet.sum(axis=1))


def loss_curve(network: Network, scenario: Scenario) -> LossCurve:
    """Lost value of ``scenario`` for every duration it can take (see :func:`with_duration`),
    each over the scenario's own TTR; exact at the grid's points."""
    dist = scenario.duration or FixedDuration(type="fixed", weeks=_longest(scenario))
    grid = _grid(dist.upper)
    net = network.compile()
    longest = timeline(with_duration(scenario, grid[-1]), network)
    cone = cone_of(net, longest.seeds(net.link_cust_node))
    # A shorter disruption is the longest one cut short: while its TTR stays below the
    # longest one's TTS, nothing is lost and no LP is needed.
    tts = time_to_survive(net, longest, cone)
    main = [e for e in scenario.events if e.duration_weeks == _longest(scenario)]
    main_start = max(e.start_week for e in main)
    t0 = _others_end(scenario)
    tail = None
    if len({e.start_week for e in main}) == 1 and grid[-1] > t0 - main_start:
        tail = _Tail(net, cone, longest, t0)
    weeks, values = [0.0], [0.0]
    for d in grid[1:]:
        tl = timeline(with_duration(scenario, d), network)
        if tl.ttr_weeks <= tts:
            lost = 0.0
        elif tail is not None and main_start + d > t0:
            lost = tail.lost_value(float(main_start + d - t0))
        else:
            short = lost_need(net, tl, tl.ttr_weeks, cone)
            lost = sum((s.units * s.value_per_unit for s in short), 0.0)
        weeks.append(float(d))
        values.append(lost)
    kink = tts - main_start
    if math.isfinite(tts) and t0 <= tts and 0 < kink < grid[-1]:
        # A disruption ending exactly when the network would first run short loses nothing:
        # the kink of the curve, which interpolating between whole weeks would smooth over.
        at = int(np.searchsorted(weeks, kink))
        if weeks[at] != kink:
            weeks.insert(at, kink)
            values.insert(at, 0.0)
    # LP noise must not make a longer disruption cheaper than a shorter one.
    curve = np.maximum.accumulate(np.asarray(values, dtype=np.float64))
    return LossCurve(scenario.name, np.asarray(weeks, dtype=np.float64), curve)


def risk_measures(losses: FloatArray, alpha: float = ALPHA) -> tuple[float, float, float]:
    """(expected loss, VaR, CVaR) at level ``alpha`` of equally likely ``losses``.

    VaR is the smallest loss ``x`` with ``P(loss <= x) >= alpha``; CVaR is the mean of the
    worst ``1 - alpha`` of the probability mass (Rockafellar-Uryasev:
    ``VaR + E[(loss - VaR)+] / (1 - alpha)``), so it is exact for discrete samples too.
    """
    n = losses.size
    if n == 0:
        raise ValueError("no samples")
    k = max(math.ceil(alpha * n) - 1, 0)
    var = float(np.partition(losses, k)[k])
    cvar = var + float(np.maximum(losses - var, 0.0).sum()) / (n * (1 - alpha))
    return float(losses.mean()), var, cvar


@dataclass(frozen=True)
class ScenarioLoss:
    scenario: str
    probability: float
    expected_loss: float  # its share of the yearly expected loss
    tail_loss: float  # its mean loss in the years beyond VaR (what drives CVaR)

    def as_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario,
            "probability": self.probability,
            "expected_loss": round(self.expected_loss, 2),
            "tail_loss": round(self.tail_loss, 2),
        }


@dataclass(frozen=True)
class MonteCarloResult:
    samples: int
    seed: int
    alpha: float
    expected_loss: float
    var: float
    cvar: float
    std_error: float  # of the expected loss
    scenarios: tuple[ScenarioLoss, ...]
    curves: tuple[LossCurve, ...] = field(repr=False)
    losses: FloatArray = field(repr=False)  # the sampled yearly losses

    def as_dict(self) -> dict[str, object]:
        pct = round(self.alpha * 100)
        return {
            "samples": self.samples,
            "seed": self.seed,
            "expected_loss": round(self.expected_loss, 2),
            f"var_{pct}": round(self.var, 2),
            f"cvar_{pct}": round(self.cvar, 2),
            "std_error": round(self.std_error, 2),
            "scenarios": [s.as_dict() for s in self.scenarios],
        }


def sample_losses(
    scenarios: Sequence[Scenario],
    curves: Sequence[LossCurve],
    samples: int,
    seed: int = 0,
) -> FloatArray:
    """Lost value per (sample, scenario), shape ``(samples, len(scenarios))``: 0 in the years
    a scenario does not happen. Vectorised; drawn in chunks of at most ``CHUNK`` samples."""
    rng = np.random.default_rng(seed)
    out = np.zeros((samples, len(scenarios)))
    for start in range(0, samples, CHUNK):
        n = min(CHUNK, samples - start)
        for j, (s, curve) in enumerate(zip(scenarios, curves, strict=True)):
            dist = s.duration or FixedDuration(type="fixed", weeks=_longest(s))
            happens = rng.random(n) < (s.probability or 0.0)
            out[start : start + n, j] = np.where(happens, curve(dist.sample(rng, n)), 0.0)
    return out


def monte_carlo(
    network: Network,
    scenarios: Sequence[Scenario],
    samples: int = 100_000,
    seed: int = 0,
    *,
    curves: Sequence[LossCurve] | None = None,
) -> MonteCarloResult:
    """``samples`` simulated years of ``scenarios`` (each needs a ``probability``)."""
    if samples < 1:
        raise InputError("must be >= 1", column="samples")
    if not scenarios:
        raise InputError("give at least one scenario", column="scenarios")
    missing = [s.name for s in scenarios if s.probability is None]
    if missing:
        raise InputError(
            f"scenario(s) {', '.join(missing)} have no probability (chance per year); "
            "the Monte Carlo simulation needs one",
            column="probability",
        )
    curves = list(curves) if curves is not None else [loss_curve(network, s) for s in scenarios]
    per = sample_losses(scenarios, curves, samples, seed)
    total = per.sum(axis=1)
    expected, var, cvar = risk_measures(total)
    # The worst (1 - alpha) of the years, the ones CVaR averages over.
    m = max(1, math.ceil((1 - ALPHA) * samples))
    worst = np.argpartition(total, samples - m)[samples - m :]
    by_scenario = tuple(
        ScenarioLoss(s.name, float(s.probability or 0.0), float(per[:, j].mean()),
                     float(per[worst, j].mean()))
        for j, s in enumerate(scenarios)
    )  # fmt: skip
    return MonteCarloResult(
        samples=samples, seed=seed, alpha=ALPHA, expected_loss=expected, var=var, cvar=cvar,
        std_error=float(total.std(ddof=1) / math.sqrt(samples)) if samples > 1 else 0.0,
        scenarios=by_scenario, curves=tuple(curves), losses=total,
    )  # fmt: skip
