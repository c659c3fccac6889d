"""The exchange, procurement and risk routes end to end over HTTP, with their walls."""

from __future__ import annotations

from pathlib import Path

from osatnet.demo import generate_registry
from osatnet.risk import generate_network, write_network

from .conftest import LiveServer


def test_exchange_round_trip(live: LiveServer) -> None:
    with live.client("m1-admin") as m1:
        offer = m1.post("/api/v1/exchange/2026Q3/offers", json={
            "process": "final_test", "week": "2026-W36", "capacity": 5000, "unit_price": 6,
            "site_id": "s1"})  # fmt: skip
        assert offer.status_code == 201, offer.text
    with live.client("m2-user") as m2:
        request = m2.post("/api/v1/exchange/2026Q3/requests", json={
            "process": "final_test", "quantity": 3000, "max_price": 9, "unserved_penalty": 10})  # fmt: skip
        assert request.status_code == 201, request.text
        assert m2.get("/api/v1/exchange/2026Q3/offers").json() == []  # m1's offer is not its own
    with live.client("sec") as sec:
        assert sec.get("/api/v1/exchange/2026Q3/offers").status_code == 403
        run = sec.post("/api/v1/exchange/2026Q3/clear", json={"week": "36"})
        assert run.status_code == 200, run.text
        assert run.json()["served"] == 3000
        released = sec.post("/api/v1/exchange/2026Q3/release", json={"week": "36"})
        assert released.status_code == 201
        assert all(c["value"] is None for c in released.json()["cells"])  # two members: withheld
    with live.client("m2-user") as m2:
        (match,) = m2.get("/api/v1/exchange/2026Q3/matches").json()
        assert match["quantity"] == 3000
    with live.client("m1-user") as m1:
        assert [m["quantity"] for m in m1.get("/api/v1/exchange/2026Q3/matches").json()] == [3000]


def test_procurement_round(live: LiveServer) -> None:
    with live.client("sec") as sec:
        assert (
            sec.post("/api/v1/procurement/rounds", json={"key": "R1", "title": "wire"}).status_code
            == 201
        )
    for user, member, qty in (("m1-admin", "m1", 400), ("m2-user", "m2", 600)):
        with live.client(user) as c:
            rows = [
                {
                    "member_id": member,
                    "category": "bonding_wire_cu",
                    "quantity": qty,
                    "current_unit_price": 120,
                }
            ]
            assert (
                c.post("/api/v1/procurement/rounds/R1/demand", json={"rows": rows}).status_code
                == 201
            )
    with live.client("m1-admin") as c:
        wrong = c.post("/api/v1/procurement/rounds/R1/demand", json={"rows": [
            {"member_id": "m2", "category": "bonding_wire_cu", "quantity": 1}]})  # fmt: skip
        assert wrong.status_code in (403, 422)
    with live.client("sec") as sec:
        quotes = [
            {
                "supplier_id": "A",
                "category": "bonding_wire_cu",
                "breaks": [[1, 110], [800, 90]],
                "country": "JP",
            },
            {
                "supplier_id": "B",
                "category": "bonding_wire_cu",
                "breaks": [[1, 105]],
                "country": "DE",
            },
        ]
        assert sec.post("/api/v1/procurement/rounds/R1/quotes", json={"quotes": quotes}).json() == {
            "quotes": 2
        }
        assert sec.post("/api/v1/procurement/rounds/R1/close").status_code == 200
        summary = sec.post("/api/v1/procurement/rounds/R1/award", json={"method": "shapley"})
        assert summary.status_code == 200, summary.text
        assert sec.get("/api/v1/procurement/rounds/R1/result").status_code == 403
    with live.client("m1-user") as c:
        mine = c.get("/api/v1/procurement/rounds/R1/result").json()
        assert mine["member_id"] == "m1" and mine["cost"] < mine["solo_cost"]
        assert [d["quantity"] for d in c.get("/api/v1/procurement/rounds/R1/demand").json()] == [
            400
        ]


def test_risk_assessment_of_an_uploaded_network(live: LiveServer, tmp_path: Path) -> None:
    path = write_network(generate_network(generate_registry(7), 7), tmp_path / "network.xlsx")
    with live.client("m2-user") as c:
        names = [s["name"] for s in c.get("/api/v1/risk/scenarios").json()]
        assert "kumamoto-earthquake" in names or len(names) >= 4
        r = c.post(
            "/api/v1/risk/assess",
            files={"network": ("network.xlsx", path.read_bytes())},
            data={"scenario": names[:1], "horizon": "26"},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["concentration"]["items"] and len(body["nodes"]) > 10
        bad = c.post("/api/v1/risk/assess", files={"network": ("n.csv", b"x")})
        assert (
            bad.status_code == 422 and bad.json()["detail"] == "n.csv: expected an .xlsx workbook"
        )
