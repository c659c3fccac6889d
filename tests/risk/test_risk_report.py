"""The demo network follows the public facts; the report section renders offline."""

from __future__ import annotations

import math

from osatnet.demo.generator import generate_registry
from osatnet.reporting import Report
from osatnet.risk import (
    NodeKind,
    assess,
    concentration,
    generate_network,
    risk_section,
    shipped_scenarios,
)
from osatnet.risk._report import loss_distribution_figure, map_figure

REAL_NAMES = (
    "ajinomoto", "ibiden", "shinko", "unimicron", "nan ya", "samsung", "tanaka", "heraeus",
    "mitsui", "asmpt", "chang wah", "sumitomo", "resonac", "kyocera",
)  # fmt: skip


def test_demo_network_facts() -> None:
    registry = generate_registry(7)
    net = generate_network(registry, 7)
    assert net == generate_network(registry, 7)  # deterministic
    members = {n.node_id for n in net.nodes if n.kind is NodeKind.MEMBER_SITE}
    osat = {m.member_id for m in registry.members if m.role.value == "osat"}
    assert members == {s.site_id for s in registry.sites if s.member_id in osat}
    assert not any(word in n.name.lower() for n in net.nodes for word in REAL_NAMES)
    items = {c.item: c for c in concentration(net).items}
    assert items["abf_film"].top_country == "JP"
    assert 80 <= items["abf_film"].top_supplier_share <= 97
    makers = {k.supplier_id for k in net.links if k.item == "substrate"}
    assert {net.node(m).country for m in makers} == {"JP", "TW", "KR"}
    assert any(n.kind is NodeKind.LOGISTICS_HUB for n in net.nodes)
    assert any(n.kind is NodeKind.TIER2_PLUS for n in net.nodes)


def test_assess_and_section() -> None:
    registry = generate_registry(7)
    net = generate_network(registry, 7)
    library = shipped_scenarios()
    chosen = [library["kumamoto-earthquake"], library["abf-film-maker-failure"]]
    result = assess(net, chosen, horizon=20, capabilities=registry.capabilities)
    assert len(result.scenarios) == len(result.reroutes) == 2
    for before, after in zip(result.scenarios, result.reroutes, strict=True):
        assert 0 <= after.lost_value_after <= before.lost_value + 1e-6
    assert result.reroutes[1].avoided_value > 0
    assert result.nodes[0].exposure == 1.0
    assert any(math.isinf(r.tts_weeks) for r in result.nodes)
    data = result.as_dict()
    assert set(data) == {"concentration", "nodes", "scenarios", "reroutes", "montecarlo"}
    assert result.montecarlo is not None and result.montecarlo.samples == 10_000
    assert data["montecarlo"]["cvar_95"] >= data["montecarlo"]["var_95"] >= 0  # type: ignore[index]
    report = Report("Risk")
    section = risk_section(report, result)
    html = section.render()
    assert "Supply-chain risk" in html and "Top risks" in html
    assert "kumamoto-earthquake" in html
    assert "Simulated yearly lost value" in html and "CVaR 95%" in html
    # A plain lon/lat scatter: geo traces would fetch map outlines from a CDN.
    assert {trace.type for trace in map_figure(result).data} == {"scatter"}
    bare = assess(net, horizon=20)
    assert bare.montecarlo is None
    assert risk_section(Report("Risk"), bare).render().count("<figure>") == 3
    # The histogram is binned: the report does not carry every sampled year.
    fig = loss_distribution_figure(result.montecarlo)
    assert all(len(t.x) <= 40 for t in fig.data)
