"""The REST API against a live server: answers, errors, and who may read what."""

from __future__ import annotations

import pytest

from tests.vault.conftest import GOOD

from .conftest import LiveServer


def test_openapi_and_me(live: LiveServer) -> None:
    with live.client() as anon:
        schema = anon.get("/openapi.json").json()
        assert "/api/v1/submissions" in schema["paths"]
        r = anon.get("/api/v1/me")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert anon.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
        bad = anon.get("/api/v1/me", headers={"Authorization": "Bearer osn_wrong"})
        assert bad.status_code == 401 and bad.json()["detail"] == "invalid or revoked API token"
    with live.client("m1-admin") as c:
        assert c.get("/api/v1/me").json() == {
            "username": "m1-admin",
            "role": "member_admin",
            "member_id": "m1",
        }


def test_registry_reads(live: LiveServer) -> None:
    with live.client("m2-user") as c:
        assert [m["member_id"] for m in c.get("/api/v1/members").json()] == ["m1", "m2", "m3"]
        assert c.get("/api/v1/members/m3").json()["country"] == "MY"
        assert c.get("/api/v1/members/zz").status_code == 404
        assert [s["site_id"] for s in c.get("/api/v1/sites", params={"member": "m1"}).json()] == [
            "s1"
        ]
        caps = c.get("/api/v1/capabilities", params={"process": "final_test"}).json()
        assert caps == [
            {
                "site_id": "s1",
                "process": "final_test",
                "weekly_capacity": 200000.0,
                "automotive": True,
            }
        ]
        assert len(c.get("/api/v1/processes").json()) == 16
        assert c.post("/api/v1/periods", json={"key": "2026Q4"}).status_code == 403
    with live.client("sec") as c:
        assert c.post("/api/v1/periods", json={"key": "2026Q4"}).status_code == 201
        assert c.post("/api/v1/periods", json={"key": "2026Q4"}).status_code == 409
        assert c.post("/api/v1/periods", json={"key": "soon"}).status_code == 422
        assert c.post("/api/v1/periods/2026Q4/close").json()["status"] == "closed"
        assert c.post("/api/v1/periods/2026Q4/reopen").json()["status"] == "open"
        assert [p["key"] for p in c.get("/api/v1/periods").json()] == ["2026Q2", "2026Q3", "2026Q4"]


def test_submission_flow(submitted: LiveServer) -> None:
    with submitted.client("m1-user") as c:
        listed = c.get("/api/v1/submissions").json()
        assert [(s["version"], s["status"]) for s in listed] == [(1, "active")]
        values = c.get("/api/v1/submissions/2026Q3/values").json()
        assert {v["measure"] for v in values} >= {"unit_cost_total", "headcount"}
        rows = {"rows": [{"member_id": "m1", "measure": "revenue_share_other_pct", "value": 100}]}
        assert c.post("/api/v1/submissions/2026Q3", json=rows).json()["version"] == 2
        assert c.get("/api/v1/submissions/2026Q3/values", params={"version": 1}).status_code == 200
        assert c.delete("/api/v1/submissions/2026Q3").json()["status"] == "withdrawn"
        assert c.get("/api/v1/submissions/2026Q3/values").status_code == 404
    with submitted.client("sec") as c:
        status = c.get("/api/v1/submissions/2026Q3/status").json()
        assert [(s["member_id"], s["status"]) for s in status] == [("m1", "withdrawn")]


def test_bad_upload_is_422_with_rows(live: LiveServer) -> None:
    bad = GOOD.replace("82.5", "182.5").replace("s1,burn_in", "s2,burn_in")
    with live.client("m1-admin") as c:
        r = c.post("/api/v1/submissions/2026Q3/file", files={"file": ("q3.csv", bad.encode())})
        assert r.status_code == 422
        body = r.json()
        assert body["detail"].startswith(
            "q3.csv:3: column value: utilisation_pct must be between 0 and 100"
        )
        assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "value"), (10, "site_id")]
        assert c.get("/api/v1/submissions").json() == []
        r = c.post("/api/v1/submissions/2026Q3/file", files={"file": ("q3.txt", b"x")})
        assert (
            r.status_code == 422 and r.json()["detail"] == "q3.txt: expected a .csv or .xlsx file"
        )
        assert c.post("/api/v1/submissions/2026Q3", json={"rows": []}).status_code == 422
        assert (
            c.post(
                "/api/v1/submissions/2026Q2",
                json={
                    "rows": [
                        {"member_id": "m1", "measure": "revenue_share_other_pct", "value": 100}
                    ]
                },
            ).status_code
            == 409
        )


@pytest.mark.parametrize("user", ["m2-user", "sec", "aud"])
def test_others_cannot_reach_a_members_raw_data(submitted: LiveServer, user: str) -> None:
    with submitted.client(user) as c:
        assert c.get("/api/v1/submissions/2026Q3/values").status_code in (403, 404)
        listed = c.get("/api/v1/submissions")
        assert listed.status_code == 403 or all(s["member_id"] != "m1" for s in listed.json())
        for version in (1, 2):
            r = c.get("/api/v1/submissions/2026Q3/values", params={"version": version})
            assert r.status_code in (403, 404)
            assert "123456" not in r.text


def test_audit_routes(submitted: LiveServer) -> None:
    with submitted.client("aud") as c:
        entries = c.get("/api/v1/audit", params={"limit": 5}).json()
        assert entries[-1]["action"] in ("import", "login", "token.create")
        assert c.get("/api/v1/audit/verify").json() == {"ok": True, "problems": []}
    with submitted.client("m1-admin") as c:
        assert c.get("/api/v1/audit").status_code == 403
