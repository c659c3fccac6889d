"""Clearing a stored week: inputs from the registry, own offers excluded, matches per side,
one run per week, the secretariat's aggregates and the fallback rule."""

from __future__ import annotations

import math

import pytest

from osatnet.db import Database
from osatnet.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from osatnet.exchange import Exchange, aggregate_contributions, fallback_unit_cost, run_outcome
from osatnet.registry import Registry

from .conftest import PERIOD, WEEK


def _post(db: Database) -> None:
    m1, m2, m3 = (Exchange(db, u) for u in ("m1-admin", "m2-user", "m3-user"))
    # m1: automotive-qualified Kumamoto capacity, dear; a cheap plain site nearby.
    m1.post_offer(PERIOD, process="final_test", week=WEEK, capacity=3000, unit_price=9,
                  site_id="s1")  # fmt: skip
    m1.post_offer(PERIOD, process="final_test", week=WEEK, capacity=2000, unit_price=6,
                  site_id="s1b")  # fmt: skip
    m3.post_offer(PERIOD, process="final_test", week=WEEK, capacity=10_000, unit_price=5)
    m3.post_offer(PERIOD, process="final_test", week=37, capacity=10_000, unit_price=1)
    # m2: an automotive order (IATF + automotive line), a domestic-only order, a cheap one.
    m2.post_request(PERIOD, process="final_test", quantity=2500, max_price=12,
                    requires=["IATF 16949", "automotive"], label="auto")  # fmt: skip
    m2.post_request(PERIOD, process="final_test", quantity=3000, max_price=10,
                    unserved_penalty=11, requires=["country:JP"], label="domestic")  # fmt: skip
    m2.post_request(PERIOD, process="final_test", quantity=4000, max_price=8,
                    unserved_penalty=2, label="cheap", due_week=35)  # fmt: skip
    # m1 requests final test too: never from its own offers.
    m1.post_request(PERIOD, process="final_test", quantity=1000, max_price=20, site_id="s1",
                    unserved_penalty=30, requires=["country:JP"], label="own")  # fmt: skip


def test_clear_a_week(xdb: Database) -> None:
    _post(xdb)
    with pytest.raises(PermissionDenied, match="needs secretariat"):
        Exchange(xdb, "m1-admin").clear(PERIOD, WEEK)
    info = Exchange(xdb, "sec").clear(PERIOD, 36, cost_per_km=0.001)
    # The "cheap" request was due in week 35: not part of this week's market.
    assert (info.status, info.offers, info.requests) == ("optimal", 3, 3)
    assert info.requested == 6500 and info.served == 5000
    got = {(m.request_ref, m.offer_ref): m for m in Exchange(xdb, "m2-user").my_matches(PERIOD)}
    # auto -> the only IATF automotive line; domestic -> what is left in Japan.
    assert {k: m.quantity for k, m in got.items()} == {
        ("R1", "O1"): 2500, ("R2", "O1"): 500, ("R2", "O2"): 2000,
    }  # fmt: skip
    assert got[("R1", "O1")].logistics == pytest.approx(0.001 * 335, rel=0.01)  # 335 km
    # m1's own request found no other member's capacity in Japan.
    assert Exchange(xdb, "m1-admin").my_requests(PERIOD)[0].status == "cleared"
    assert {m.side for m in Exchange(xdb, "m1-admin").my_matches(PERIOD)} == {"host"}
    statuses = {o.ref: o.status for o in Exchange(xdb, "m3-user").my_offers(PERIOD)}
    assert statuses == {"O3": "cleared", "O4": "open"}
    with pytest.raises(ConflictError, match="2026-W36 of 2026Q3 was cleared already"):
        Exchange(xdb, "sec").clear(PERIOD, WEEK)
    with pytest.raises(ConflictError, match="nothing to clear in 2026-W38 of 2026Q3: 0 open"):
        Exchange(xdb, "sec").clear(PERIOD, 38)
    with pytest.raises(InputError, match="column week: week 2026-W05 is not in period"):
        Exchange(xdb, "sec").clear(PERIOD, 5)
    with pytest.raises(InputError, match="pricing must be"):
        Exchange(xdb, "sec").clear(PERIOD, 37, pricing="auction")  # type: ignore[arg-type]

    rows = aggregate_contributions(xdb, PERIOD, WEEK)
    cells = {(r["member_id"], r["process"]): r for r in rows}
    assert cells[("m1", "final_test")] == {
        "member_id": "m1", "process": "final_test", "week": WEEK, "offered": 5000.0,
        "requested": 1000.0, "hosted": 5000.0, "received": 0.0, "matched": 5000.0,
    }  # fmt: skip
    assert cells[("m2", "final_test")]["received"] == 5000.0
    assert cells[("m3", "final_test")]["hosted"] == 0.0

    outcome = run_outcome(xdb, PERIOD, WEEK)
    by_label = {r.ref: r for r in outcome.requests}
    auto = by_label["R1"]
    assert auto.fallback[1] == "overtime" and auto.fallback[0] == pytest.approx(12 * 1.35)
    assert auto.paid == 2500 * 9 and auto.exchange_cost < auto.fallback_cost
    own = by_label["R4"]
    assert own.served == 0 and own.exchange_cost == own.fallback_cost == 1000 * 27
    with pytest.raises(NotFoundError, match="week 2026-W38 of 2026Q3 has not been cleared"):
        run_outcome(xdb, PERIOD, 38)


def test_uniform_pricing_and_closed_period(xdb: Database) -> None:
    _post(xdb)
    info = Exchange(xdb, "sec").clear(PERIOD, WEEK, pricing="uniform")
    assert info.pricing == "uniform" and info.matches > 0
    prices = {m.price for m in Exchange(xdb, "m2-user").my_matches(PERIOD)}
    assert len(prices) == 1  # one price in the market (final_test, week 36)
    Registry(xdb).set_period_status(PERIOD, "closed")
    with pytest.raises(ConflictError, match="period 2026Q3 is closed"):
        Exchange(xdb, "sec").clear(PERIOD, 37)


def test_fallback_rule() -> None:
    assert fallback_unit_cost(10, None) == (10 * 1.35, "overtime")
    assert fallback_unit_cost(10, 12) == (12, "declined")
    assert fallback_unit_cost(None, 4) == (4, "declined")
    cost, kind = fallback_unit_cost(None, None)
    assert math.isnan(cost) and kind == "unknown"
