"""Time to survive / recover: the single-tier rule, hand-worked networks, BOM propagation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from risk_testlib import node, single_tier, two_tier

from osatnet.risk import (
    BomLine,
    Link,
    Need,
    Network,
    NodeKind,
    lost_need,
    node_outage,
    node_risks,
    parse_scenario,
    stress,
    time_to_survive,
)
from osatnet.risk._lp import cone_of, whole


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.floats(1.0, 1_000.0),
    inventory=st.floats(0.0, 100_000.0),
    alt=st.floats(0.0, 1_500.0),
)
def test_single_tier_rule(n: float, inventory: float, alt: float) -> None:
    expected = inventory / (n - alt) if alt < n else math.inf
    assume(expected < 5_000 or alt >= n)  # beyond that the LP's horizon cap says "forever"
    net = single_tier(n, inventory, alt)
    tts = time_to_survive(net.compile(), node_outage(net, "S1"))
    if math.isinf(expected):
        assert math.isinf(tts)
    else:
        assert tts == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_single_tier_losses_by_hand() -> None:
    # 12 weeks x 4 needed, 10 in stock + 12 x 1 from the second source: 26 units lost.
    risk = node_risks(single_tier(4.0, 10.0, 1.0), nodes=["S1"])[0]
    assert risk.tts_weeks == pytest.approx(10 / 3)
    assert risk.ttr_weeks == 12
    assert risk.lost_units == pytest.approx(26.0)
    assert risk.lost_value == pytest.approx(260.0)
    assert risk.at_risk and risk.exposure == 1.0


def test_two_tier_by_hand() -> None:
    net = two_tier()
    risks = {r.node_id: r for r in node_risks(net)}
    assert risks["T2"].tts_weeks == pytest.approx(8.75)
    assert risks["T1"].tts_weeks == pytest.approx(3.75)
    assert risks["M"].tts_weeks == pytest.approx(3.0)
    assert math.isinf(risks["T1b"].tts_weeks)  # nothing depends on it at plan
    # T2 down 12 weeks: 60 needed, 35 + 12 available.
    assert risks["T2"].lost_units == pytest.approx(13.0)
    assert risks["T2"].lost_value == pytest.approx(1300.0)
    # M down 4 weeks (its own TTR): 20 needed, 15 on hand.
    assert risks["M"].lost_units == pytest.approx(5.0)
    assert risks["T2"].reach == 3  # T2, T1, M
    top = max(r.lost_value for r in risks.values())
    assert risks["T1"].exposure == pytest.approx(risks["T1"].lost_value / top)
    ranked = node_risks(net)
    assert [r.exposure for r in ranked] == sorted((r.exposure for r in ranked), reverse=True)


def test_scarcest_bom_input_sets_tts() -> None:
    # M makes P from X (1 each) and Y (0.5 each); P is needed 10 a week. With Y's supplier
    # gone, 10 Y in stock feed 20 P: 2 weeks, although X would last 3.
    net = Network(
        nodes=[node("SX"), node("SY", ttr=6), node("M", NodeKind.MEMBER_SITE)],
        links=[Link("SX", "M", "X", 10.0, 10.0), Link("SY", "M", "Y", 5.0, 5.0)],
        needs=[Need("M", "P", 10.0, 0.0, 50.0), Need("M", "X", 0.0, 30.0, 0.0),
               Need("M", "Y", 0.0, 10.0, 0.0)],
        bom=[BomLine("M", "P", "X", 1.0), BomLine("M", "P", "Y", 0.5)],
    ).validate()  # fmt: skip
    risks = {r.node_id: r for r in node_risks(net)}
    assert risks["SY"].tts_weeks == pytest.approx(2.0)
    assert risks["SX"].tts_weeks == pytest.approx(3.0)
    # SY down 6 weeks: 60 P needed, 20 made: 40 lost at 50 each.
    assert risks["SY"].lost_value == pytest.approx(2000.0)


def test_scenario_starting_later_uses_the_weeks_before() -> None:
    # S1 fails in weeks 2-5. Weeks 0-1 build stock to 8 with the second source (5 in, 4 out);
    # then -3 a week: 8 / 3 weeks more, TTS = 2 + 8/3. Weeks 2-5 need 16, 8 + 4 there.
    net = single_tier(4.0, 6.0, 1.0)
    scenario = parse_scenario(
        "name: s1\nevents:\n  - type: supplier_failure\n    nodes: [S1]\n"
        "    start_week: 2\n    duration_weeks: 4\n"
    )
    result = stress(net, scenario)
    assert result.tts_weeks == pytest.approx(2 + 8 / 3)
    assert result.ttr_weeks == 6
    assert result.horizon == 6
    assert result.lost_units == pytest.approx(4.0)
    assert {s.week for s in result.shortfalls} <= {4, 5}
    assert result.lost_by_node()["M"][1] == pytest.approx(40.0)
    assert result.as_dict()["hit_nodes"] == ["S1"]


def test_scenario_that_does_not_bite() -> None:
    scenario = parse_scenario(
        "name: short\nevents:\n  - type: supplier_failure\n    nodes: [S1]\n    duration_weeks: 2\n"
    )
    result = stress(single_tier(4.0, 10.0, 1.0), scenario, horizon=10)
    assert math.isinf(result.tts_weeks)
    assert result.lost_units == 0.0 and result.as_dict()["tts_weeks"] is None


def test_restricting_to_the_reach_changes_nothing() -> None:
    net = two_tier()
    compiled = net.compile()
    for node_id in compiled.node_ids:
        tl = node_outage(net, node_id)
        reach = cone_of(compiled, tl.seeds(compiled.link_cust_node))
        everything = whole(compiled)
        assert time_to_survive(compiled, tl, reach) == pytest.approx(
            time_to_survive(compiled, tl, everything)
        )
        lost_a = sum(s.units for s in lost_need(compiled, tl, 12, reach))
        lost_b = sum(s.units for s in lost_need(compiled, tl, 12, everything))
        assert lost_a == pytest.approx(lost_b)


def test_no_losses_without_weeks_or_needs() -> None:
    net = two_tier()
    compiled = net.compile()
    assert lost_need(compiled, node_outage(net, "T2"), 0) == []
    assert math.isinf(time_to_survive(compiled, node_outage(net, "T1b")))
    empty = np.zeros(compiled.n_nodes, dtype=np.bool_)
    assert cone_of(compiled, empty).pairs.size == 0
