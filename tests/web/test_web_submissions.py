"""Submitting from the browser: a file with row errors (nothing stored), then a fix; form entry."""

from __future__ import annotations

import io
from collections.abc import Iterator

import openpyxl
import pytest

from osatnet.vault import Vault
from tests.vault.conftest import GOOD

from .conftest import Web

BAD = GOOD.replace("m1,s1,final_test,yield_pct,99.2", "m1,s1,final_test,yield_pct,120").replace(
    "m1,s1,burn_in,weekly_capacity,123456.789", "m1,s2,burn_in,weekly_capacity,5"
)


@pytest.fixture
def db_url(tmp_path: object) -> Iterator[str]:
    yield f"sqlite:///{tmp_path}/osatnet.db"


def test_upload_with_row_errors_stores_nothing_then_the_fix_is_stored(web: Web) -> None:
    with web.signed_in("m1-user") as c:
        token = web.csrf(c, "/submissions/2026Q3")
        r = c.post(
            "/submissions/2026Q3/upload",
            data={"csrf": token},
            files={"file": ("m1.csv", BAD.encode())},
        )
        assert r.status_code == 422
        assert "2 problems found. Nothing was stored." in r.text
        assert "m1.csv:8: column value: yield_pct must be between 0 and 100 (%), got 120" in r.text
        assert "m1.csv:10: column site_id: site &#39;s2&#39; belongs to another member" in r.text
        assert '<td class="num">8</td><td>value</td>' in r.text
        assert Vault(web.db, "m1-user").submissions() == []
        r = c.post(
            "/submissions/2026Q3/upload",
            data={"csrf": token},
            files={"file": ("m1.csv", GOOD.encode())},
        )
        assert (r.status_code, r.headers["location"]) == (303, "/submissions/2026Q3?saved=1")
        page = c.get(r.headers["location"]).text
        assert "Version 1 is stored" in page and "m1.csv" in page
    assert [s.version for s in Vault(web.db, "m1-user").submissions()] == [1]


def test_htmx_upload_gets_the_error_table_alone_then_a_redirect(web: Web) -> None:
    with web.signed_in("m1-admin", "ja") as c:
        token = web.csrf(c, "/submissions/2026Q3")
        hx = {"HX-Request": "true", "X-CSRF-Token": token}
        r = c.post("/submissions/2026Q3/upload", headers=hx, files={"file": ("m.csv", BAD)})
        assert r.status_code == 422
        assert "<html" not in r.text and "2 件の問題が見つかりました" in r.text
        r = c.post("/submissions/2026Q3/upload", headers=hx, files={"file": ("m.txt", b"x")})
        assert r.status_code == 422 and "expected a .csv or .xlsx file" in r.text
        r = c.post("/submissions/2026Q3/upload", headers=hx, files={"file": ("m.csv", GOOD)})
        assert r.headers["HX-Redirect"] == "/submissions/2026Q3?saved=1"
        r = c.post("/submissions/2026Q3/upload", headers=hx, files={"file": ("m.xlsx", _xlsx())})
        assert r.headers["HX-Redirect"] == "/submissions/2026Q3?saved=2"


def _xlsx() -> bytes:
    """GOOD as an Excel workbook, as most members will keep it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "submissions"
    for line in GOOD.strip().splitlines():
        cells = line.split(",")
        sheet.append([float(c) if c.replace(".", "").isdigit() else c for c in cells])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_form_entry_starts_from_the_active_version_and_reports_form_rows(web: Web) -> None:
    with web.signed_in("m1-admin") as c:
        token = web.csrf(c, "/submissions/2026Q3")
        empty = {"csrf": token, "measure-1": "", "value-1": "", "where-1": ""}
        r = c.post("/submissions/2026Q3/values", data=empty)
        assert r.status_code == 422 and "Enter at least one value." in r.text
        rows = {
            "csrf": token,
            "where-1": "s1|final_test", "measure-1": "yield_pct", "value-1": "９９.５",
            "where-2": "", "measure-2": "", "value-2": "",
            "where-3": "s1|final_test", "measure-3": "headcount", "value-3": "4.5",
            "where-4": "", "measure-4": "yield_pct", "value-4": "abc",
        }  # fmt: skip
        r = c.post("/submissions/2026Q3/values", data=rows)
        assert r.status_code == 422
        assert "form:4: column value:" in r.text  # pydantic's reason, on the form's row 4
        rows["value-4"], rows["measure-4"] = "", ""
        r = c.post("/submissions/2026Q3/values", data=rows)
        assert r.status_code == 422
        assert "form:3: column value: headcount must be a whole number, got 4.5" in r.text
        assert 'value="4.5"' in r.text  # what was typed is kept
        rows["value-3"] = "1,234"
        r = c.post("/submissions/2026Q3/values", data=rows)
        assert (r.status_code, r.headers["location"]) == (303, "/submissions/2026Q3?saved=1")
        page = c.get("/submissions/2026Q3").text
        assert 'value="99.5"' in page and 'value="1234"' in page
        assert "entered on the web" in page
    values = {v.measure: v.value for v in Vault(web.db, "m1-admin").values("2026Q3")}
    assert values == {"yield_pct": 99.5, "headcount": 1234.0}


def test_withdraw_and_closed_periods(web_submitted: Web) -> None:
    with web_submitted.signed_in("m1-admin") as c:
        closed = c.get("/submissions/2026Q2").text
        assert "This period is closed" in closed and 'name="file"' not in closed
        token = web_submitted.csrf(c)
        r = c.post(
            "/submissions/2026Q2/upload", data={"csrf": token}, files={"file": ("a.csv", GOOD)}
        )
        assert r.status_code == 409
        r = c.post("/submissions/2026Q3/upload", data={"csrf": token})
        assert r.status_code == 422 and "Choose a file to upload." in r.text
        r = c.post("/submissions/2026Q3/withdraw", data={"csrf": token})
        assert r.status_code == 303
        overview = c.get("/submissions").text
        assert "withdrawn" in overview
