"""Joint procurement in the browser: the secretariat opens, closes and awards a round; members
enter demand in the form or upload it (row errors shown, nothing stored) and see their own result
only; the secretariat sees totals and a chart, never a member's figures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from osatnet.procurement import Procurement

from .conftest import Web
from .test_web_a11y import _check

ROUND = "2027Q1"
QUOTES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "procurement" / "quotes.csv"
# Distinctive quantities: they must appear on m1's own page only.
M1_FORM = {
    "category-1": "bonding_wire_cu", "quantity-1": "617.25", "price-1": "98.5",
    "category-2": "epoxy_mold_compound", "quantity-2": "２，５３１.５", "price-2": "19",
    "category-3": "", "quantity-3": "", "price-3": "",
}  # fmt: skip
M2_CSV = "member_id,category,quantity,current_unit_price\nm2,bonding_wire_cu,300,100\n" \
         "m2,epoxy_mold_compound,1200,20\n"  # fmt: skip


@pytest.fixture
def db_url(tmp_path: object) -> Iterator[str]:
    yield f"sqlite:///{tmp_path}/osatnet.db"


def _open(web: Web) -> None:
    with web.signed_in("sec") as c:
        token = web.csrf(c, "/procurement")
        r = c.post(
            "/procurement",
            data={"key": ROUND, "title": "Wire and compound", "target": "20", "csrf": token},
        )
        assert (r.status_code, r.headers["location"]) == (303, f"/procurement/{ROUND}")


def _demand(web: Web) -> None:
    with web.signed_in("m1-user") as c:
        token = web.csrf(c, f"/procurement/{ROUND}")
        r = c.post(f"/procurement/{ROUND}/demand", data={**M1_FORM, "csrf": token})
        assert r.status_code == 303, r.text
    with web.signed_in("m2-user") as c:
        token = web.csrf(c, f"/procurement/{ROUND}")
        r = c.post(
            f"/procurement/{ROUND}/demand/upload",
            data={"csrf": token},
            files={"file": ("demand.csv", M2_CSV.encode())},
        )
        assert r.status_code == 303, r.text


def _award(web: Web) -> str:
    with web.signed_in("sec") as c:
        page = f"/procurement/{ROUND}"
        token = web.csrf(c, page)
        r = c.post(
            f"{page}/quotes",
            data={"csrf": token},
            files={"file": ("quotes.csv", QUOTES.read_bytes())},
        )
        assert (r.status_code, r.headers["location"]) == (303, f"{page}?quotes=4")
        assert c.post(f"{page}/close", data={"csrf": token}).status_code == 303
        r = c.post(f"{page}/award", data={"csrf": token, "method": "shapley"})
        assert r.status_code == 303
        return c.get(page).text


def test_a_member_enters_demand_with_errors_then_fixed(web: Web) -> None:
    _open(web)
    with web.signed_in("m1-admin", "ja") as c:
        page = c.get(f"/procurement/{ROUND}").text
        assert "需要の入力" in page and _check(page, "/procurement/2027Q1 (ja)") == []
        token = web.csrf(c, f"/procurement/{ROUND}")
        bad = {**M1_FORM, "quantity-2": "たくさん", "category-3": "", "quantity-3": "5"}
        r = c.post(f"/procurement/{ROUND}/demand", data={**bad, "csrf": token})
        assert r.status_code == 422
        assert "2 件の問題が見つかりました" in r.text
        assert "form:2: column quantity: expected a number" in r.text
        assert "form:3: column category: choose a category" in r.text
        assert 'value="たくさん"' in r.text  # what was typed is kept
        r = c.post(
            f"/procurement/{ROUND}/demand/upload",
            data={"csrf": token},
            files={"file": ("demand.csv", M2_CSV.encode())},
        )
        assert r.status_code == 422
        assert "demand.csv:2: column member_id: you may submit demand only for member m1" in r.text
        assert Procurement(web.db, "m1-admin").my_demand(ROUND) == []
        r = c.post(f"/procurement/{ROUND}/demand", data={**M1_FORM, "csrf": token})
        assert (r.status_code, r.headers["location"]) == (303, f"/procurement/{ROUND}?saved=2")
        assert "2 品目の需要を保存しました" in c.get(r.headers["location"]).text
    got = {d.category: d.quantity for d in Procurement(web.db, "m1-admin").my_demand(ROUND)}
    assert got == {"bonding_wire_cu": 617.25, "epoxy_mold_compound": 2531.5}


def test_award_then_each_member_sees_its_own_result_and_the_secretariat_the_totals(
    web: Web,
) -> None:
    _open(web)
    _demand(web)
    office = _award(web)
    assert "Round totals" in office and "js-plotly-plot" not in office  # drawn by the browser
    assert 'class="plotly-graph-div' in office
    assert "Members taking part" in office and "savings target of 20 % is" in office
    assert _check(office, "/procurement/2027Q1 (sec)") == []
    m1 = Procurement(web.db, "m1-admin").my_result(ROUND)
    m2 = Procurement(web.db, "m2-user").my_result(ROUND)
    theirs = {f"{v:,.0f}" for v in (m2.cost, m2.solo_cost, m2.savings)}
    # With two members a fair split may give both the same savings: that is no leak.
    own = [f for f in (f"{m1.cost:,.0f}", f"{m1.solo_cost:,.0f}", f"{m1.savings:,.0f}")
           if f not in theirs]  # fmt: skip
    assert len(own) >= 2
    with web.signed_in("m1-user") as c:
        page = c.get(f"/procurement/{ROUND}").text
        for figure in own:
            assert figure in page
        assert "617.25" in page and "2,531.5" in page
    with web.signed_in("m2-user") as c:
        page = c.get(f"/procurement/{ROUND}").text
        assert f"{m2.cost:,.0f}" in page
        for secret in (*own, "617.25", "2,531.5"):
            assert secret not in page, secret
    for user in ("sec", "aud"):
        with web.signed_in(user) as c:
            page = c.get(f"/procurement/{ROUND}").text
            assert "Round totals" in page
            for secret in (*own, f"{m2.cost:,.0f}", "617.25", "2,531.5"):
                assert secret not in page, (user, secret)
            if user == "aud":
                assert "Run the award" not in page  # read-only


def test_rounds_list_and_refusals(web: Web) -> None:
    _open(web)
    with web.signed_in("m2-user") as c:
        listing = c.get("/procurement").text
        assert ROUND in listing and "Open a new round" not in listing
        token = web.csrf(c, "/procurement")
        assert c.post(f"/procurement/{ROUND}/close", data={"csrf": token}).status_code == 403
        assert c.get("/procurement/nope").status_code == 404
    with web.signed_in("sec") as c:
        token = web.csrf(c, "/procurement")
        # Opening the same round twice, awarding an open round: the service says why (409).
        r = c.post("/procurement", data={"key": ROUND, "csrf": token})
        assert r.status_code == 409 and "exists already" in r.text
        r = c.post(f"/procurement/{ROUND}/award", data={"csrf": token})
        assert r.status_code == 409 and "still open" in r.text
