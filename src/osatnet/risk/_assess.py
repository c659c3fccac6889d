"""One call for the whole risk picture: concentration, node TTS/TTR, scenarios, rerouting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..registry.schemas import CapabilityRow
from ._concentration import Concentration, concentration
from ._network import Network
from ._reroute import Rerouter, RerouteResult, exchange_rerouter, reroute
from ._scenarios import Scenario
from ._tts import NodeRisk, ScenarioResult, node_risks, stress

__all__ = ["RiskResult", "assess"]


@dataclass(frozen=True)
class RiskResult:
    network: Network
    concentration: Concentration
    nodes: tuple[NodeRisk, ...]
    scenarios: tuple[ScenarioResult, ...]
    reroutes: tuple[RerouteResult, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "concentration": self.concentration.as_dict(),
            "nodes": [r.as_dict() for r in self.nodes],
            "scenarios": [s.as_dict() for s in self.scenarios],
            "reroutes": [r.as_dict() for r in self.reroutes],
        }


def assess(
    network: Network,
    scenarios: Sequence[Scenario] = (),
    *,
    horizon: int = 26,
    capabilities: Sequence[CapabilityRow] | None = None,
    rerouter: Rerouter = exchange_rerouter,
) -> RiskResult:
    """Everything the report shows. Rerouting runs when ``capabilities`` (the registry's
    capability rows of the member sites) are given."""
    results = tuple(stress(network, s, horizon) for s in scenarios)
    reroutes = (
        tuple(reroute(network, r, capabilities, rerouter) for r in results)
        if capabilities is not None
        else ()
    )
    return RiskResult(
        network=network,
        concentration=concentration(network),
        nodes=tuple(node_risks(network, horizon)),
        scenarios=results,
        reroutes=reroutes,
    )
