"""The secretariat's pages (periods, status, releases, audit) and a member's benchmark."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import Web


@pytest.fixture
def db_url(tmp_path: object) -> Iterator[str]:
    yield f"sqlite:///{tmp_path}/osatnet.db"


def test_periods_open_close_and_status_metadata(web_submitted: Web) -> None:
    with web_submitted.signed_in("sec") as c:
        token = web_submitted.csrf(c, "/periods")
        assert c.post("/periods", data={"key": "2026q4", "csrf": token}).status_code == 303
        page = c.get("/periods").text
        assert "2026Q4" in page and "Open a new period" in page
        assert c.post("/periods", data={"key": "2026Q4", "csrf": token}).status_code == 409
        assert c.post("/periods/2026Q4/close", data={"csrf": token}).status_code == 303
        status = c.get("/periods/2026Q3/status").text
        assert "1 of 3 members have an active submission." in status
        assert "m1-admin" in status and "not submitted" in status
    with web_submitted.signed_in("aud") as c:
        page = c.get("/periods").text
        assert "2026Q4" in page and "Open a new period" not in page  # read-only for auditors


def test_audit_log_and_verification(web_submitted: Web) -> None:
    with web_submitted.signed_in("aud", "ja") as c:
        page = c.get("/audit?limit=200").text
        assert "import" in page and "submission m1/2026Q3" in page
        fragment = c.get("/audit/verify", headers={"HX-Request": "true"}).text
        assert "<html" not in fragment and "ハッシュチェーンは正常です" in fragment


def test_release_tables_mark_withheld_cells(benchmarked: Web) -> None:
    with benchmarked.signed_in("sec") as c:
        token = benchmarked.csrf(c, "/releases")
        r = c.post(
            "/releases",
            data={"csrf": token, "periods": "2026Q2", "measure": "unit_cost_labour",
                  "stat": "mean", "by": ["process", "region"], "method": "heuristic"},
        )  # fmt: skip
        assert r.status_code == 303, r.text
        table = c.get(r.headers["location"]).text
        assert "withheld" in table and 'class="suppressed"' in table
        assert "Total" in table
        listing = c.get("/releases").text
        assert "Unit cost: labour (JPY/unit)" in listing
    with benchmarked.signed_in("m2-user", "ja") as c:
        listing = c.get("/releases").text
        assert "公表統計表" in listing and "新しい表を公表する" not in listing
        assert c.get("/releases/1").status_code == 200
        assert c.get("/releases/999").status_code == 404


def test_benchmark_shows_own_values_against_released_quartiles(benchmarked: Web) -> None:
    with benchmarked.signed_in("m1-user") as c:
        page = c.get("/benchmark").text  # the newest closed period: 2026Q2
        assert 'value="2026Q2" selected' in page
        assert "Unit cost: total (JPY/unit)" in page and "Final test" in page
        assert "/static/plotly.min.js" in page and "Plotly.newPlot" in page
        assert "Q2" in page  # m1's cost 9.0 sits below the median of six members
        missing = c.get("/benchmark?period=2026Q3").text  # submitted, quartiles not released
        assert "Some quartiles have not been released" in missing
    with benchmarked.signed_in("m2-user", "ja") as c:
        assert "ベンチマーク" in c.get("/benchmark").text
        page = c.get("/benchmark?period=2026Q3").text
        assert "有効な提出データがないため" in page


def test_static_files_are_served_locally(web: Web) -> None:
    with web.client() as c:
        htmx = c.get("/static/htmx.min.js")
        assert htmx.status_code == 200 and htmx.text.startswith("/*! htmx.org 2.0.11")
        plotly = c.get("/static/plotly.min.js")
        assert plotly.status_code == 200 and "plotly" in plotly.text[:2000].lower()
        assert c.get("/static/osatnet.css").status_code == 200
        assert c.get("/static/nope.js").headers["content-type"].startswith("application/json")
