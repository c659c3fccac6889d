"""Settlement prices: pay-as-offered and the uniform-price double auction."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from exchange_testlib import check_solution, random_instance
from hypothesis import given, settings
from hypothesis import strategies as st

from osatnet.exchange import ClearingOptions, ClearingStatus, Offer, Request, clear
from osatnet.exchange._instance import build_instance
from osatnet.exchange._pricing import crossing_price, settle


def _a(*values: float) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def test_crossing_price_is_the_midpoint_of_the_marginal_pair() -> None:
    # Demand 150x50, 130x300, 100x200; supply 90x500, 120x50: the 550th unit does not cross
    # (100 < 120); the last crossing unit pairs bid 100 with ask 90.
    price = crossing_price(_a(100, 150, 130), _a(200, 50, 300), _a(90, 120), _a(500, 50))
    assert price == pytest.approx(95.0)


def test_crossing_price_with_an_unlimited_bid_is_the_marginal_ask() -> None:
    assert crossing_price(_a(np.inf), _a(10), _a(40, 60), _a(5, 5)) == pytest.approx(60.0)


def test_uniform_settle_refuses_a_crossed_market() -> None:
    offers = [Offer("cheap", "FT", 1, 10, 10), Offer("dear", "FT", 1, 10, 50)]
    requests = [Request("low", "FT", 10, max_price=20), Request("high", "FT", 10, max_price=60)]
    inst = build_instance(offers, requests)
    mr, mo = np.array([0, 1]), np.array([0, 1])
    with pytest.raises(ValueError, match="no uniform price"):
        settle(inst, mr, mo, _a(10, 10), "uniform")
    price, markets = settle(inst, mr, mo, _a(10, 10), "pay-as-offered")
    assert list(price) == [10, 50]
    assert markets[0].price == pytest.approx(30.0)  # volume-weighted mean
    assert markets[0].volume == 20


def test_uniform_clearing_restricts_a_crossed_market() -> None:
    """Pay-as-offered pairs 'low' (max 20) with the cheap host and 'high' with the dear one;
    no single price fits both, so the market is held to its crossing price and re-cleared."""
    offers = [Offer("cheap", "FT", 1, 10, 10), Offer("dear", "FT", 1, 10, 50)]
    requests = [
        Request("low", "FT", 10, max_price=20, unserved_penalty=100),
        Request("high", "FT", 10, max_price=60, unserved_penalty=100),
    ]
    paid = clear(offers, requests)
    assert paid.status is ClearingStatus.OPTIMAL
    assert paid.served_total == 20
    uniform = clear(offers, requests, options=ClearingOptions(pricing="uniform"))
    assert uniform.status is ClearingStatus.OPTIMAL
    prices = set(uniform.match_price.round(6))
    assert len(prices) == 1
    (price,) = prices
    # Bids 60, 20 and asks 10, 50 cross for 10 units between bid 60 and ask 10: price 35.
    assert price == pytest.approx(35.0)
    assert uniform.served_total == 10
    assert uniform.markets[0].price == pytest.approx(35.0)
    assert uniform.payments == pytest.approx(350.0)


def test_uniform_price_is_the_midpoint_of_the_marginal_pair() -> None:
    offers = [Offer("a", "WB", 3, 100, 40), Offer("b", "WB", 3, 100, 45)]
    requests = [
        Request("x", "WB", 120, max_price=70, unserved_penalty=1000),
        Request("y", "WB", 50, max_price=60, unserved_penalty=1000),
    ]
    result = clear(offers, requests, options=ClearingOptions(pricing="uniform"))
    # Highest trading ask 45, lowest trading bid 60 -> (45 + 60) / 2.
    assert set(result.match_price) == {52.5}
    assert result.markets[0].volume == 170


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_uniform_prices_respect_every_limit(seed: int) -> None:
    offers, requests, arcs, options = random_instance(seed, max_requests=6, max_offers=5)
    options = dataclasses.replace(options, pricing="uniform")
    result = clear(offers, requests, arcs, options)
    check_solution(offers, requests, arcs, options, result)
    assert result.payments == pytest.approx(float(result.match_quantity @ result.match_price))
    by_market = {(m.process, m.week): m for m in result.markets}
    for o, q, p in zip(result.match_offer, result.match_quantity, result.match_price, strict=True):
        market = by_market[(offers[o].process, offers[o].week)]
        assert market.price == pytest.approx(p)
        assert q <= market.volume + 1e-9
