"""Posting offers and requests: checks against the registry and rights, files, withdrawal."""

from __future__ import annotations

from pathlib import Path

import pytest

from osatnet.db import Database
from osatnet.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from osatnet.exchange import Exchange, parse_week, period_weeks, week_index

from .conftest import PERIOD, WEEK


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_weeks() -> None:
    assert parse_week(36, PERIOD) == parse_week("2026w36", PERIOD) == WEEK
    assert period_weeks(PERIOD)[0] == "2026-W27" and period_weeks(PERIOD)[-1] == "2026-W39"
    assert week_index("2027-W01") - week_index("2026-W53") == 1
    with pytest.raises(InputError, match="not in period 2026Q3"):
        parse_week("2026-W20", PERIOD)
    with pytest.raises(InputError, match="2025 has no ISO week 53"):
        parse_week("2025-W53", PERIOD, in_period=False)
    with pytest.raises(InputError, match="expected an ISO week"):
        parse_week("soon", PERIOD)


def test_post_and_read_back(xdb: Database) -> None:
    m1 = Exchange(xdb, "m1-admin")
    offer = m1.post_offer(
        PERIOD, process="final_test", week=36, capacity=1234.5, unit_price=7.25, site_id="s1"
    )
    assert (offer.ref, offer.week, offer.capacity, offer.unit_price) == ("O1", WEEK, 1234.5, 7.25)
    m2 = Exchange(xdb, "m2-user")
    request = m2.post_request(
        PERIOD, process="final_test", quantity=500, due_week="2026-W40", earliest_week=35,
        max_price=9.5, splittable=False, requires=["iatf16949", "automotive", "country:jp"],
        label="rush",
    )  # fmt: skip
    assert request.site_id == "s2"  # the member's only site
    assert request.requires == ["AUTOMOTIVE", "IATF 16949", "country:JP"]
    assert (request.earliest_week, request.due_week) == ("2026-W35", "2026-W40")
    assert request.unserved_penalty is None and request.max_price == 9.5
    assert [o.ref for o in m1.my_offers(PERIOD)] == ["O1"]
    assert [r.label for r in m2.my_requests(PERIOD)] == ["rush"]


OFFER_CASES: list[tuple[dict[str, object], str]] = [
    ({"site_id": "s2"}, "column site_id: no site 's2' of member m1"),
    ({"site_id": None}, "column site_id: member m1 has 2 sites with process final_test"),
    ({"process": "burn_in", "site_id": "s1b"}, "s1b has no burn_in capability"),
    ({"process": "knitting"}, "unknown process family 'knitting'"),
    ({"capacity": 250_000}, "registered weekly final_test capacity of 200000"),
    ({"capacity": 0}, "column capacity: expected a number > 0"),
    ({"unit_price": -1}, "column unit_price: expected a number >= 0"),
    ({"week": "2026-W02"}, "column week: week 2026-W02 is not in period 2026Q3"),
]


def test_offer_checks(xdb: Database) -> None:
    m1 = Exchange(xdb, "m1-admin")
    for kwargs, message in OFFER_CASES:
        args: dict[str, object] = {
            "process": "final_test", "week": WEEK, "capacity": 100.0, "unit_price": 5.0,
            "site_id": "s1",
        } | kwargs  # fmt: skip
        with pytest.raises(InputError, match=message):
            m1.post_offer(PERIOD, **args)  # type: ignore[arg-type]
    assert m1.my_offers(PERIOD) == []


def test_request_checks(xdb: Database) -> None:
    m2 = Exchange(xdb, "m2-user")
    with pytest.raises(InputError, match="column requires: unknown certification 'ISO 1'"):
        m2.post_request(PERIOD, process="final_test", quantity=5, requires=["ISO 1"])
    with pytest.raises(InputError, match="column requires: expected country:XX"):
        m2.post_request(PERIOD, process="final_test", quantity=5, requires=["city:Osaka"])
    with pytest.raises(InputError, match="column due_week: expected a week >= earliest_week"):
        m2.post_request(PERIOD, process="final_test", quantity=5, earliest_week=36, due_week=30)
    with pytest.raises(InputError, match="column min_split: expected at most the quantity 5"):
        m2.post_request(PERIOD, process="final_test", quantity=5, min_split=6)
    with pytest.raises(InputError, match="column quantity: expected a number > 0"):
        m2.post_request(PERIOD, process="final_test", quantity=-5)


def test_roles_and_closed_periods(xdb: Database) -> None:
    with pytest.raises(PermissionDenied, match="belongs to no member"):
        Exchange(xdb, "sec").post_request(PERIOD, process="final_test", quantity=5)
    with pytest.raises(ConflictError, match="period 2026Q2 is closed"):
        Exchange(xdb, "m2-user").post_request("2026Q2", process="final_test", quantity=5)
    with pytest.raises(NotFoundError, match="no reporting period 2026Q4"):
        Exchange(xdb, "m2-user").post_request("2026Q4", process="final_test", quantity=5)
    with pytest.raises(PermissionDenied, match="no user"):
        Exchange(xdb).my_offers(PERIOD)


OFFERS = """offer_id,process,week,capacity,unit_price,site_id,country,region,certifications
A,final_test,36,40000,7.5,s1,JP,Kumamoto,IATF16949;automotive
B,final_test,2026-W37,10000,6.5,s1b,,,
"""
REQUESTS = """request_id,process,quantity,member_id,earliest_week,due_week,max_price,requires
X,final_test,30000,m2,35,37,10,country:JP
Y,wafer_sort,200,,,,,
"""


def test_post_files(xdb: Database, tmp_path: Path) -> None:
    m1 = Exchange(xdb, "m1-admin")
    report = m1.post_files(PERIOD, offers=write(tmp_path, "offers.csv", OFFERS))
    assert report.offers == ["O1", "O2"] and report.requests == []
    assert [(o.label, o.site_id, o.week) for o in m1.my_offers(PERIOD)] == [
        ("A", "s1", WEEK),
        ("B", "s1b", "2026-W37"),
    ]
    report = Exchange(xdb, "m2-user").post_files(
        PERIOD, requests=write(tmp_path, "requests.csv", REQUESTS)
    )
    assert report.requests == ["R1", "R2"]


BAD_OFFER_FILES = [
    (OFFERS.replace(",JP,Kumamoto", ",MY,Kumamoto"),
     "offers.csv:2: column country: the registry has JP for site s1"),
    (OFFERS.replace("IATF16949", "AEC-Q100"),
     "offers.csv:2: column certifications: the registry has AUTOMOTIVE; IATF 16949; ISO 9001"),
    (OFFERS.replace("IATF16949", "IATF9"),
     "offers.csv:2: column certifications: unknown certification 'IATF9'"),
    (OFFERS.replace("B,final_test,2026-W37", "B,final_test,2026-W12"),
     "offers.csv:3: column week: week 2026-W12 is not in period 2026Q3"),
    (OFFERS.replace(",s1b,", ",s2,"), "offers.csv:3: column site_id: no site 's2' of member m1"),
    (OFFERS.replace("B,", "A,"), "offers.csv:3: column offer_id: duplicate id 'A'"),
    (OFFERS.replace("40000", "-4"), "offers.csv:2: column capacity: expected a number > 0"),
    (OFFERS.splitlines()[0] + "\n", "offers.csv: the file has a header but no rows"),
]  # fmt: skip


def test_bad_files_store_nothing(xdb: Database, tmp_path: Path) -> None:
    m1 = Exchange(xdb, "m1-admin")
    for offers, message in BAD_OFFER_FILES:
        with pytest.raises(InputError, match=message):
            m1.post_files(PERIOD, offers=write(tmp_path, "offers.csv", offers))
    assert m1.my_offers(PERIOD) == []


def test_request_file_names_the_callers_member(xdb: Database, tmp_path: Path) -> None:
    m1 = Exchange(xdb, "m1-admin")
    with pytest.raises(
        InputError,
        match=r"requests\.csv:2: column member_id: you post for member m1, the file says 'm2'",
    ):
        m1.post_files(PERIOD, requests=write(tmp_path, "requests.csv", REQUESTS))
    with pytest.raises(InputError, match="give an offers file"):
        m1.post_files(PERIOD)


def test_withdraw(xdb: Database) -> None:
    m1, m2 = Exchange(xdb, "m1-admin"), Exchange(xdb, "m2-user")
    offer = m1.post_offer(
        PERIOD, process="final_test", week=WEEK, capacity=10, unit_price=1, site_id="s1"
    )
    with pytest.raises(NotFoundError, match="member m2 has no offer O1"):
        m2.withdraw(offer.ref)
    assert m1.withdraw("o1") == "O1"
    assert m1.my_offers(PERIOD)[0].status == "withdrawn"
    with pytest.raises(ConflictError, match="offer O1 is withdrawn, not open"):
        m1.withdraw("O1")
    with pytest.raises(InputError, match="expected an offer"):
        m1.withdraw("X1")
    with pytest.raises(NotFoundError, match="has no request R9"):
        m1.withdraw("R9")
