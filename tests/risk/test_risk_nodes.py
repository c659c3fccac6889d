"""The fast node-by-node path (closed form, aggregate LPs) equals the week-by-week LPs."""

from __future__ import annotations

import math

import pytest
from risk_testlib import single_tier, two_tier

from osatnet.demo.generator import generate_registry
from osatnet.risk import (
    Network,
    generate_network,
    lost_need,
    node_outage,
    node_risks,
    time_to_survive,
)
from osatnet.risk._lp import cone_of


def weekly(net: Network, horizon: int = 26) -> dict[str, tuple[float, float, float]]:
    """TTS, lost units and value of every node down, by the week-by-week LPs."""
    compiled = net.compile()
    out = {}
    for node in net.nodes:
        tl = node_outage(net, node.node_id)
        cone = cone_of(compiled, tl.seeds(compiled.link_cust_node))
        tts = time_to_survive(compiled, tl, cone)
        short = (
            lost_need(compiled, tl, min(tl.ttr_weeks, horizon), cone) if tl.ttr_weeks > tts else []
        )
        out[node.node_id] = (
            tts, sum(s.units for s in short), sum(s.units * s.value_per_unit for s in short)
        )  # fmt: skip
    return out


@pytest.mark.parametrize("horizon", [26, 6])
def test_fast_path_matches_weekly_lps_on_the_demo_network(horizon: int) -> None:
    net = generate_network(generate_registry(7), 7)
    expected = weekly(net, horizon)
    got = node_risks(net, horizon)
    assert len(got) == len(net.nodes)
    assert any(r.reach == 1 and r.lost_value > 0 for r in got)  # the closed form is exercised
    for r in got:
        tts, units, value = expected[r.node_id]
        if math.isinf(tts):
            assert math.isinf(r.tts_weeks), r
        else:
            assert r.tts_weeks == pytest.approx(tts, rel=1e-6, abs=1e-6), r
        assert r.lost_units == pytest.approx(units, rel=1e-6, abs=1e-3), r
        assert r.lost_value == pytest.approx(value, rel=1e-6, abs=1e-3), r


def test_closed_form_for_a_node_nobody_depends_on() -> None:
    # M down 4 weeks (two_tier): 15 in stock, 5 a week -> TTS 3, 5 units lost at 100.
    m = node_risks(two_tier(), nodes=["M"])[0]
    assert (m.tts_weeks, m.lost_units, m.lost_value, m.reach) == pytest.approx((3, 5, 500, 1))
    ok = node_risks(single_tier(4.0, 1e9, 0.0), nodes=["M"])[0]
    assert math.isinf(ok.tts_weeks) and ok.lost_value == 0.0


def test_workers_give_the_same_ranking() -> None:
    net = two_tier()
    assert node_risks(net, workers=2) == node_risks(net)
