"""Settlement prices: pay-as-offered, or one uniform price per market (process family x week).

Pay-as-offered: each match pays the host's ``unit_price``; eligibility already guarantees
that this is within the requester's ``max_price``.

Uniform (a double auction in the spirit of the 2008 Danish sugar-beet auction): every match in
a market (the offer's process family and week) settles at one price. With ``lo`` the highest
``unit_price`` among the hosts trading in the market and ``hi`` the lowest ``max_price`` among
the requesters trading in it, the price is the midpoint of the marginal pair's interval
``[lo, hi]`` (``lo`` itself when no trading requester has a max price). That is only possible
when ``lo <= hi``; when the optimiser's plan crosses (a cheap requester and a dear host trade
in the same market), :func:`crossing_price` finds where the market's supply and demand curves
meet and the clearing is solved again with that market limited to hosts asking at most that
price and requesters bidding at least that price (see ``_clear.py``).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ._instance import Instance, wsum
from ._types import MarketPrice, Pricing

__all__ = ["crossing_price", "market_of_offer", "settle", "uniform_conflicts"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_EPS = 1e-9


def market_of_offer(inst: Instance) -> tuple[IntArray, list[tuple[int, int]]]:
    """Market index of each offer, and the (process index, week) of each market."""
    keys = np.stack([inst.o_proc, inst.o_week], axis=1).reshape(-1, 2)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), [(int(p), int(w)) for p, w in uniq]


def _interval(
    inst: Instance, mr: IntArray, mo: IntArray, market: IntArray, n_markets: int
) -> tuple[FloatArray, FloatArray]:
    """Per market: highest ask of trading hosts, lowest bid of trading requesters."""
    lo = np.full(n_markets, -np.inf)
    hi = np.full(n_markets, np.inf)
    np.maximum.at(lo, market, inst.o_price[mo])
    np.minimum.at(hi, market, inst.r_maxp[mr])
    return lo, hi


def uniform_conflicts(
    inst: Instance, mr: IntArray, mo: IntArray, qty: FloatArray
) -> dict[int, float]:
    """Markets whose trades admit no single price, with the price to restrict them to."""
    market_o, _ = market_of_offer(inst)
    n_markets = int(market_o.max()) + 1 if market_o.size else 0
    market = market_o[mo]
    lo, hi = _interval(inst, mr, mo, market, n_markets)
    out: dict[int, float] = {}
    for m in np.flatnonzero(lo > hi * (1 + _EPS)):
        sel = market == m
        out[int(m)] = crossing_price(
            inst.r_maxp[mr[sel]], qty[sel], inst.o_price[mo[sel]], qty[sel]
        )
    return out


def crossing_price(
    bids: FloatArray, bid_qty: FloatArray, asks: FloatArray, ask_qty: FloatArray
) -> float:
    """Where the demand curve (bids, highest first) meets the supply curve (asks, cheapest first).

    The traded volume is the largest ``v`` at which the ``v``-th unit's bid is at least its ask;
    the price is the midpoint of the marginal bid and ask at that volume (the marginal ask when
    the marginal bid is unlimited).
    """
    b_order = np.argsort(-bids, kind="stable")
    a_order = np.argsort(asks, kind="stable")
    b, bq = bids[b_order], bid_qty[b_order]
    a, aq = asks[a_order], ask_qty[a_order]
    cum_b, cum_a = np.cumsum(bq), np.cumsum(aq)
    ends = np.unique(np.concatenate([cum_b, cum_a]))
    ends = ends[ends <= min(cum_b[-1], cum_a[-1]) * (1 + _EPS)]
    mids = (np.concatenate([[0.0], ends[:-1]]) + ends) / 2
    bid_level = b[np.minimum(np.searchsorted(cum_b, mids), b.size - 1)]
    ask_level = a[np.minimum(np.searchsorted(cum_a, mids), a.size - 1)]
    ok = np.flatnonzero(bid_level >= ask_level)
    # The top bid is at least its own partner's ask, hence at least the cheapest ask: the first
    # segment always crosses.
    last = int(ok[-1]) if ok.size else 0
    top, bottom = float(bid_level[last]), float(ask_level[last])
    return bottom if math.isinf(top) else (top + bottom) / 2


def settle(
    inst: Instance, mr: IntArray, mo: IntArray, qty: FloatArray, rule: Pricing
) -> tuple[FloatArray, tuple[MarketPrice, ...]]:
    """Unit price of each match and the per-market summary.

    Under pay-as-offered the market summary shows the volume-weighted mean price.
    Raises ``ValueError`` when ``rule`` is uniform and some market has no single price (the
    caller restricts such markets first).
    """
    market_o, keys = market_of_offer(inst)
    n_markets = len(keys)
    market = market_o[mo]
    volume = wsum(market, qty, n_markets)
    if rule == "pay-as-offered":
        price = inst.o_price[mo].astype(np.float64)
        paid = wsum(market, qty * price, n_markets)
        level = np.divide(paid, volume, out=np.zeros(n_markets), where=volume > 0)
    else:
        lo, hi = _interval(inst, mr, mo, market, n_markets)
        if np.any(lo > hi * (1 + _EPS)):
            raise ValueError("some market has no uniform price within every trader's limits")
        level = np.where(np.isinf(hi), lo, (lo + hi) / 2)
        price = level[market]
    summary = tuple(
        MarketPrice(
            process=inst.processes[p], week=w, price=float(level[m]), volume=float(volume[m])
        )
        for m, (p, w) in enumerate(keys)
        if volume[m] > 0
    )
    return price, summary
