"""Small networks whose answers are worked out by hand in the tests."""

from __future__ import annotations

from osatnet.risk import BomLine, Link, Need, Network, Node, NodeKind


def node(
    node_id: str,
    kind: NodeKind = NodeKind.TIER1,
    country: str = "JP",
    region: str = "Kumamoto",
    lat: float = 32.8,
    lon: float = 130.7,
    ttr: int | None = None,
) -> Node:
    return Node(node_id, f"{node_id} name", kind, country, region, lat, lon, ttr_weeks=ttr)


def single_tier(n: float, inventory: float, alt: float, ttr: int = 12) -> Network:
    """M needs ``n`` of X a week from S1; S2 can send up to ``alt``; M holds ``inventory``."""
    return Network(
        nodes=[
            node("S1", ttr=ttr),
            node("S2", country="TW", region="Taipei", lat=25.0, lon=121.5),
            node("M", NodeKind.MEMBER_SITE, region="Oita", lat=33.2, lon=131.6),
        ],
        links=[Link("S1", "M", "X", n, n), Link("S2", "M", "X", 0.0, alt)],
        needs=[Need("M", "X", n, inventory, 10.0)],
    ).validate()


def two_tier() -> Network:
    """T2 sends R to T1, which makes X (2 R each) for M; T1b can send M 1 X a week.

    Stocks: T1 holds 20 R and 10 X, M holds 15 X; M needs 5 X a week (value 100).
    T2 down for good: M can count on 15 + 10 + 20 / 2 = 35 X plus 1 a week, so it lasts
    35 / (5 - 1) = 8.75 weeks. T1 down: 15 / 4 = 3.75 weeks. M itself down: 15 / 5 = 3.
    """
    return Network(
        nodes=[
            node("T2", NodeKind.TIER2_PLUS, ttr=12),
            node("T1", ttr=12),
            node("T1b", country="KR", region="Busan", lat=35.1, lon=129.0),
            node("M", NodeKind.MEMBER_SITE, region="Oita", lat=33.2, lon=131.6, ttr=4),
        ],
        links=[
            Link("T2", "T1", "R", 10.0, 12.0),
            Link("T1", "M", "X", 5.0, 10.0),
            Link("T1b", "M", "X", 0.0, 1.0),
        ],
        needs=[
            Need("M", "X", 5.0, 15.0, 100.0),
            Need("T1", "X", 0.0, 10.0, 0.0),
            Need("T1", "R", 0.0, 20.0, 0.0),
        ],
        bom=[BomLine("T1", "X", "R", 2.0)],
    ).validate()
