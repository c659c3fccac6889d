"""Rerouting onto the alliance's spare capacity reduces the loss, and no more than it can."""

from __future__ import annotations

import pytest
from risk_testlib import node

from osatnet.registry.schemas import CapabilityRow
from osatnet.risk import (
    BomLine,
    Link,
    LostDemand,
    Need,
    Network,
    NodeKind,
    SpareCapacity,
    exchange_rerouter,
    lp_rerouter,
    parse_scenario,
    reroute,
    stress,
)

PKG = "leadframe_package"


def network() -> Network:
    """M1 and M2 each make 100 packages a week from their own leadframe supplier; M3 is idle."""
    sites = [node(m, NodeKind.MEMBER_SITE) for m in ("M1", "M2", "M3")]
    return Network(
        nodes=[node("S1"), node("S2"), *sites],
        links=[Link("S1", "M1", "LF", 5, 5), Link("S2", "M2", "LF", 5, 5)],
        needs=[Need("M1", PKG, 100, 0, 30.0), Need("M2", PKG, 100, 0, 30.0)],
        bom=[BomLine("M1", PKG, "LF", 0.05), BomLine("M2", PKG, "LF", 0.05)],
    ).validate()


def caps(m2: float, m3: float) -> list[CapabilityRow]:
    return [
        CapabilityRow(site_id="M1", process=PKG, weekly_capacity=120),
        CapabilityRow(site_id="M2", process=PKG, weekly_capacity=m2),
        CapabilityRow(site_id="M3", process=PKG, weekly_capacity=m3),
    ]


SCENARIO = parse_scenario(
    "name: s1-down\nevents:\n  - {type: supplier_failure, nodes: [S1], duration_weeks: 2}\n"
)


@pytest.mark.parametrize("rerouter", [lp_rerouter, exchange_rerouter])
def test_spare_capacity_absorbs_the_loss(rerouter: object) -> None:
    net = network()
    result = stress(net, SCENARIO)
    assert result.lost_units == pytest.approx(200.0)
    # M2 has 150 - 100 = 50 spare a week, M3 30: 160 of the 200 lost units find a host.
    done = reroute(net, result, caps(150, 30), rerouter)  # type: ignore[arg-type]
    assert done.placed_units == pytest.approx(160.0)
    assert done.avoided_value == pytest.approx(160 * 30.0)
    assert done.lost_value_after == pytest.approx(40 * 30.0)
    assert done.as_dict()["placements"] == len(done.placements) > 0


def test_hit_and_short_hosts_offer_nothing() -> None:
    net = network()
    both = parse_scenario(
        "name: both\nevents:\n  - {type: supplier_failure, nodes: [S1, S2], duration_weeks: 1}\n"
    )
    result = stress(net, both)
    done = reroute(net, result, caps(500, 0), lp_rerouter)
    assert done.placed_units == 0.0  # M2 is short itself, M3 has no capacity
    down = parse_scenario(
        "name: m3\nevents:\n  - {type: supplier_failure, nodes: [S1, M3], duration_weeks: 1}\n"
    )
    done = reroute(net, stress(net, down), caps(100, 500), lp_rerouter)
    assert done.placed_units == 0.0  # M3 is down, M2 is full


def test_rerouters_place_only_same_process_and_week() -> None:
    lost = [LostDemand("L1", "A", PKG, 0, 10, 5.0), LostDemand("L2", "A", PKG, 1, 10, 9.0)]
    spare = [SpareCapacity("O1", "B", PKG, 1, 4), SpareCapacity("O2", "B", "final_test", 0, 9)]
    placed = lp_rerouter(lost, spare)
    assert [(p.request_id, p.offer_id, p.units) for p in placed] == [("L2", "O1", 4.0)]
    assert lp_rerouter(lost[:1], spare[:1]) == []
    assert lp_rerouter([], spare) == [] and exchange_rerouter(lost, []) == []
