"""The capacity exchange in the browser: a member posts and withdraws, errors are located, the
secretariat clears a week and publishes it; a member's page never shows another's offers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from osatnet.exchange import Exchange

from .conftest import Web
from .test_web_a11y import _check

PERIOD, WEEK = "2026Q3", "2026-W36"
OFFER = {"where": "s1|final_test", "week": WEEK, "capacity": "3,217", "unit_price": "9.37",
         "label": "spare-kikuchi"}  # fmt: skip
REQUEST = {"site_id": "s2", "process": "final_test", "quantity": "２０００", "max_price": "12",
           "splittable": "1", "label": "overflow-takamatsu"}  # fmt: skip


@pytest.fixture
def db_url(tmp_path: object) -> Iterator[str]:
    yield f"sqlite:///{tmp_path}/osatnet.db"


def _post(web: Web, user: str, path: str, data: dict[str, str], language: str = "en") -> str:
    with web.signed_in(user, language) as c:
        token = web.csrf(c, "/exchange")
        r = c.post(path, data={**data, "csrf": token})
        assert r.status_code == 303, r.text
        return c.get(r.headers["location"]).text


def test_a_member_posts_an_offer_and_sees_it(web: Web) -> None:
    page = _post(web, "m1-user", f"/exchange/{PERIOD}/offers", OFFER)
    assert "Done: O1." in page and "spare-kikuchi" in page and "3,217" in page
    assert "9.37" in page
    [offer] = Exchange(web.db, "m1-admin").my_offers(PERIOD)
    assert (offer.capacity, offer.unit_price, offer.site_id, offer.week) == (
        3217.0, 9.37, "s1", WEEK,
    )  # fmt: skip
    with web.signed_in("m1-admin", "ja") as c:
        html = c.get("/exchange").text
        assert "空き能力の提供" in html and "O1" in html
        assert _check(html, "/exchange (ja)") == []


def test_errors_are_shown_next_to_the_fields_and_nothing_is_stored(web: Web) -> None:
    with web.signed_in("m1-user") as c:
        token = web.csrf(c, "/exchange")
        bad = {**OFFER, "capacity": "999999", "csrf": token}
        r = c.post(f"/exchange/{PERIOD}/offers", data=bad)
        assert r.status_code == 422
        assert "1 problem found. Nothing was stored." in r.text
        assert 'id="offer-capacity-error"' in r.text and "registered weekly" in r.text
        assert 'aria-invalid="true"' in r.text
        assert 'value="999999"' in r.text  # what was typed is kept
        r = c.post(f"/exchange/{PERIOD}/offers", data={**OFFER, "unit_price": "abc", "csrf": token})
        assert r.status_code == 422 and "expected a number, got &#39;abc&#39;" in r.text
        r = c.post(
            f"/exchange/{PERIOD}/requests",
            data={
                **REQUEST,
                "site_id": "s1",
                "due_week": "2026-W30",
                "earliest_week": "2026-W40",
                "csrf": token,
            },
        )
        assert r.status_code == 422 and 'id="request-due_week-error"' in r.text
        bad_numbers = {**REQUEST, "quantity": "x", "max_price": "y", "csrf": token}
        r = c.post(f"/exchange/{PERIOD}/requests", data=bad_numbers)
        assert r.status_code == 422 and "2 problems found. Nothing was stored." in r.text
        assert '<a href="#request-max_price">' in r.text
        assert _check(r.text, "/exchange with errors") == []
    assert Exchange(web.db, "m1-admin").my_offers(PERIOD) == []
    assert Exchange(web.db, "m1-admin").my_requests(PERIOD) == []


def test_withdraw_an_offer(web: Web) -> None:
    _post(web, "m1-user", f"/exchange/{PERIOD}/offers", OFFER)
    page = _post(web, "m1-admin", "/exchange/withdraw", {"ref": "O1", "period": PERIOD})
    assert "withdrawn" in page
    assert Exchange(web.db, "m1-admin").my_offers(PERIOD)[0].status == "withdrawn"
    with web.signed_in("m2-user") as c:
        # Another member's offer reads as missing.
        r = c.post("/exchange/withdraw", data={"ref": "O1", "csrf": web.csrf(c, "/exchange")})
        assert r.status_code == 404


def test_clear_a_week_then_publish_it_and_each_side_sees_its_match(web: Web) -> None:
    _post(web, "m1-user", f"/exchange/{PERIOD}/offers", OFFER)
    _post(web, "m2-user", f"/exchange/{PERIOD}/requests", REQUEST)
    with web.signed_in("sec") as c:
        token = web.csrf(c, "/exchange/clearing")
        r = c.post(
            "/exchange/clearing", data={"period": PERIOD, "week": "37", "csrf": token}
        )  # a week without offers: the service says why, next to the field
        assert r.status_code in (409, 422)
        r = c.post(
            "/exchange/clearing",
            data={"period": PERIOD, "week": "36", "pricing": "uniform", "csrf": token},
        )
        assert r.status_code == 303
        page = c.get("/exchange/clearing").text
        assert "Week 2026-W36 of 2026Q3 was cleared" in page
        assert "2,000" in page  # requested and served: alliance totals
        assert "uniform" in page
        assert _check(page, "/exchange/clearing") == []
        # The secretariat never sees a member's price or the members' names here.
        assert "9.37" not in page and "Kyushu Micro" not in page
        r = c.post(
            "/exchange/clearing/release",
            data={"period": PERIOD, "week": WEEK, "quantity": "matched", "stat": "sum",
                  "csrf": token},
        )  # fmt: skip
        assert r.status_code == 303 and r.headers["location"].startswith("/releases/")
        table = c.get(r.headers["location"]).text
        assert "Exchange: quantity matched (units)" in table
        assert "withheld (rule)" in table  # two members only: below the disclosure rule
        assert "2,000" not in table
    host = _match_page(web, "m1-admin")
    assert "you host" in host and "Shikoku Test Co. (m2)" in host and "2,000" in host
    receiver = _match_page(web, "m2-user")
    assert "you receive" in receiver and "Kyushu Micro Co. (m1)" in receiver


def _match_page(web: Web, user: str) -> str:
    with web.signed_in(user) as c:
        return c.get(f"/exchange?period={PERIOD}").text


def test_a_members_page_never_shows_another_members_offers(web: Web) -> None:
    _post(web, "m1-user", f"/exchange/{PERIOD}/offers", OFFER)
    _post(web, "m2-user", f"/exchange/{PERIOD}/requests", REQUEST)
    mine = _match_page(web, "m1-admin")
    assert "spare-kikuchi" in mine and "overflow-takamatsu" not in mine
    theirs = _match_page(web, "m2-user")
    assert "overflow-takamatsu" in theirs
    for secret in ("spare-kikuchi", "3,217", "9.37"):
        assert secret not in theirs
    with web.signed_in("sec") as c:
        assert c.get("/exchange").status_code == 403
        for secret in ("spare-kikuchi", "3,217", "9.37", "overflow-takamatsu"):
            assert secret not in c.get("/exchange/clearing").text
