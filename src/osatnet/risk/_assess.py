"""One call for the whole risk picture: concentration, node TTS/TTR, scenarios, rerouting,
and the Monte Carlo of yearly losses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..registry.schemas import CapabilityRow
from ._concentration import Concentration, concentration
from ._montecarlo import MonteCarloResult, monte_carlo
from ._network import Network
from ._nodes import NodeRisk, node_risks
from ._reroute import Rerouter, RerouteResult, exchange_rerouter, reroute
from ._scenarios import Scenario
from ._tts import ScenarioResult, stress

__all__ = ["RiskResult", "assess"]


@dataclass(frozen=True)
class RiskResult:
    network: Network
    concentration: Concentration
    nodes: tuple[NodeRisk, ...]
    scenarios: tuple[ScenarioResult, ...]
    reroutes: tuple[RerouteResult, ...] = ()
    montecarlo: MonteCarloResult | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "concentration": self.concentration.as_dict(),
            "nodes": [r.as_dict() for r in self.nodes],
            "scenarios": [s.as_dict() for s in self.scenarios],
            "reroutes": [r.as_dict() for r in self.reroutes],
            "montecarlo": None if self.montecarlo is None else self.montecarlo.as_dict(),
        }


def assess(
    network: Network,
    scenarios: Sequence[Scenario] = (),
    *,
    horizon: int = 26,
    capabilities: Sequence[CapabilityRow] | None = None,
    rerouter: Rerouter = exchange_rerouter,
    samples: int = 10_000,
    seed: int = 0,
) -> RiskResult:
    """Everything the report shows. Rerouting runs when ``capabilities`` (the registry's
    capability rows of the member sites) are given; the Monte Carlo (``samples`` years, 0 for
    none) when every scenario has a probability."""
    results = tuple(stress(network, s, horizon) for s in scenarios)
    reroutes = (
        tuple(reroute(network, r, capabilities, rerouter) for r in results)
        if capabilities is not None
        else ()
    )
    simulated = (
        monte_carlo(network, scenarios, samples, seed)
        if samples > 0 and scenarios and all(s.probability is not None for s in scenarios)
        else None
    )
    return RiskResult(
        network=network,
        concentration=concentration(network),
        nodes=tuple(node_risks(network, horizon)),
        scenarios=results,
        reroutes=reroutes,
        montecarlo=simulated,
    )
