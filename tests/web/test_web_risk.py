"""The risk dashboard: the demo network under a shipped scenario, an uploaded workbook (its
errors listed, nothing stored), and a member's own sites highlighted, nobody else's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from osatnet.risk import Link, Need, Network, Node, NodeKind, write_network

from .conftest import Web
from .test_web_a11y import _check


@pytest.fixture
def db_url(tmp_path: object) -> Iterator[str]:
    yield f"sqlite:///{tmp_path}/osatnet.db"


def _network() -> Network:
    return Network(
        nodes=[
            Node("WIRE-JP", "Wire maker (JP)", NodeKind.TIER1, "JP", "Saga", 33.25, 130.30),
            Node("WIRE-DE", "Wire maker (DE)", NodeKind.TIER1, "DE", "Hesse", 50.13, 8.92),
            Node("KIKUCHI", "Kikuchi plant", NodeKind.MEMBER_SITE, "JP", "Kumamoto", 32.98,
                 130.81, member_id="m1"),
            Node("TAKAMATSU", "Takamatsu plant", NodeKind.MEMBER_SITE, "JP", "Kagawa", 34.34,
                 134.04, member_id="m2"),
        ],
        links=[
            Link("WIRE-JP", "KIKUCHI", "bonding_wire", 90, 120),
            Link("WIRE-DE", "KIKUCHI", "bonding_wire", 10, 40),
            Link("WIRE-JP", "TAKAMATSU", "bonding_wire", 80, 80),
        ],
        needs=[
            Need("KIKUCHI", "bonding_wire", 100, 250, 50),
            Need("TAKAMATSU", "bonding_wire", 80, 160, 40),
        ],
    )  # fmt: skip


def _upload(web: Web, user: str, path: Path, language: str = "en") -> tuple[int, str]:
    with web.signed_in(user, language) as c:
        token = web.csrf(c, "/risk")
        r = c.post(
            "/risk",
            data={"csrf": token, "network": "upload", "horizon": "12"},
            files={"file": (path.name, path.read_bytes())},
        )
        return r.status_code, r.text


def _own_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="own-row"><th scope="row">([^ <]+)', html)


def test_the_demo_network_under_a_shipped_scenario(web: Web) -> None:
    with web.signed_in("aud", "ja") as c:
        form = c.get("/risk").text
        assert "kumamoto-earthquake" in form and _check(form, "/risk (ja)") == []
        r = c.get("/risk?network=demo&scenario=kumamoto-earthquake&horizon=26")
        assert r.status_code == 200
        page = r.text
    assert (
        "供給の集中度" in page and "シナリオ別の損失" in page and "拠点とサプライヤーの地図" in page
    )
    assert page.count('class="plotly-graph-div') == 4  # HHI, TTS/TTR, scenarios, map
    assert '<th scope="row">kumamoto-earthquake</th>' in page
    assert '<th scope="row">T2-ABF-JP</th>' in page  # the ABF film maker: the most exposed node
    assert _own_rows(page) == []  # the auditor has no sites
    assert _check(page, "/risk?network=demo (ja)") == []
    with web.signed_in("m1-user") as c:
        assert c.get("/risk?network=demo&scenario=no-such").status_code == 422
        assert c.get("/risk?network=other").status_code == 422


def test_an_uploaded_workbook_highlights_the_members_own_sites(web: Web, tmp_path: Path) -> None:
    book = write_network(_network(), tmp_path / "network.xlsx")
    status, m1 = _upload(web, "m1-user", book)
    assert status == 200
    assert _own_rows(m1) == ["KIKUCHI"]
    assert "your site" in m1 and "Your sites in the network" in m1
    status, m2 = _upload(web, "m2-user", book, "ja")
    assert status == 200 and _own_rows(m2) == ["TAKAMATSU"] and "自社拠点" in m2
    status, office = _upload(web, "sec", book)
    assert status == 200 and _own_rows(office) == [] and "Your sites in the network" not in office


def test_a_broken_workbook_lists_every_problem(web: Web, tmp_path: Path) -> None:
    net = _network()
    net.links.append(Link("WIRE-XX", "KIKUCHI", "bonding_wire", 5, 5))
    book = write_network(net, tmp_path / "broken.xlsx")
    status, page = _upload(web, "m1-admin", book)
    assert status == 422
    assert "unknown node &#39;WIRE-XX&#39;" in page and "problem found" in page
    csv = tmp_path / "network.csv"
    csv.write_text("node_id\n", encoding="utf-8")
    status, page = _upload(web, "m1-admin", csv)
    assert status == 422 and "expected an .xlsx workbook" in page
