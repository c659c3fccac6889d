"""HHI against hand computation."""

from __future__ import annotations

import pytest
from risk_testlib import node

from osatnet.risk import Link, Network, NodeKind, concentration
from osatnet.risk._concentration import level


def network() -> Network:
    nodes = [
        node("A", region="Kumamoto"), node("B", region="Oita"),
        node("C", country="TW", region="Taipei"), node("D", country="KR", region="Busan"),
        node("H", NodeKind.LOGISTICS_HUB, country="SG", region="Singapore"),
        node("M", NodeKind.MEMBER_SITE), node("N", NodeKind.MEMBER_SITE),
    ]  # fmt: skip
    links = [
        # X: A 60, B 30, C 10 -> by supplier 3600 + 900 + 100 = 4600; by country JP 90, TW 10
        # -> 8100 + 100 = 8200; by region 4600 again.
        Link("A", "M", "X", 40, 40), Link("A", "N", "X", 20, 20),
        Link("B", "M", "X", 30, 30), Link("C", "N", "X", 10, 10),
        # Y: A, B, C, D 25 each -> 2500 (moderate, not above 2,500); countries JP 50, TW, KR 25.
        Link("A", "M", "Y", 5, 5), Link("B", "M", "Y", 5, 5),
        Link("C", "M", "Y", 5, 5), Link("D", "M", "Y", 5, 5),
        # Z: one source; the hub relays it and is not counted; a zero-volume link neither.
        Link("D", "H", "Z", 7, 7), Link("H", "M", "Z", 7, 7), Link("C", "M", "Z", 0, 3),
    ]  # fmt: skip
    return Network(nodes=nodes, links=links).validate()


def test_hand_computed() -> None:
    result = {c.item: c for c in concentration(network()).items}
    x, y, z = result["X"], result["Y"], result["Z"]
    assert x.hhi_supplier == pytest.approx(4600.0)
    assert x.hhi_country == pytest.approx(8200.0)
    assert x.hhi_region == pytest.approx(4600.0)
    assert (x.top_supplier, x.top_supplier_share) == ("A", pytest.approx(60.0))
    assert (x.top_country, x.top_country_share) == ("JP", pytest.approx(90.0))
    assert x.level_supplier == "high"
    assert y.hhi_supplier == pytest.approx(2500.0) and y.level_supplier == "moderate"
    assert y.hhi_country == pytest.approx(2500 + 625 + 625)
    assert z.hhi_supplier == 10_000 and z.suppliers == 1 and z.volume == 7


def test_lists_and_order() -> None:
    result = concentration(network())
    assert result.single_source == ["Z"]
    assert result.single_country == ["Z"]
    assert [c.item for c in result.items] == ["Z", "X", "Y"]
    data = result.as_dict()
    assert data["single_source"] == ["Z"]
    items = data["items"]
    assert isinstance(items, list) and items[0]["level_country"] == "high"


def test_thresholds() -> None:
    assert level(2500.0) == "moderate"
    assert level(2500.1) == "high"
    assert level(1500.0) == "moderate"
    assert level(1499.9) == "low"


def test_empty_network() -> None:
    assert concentration(Network(nodes=[node("A")])).items == ()
