"""Supply-chain risk of the alliance: network, concentration, scenarios, TTS/TTR, rerouting,
Monte Carlo of the yearly loss.

Pure functions over a :class:`Network` (read from CSV / .xlsx by :func:`read_network`);
the model and file formats are documented in ``docs/risk.md``.
"""

from __future__ import annotations

from ._assess import RiskResult, assess
from ._concentration import HIGH, MODERATE, Concentration, ItemConcentration, concentration
from ._duration import FixedDuration, LognormalDuration, TriangularDuration, UniformDuration
from ._files import read_network, read_network_files, write_network
from ._montecarlo import (
    LossCurve,
    MonteCarloResult,
    ScenarioLoss,
    loss_curve,
    monte_carlo,
    risk_measures,
    with_duration,
)
from ._network import DEFAULT_TTR_WEEKS, BomLine, Compiled, Link, Need, Network, Node, NodeKind
from ._nodes import NodeRisk, node_risks
from ._report import risk_section
from ._reroute import (
    LostDemand,
    Placement,
    Rerouter,
    RerouteResult,
    SpareCapacity,
    exchange_rerouter,
    lp_rerouter,
    reroute,
)
from ._scenarios import (
    CountryExportBan,
    RegionOutage,
    Scenario,
    SupplierFailure,
    Timeline,
    TransportDisruption,
    load_scenario,
    node_outage,
    parse_scenario,
    shipped_scenarios,
    timeline,
)
from ._tts import TTS_CAP_WEEKS, ScenarioResult, Shortfall, lost_need, stress, time_to_survive
from .demo_network import generate_network

__all__ = [
    "DEFAULT_TTR_WEEKS",
    "HIGH",
    "MODERATE",
    "TTS_CAP_WEEKS",
    "BomLine",
    "Compiled",
    "Concentration",
    "CountryExportBan",
    "FixedDuration",
    "ItemConcentration",
    "Link",
    "LognormalDuration",
    "LossCurve",
    "LostDemand",
    "MonteCarloResult",
    "Need",
    "Network",
    "Node",
    "NodeKind",
    "NodeRisk",
    "Placement",
    "RegionOutage",
    "RerouteResult",
    "Rerouter",
    "RiskResult",
    "Scenario",
    "ScenarioLoss",
    "ScenarioResult",
    "Shortfall",
    "SpareCapacity",
    "SupplierFailure",
    "Timeline",
    "TransportDisruption",
    "TriangularDuration",
    "UniformDuration",
    "assess",
    "concentration",
    "exchange_rerouter",
    "generate_network",
    "load_scenario",
    "loss_curve",
    "lost_need",
    "lp_rerouter",
    "monte_carlo",
    "node_outage",
    "node_risks",
    "parse_scenario",
    "read_network",
    "read_network_files",
    "reroute",
    "risk_measures",
    "risk_section",
    "shipped_scenarios",
    "stress",
    "time_to_survive",
    "timeline",
    "with_duration",
    "write_network",
]
