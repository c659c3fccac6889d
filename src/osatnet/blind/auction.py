"""Sealed-bid clearing, public side: the auction, members' orders, step schedules, reference.

The capacity exchange's uniform-price double auction (``exchange/_pricing.py``), run the way
the 2008 Danish sugar-beet auction was: on a **public price grid** ``g_0 < … < g_{K-1}``.
A member never sends a price. For every market of the auction (process family × week) its
client turns its orders into two step schedules over the grid, in whole units:

* demand ``d(k)`` = the quantity of its bids whose max price is at least ``g_k``;
* supply ``s(k)`` = the quantity of its asks whose unit price is at most ``g_k``.

A bid between two grid points counts from the point below (it never buys above its limit), an
ask from the point above (it never sells below its limit); a bid without a max price bids the
top of the grid. Only the schedules are secret-shared (:mod:`.auction_client`), and the nodes
clear on their sums ``D`` and ``S`` (:mod:`.auction_protocol`).

The clearing rule is :func:`osatnet.exchange._pricing.crossing_price` on the grid: the traded
volume is ``V = max_k min(D(k), S(k))``; the marginal bid is ``g_top``, ``top`` the last grid
point with ``D ≥ V``, the marginal ask ``g_bottom``, ``bottom`` the first with ``S ≥ V``; the
price is their midpoint. Bids above ``top`` and asks below ``bottom`` trade in full; the
orders *at* the marginal grid point share what is left of ``V`` in proportion to their
quantities (only the long side is ever rationed); the rest does not trade. :func:`clear_plain`
computes exactly that on plain orders (exact fractions): the tests' and benchmark's reference.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError, InputError
from .field import MAX_ABS_VALUE, encode_fixed

__all__ = [
    "MAX_GRID",
    "MAX_MEMBERS",
    "MAX_QUANTITY",
    "Ask",
    "Auction",
    "Bid",
    "PlainClearing",
    "clear_plain",
    "market_key",
    "schedules",
]

MAX_QUANTITY = int(MAX_ABS_VALUE)  # whole units, per member, side and market (2**40)
# A member's result is a fraction reconstructed from one field element (``ratrec`` in
# :mod:`.auction_client`): numerator and denominator must both fit, which bounds the members.
MAX_MEMBERS = 1000
MAX_GRID = 1 << 16
IntArray = npt.NDArray[np.int64]
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def market_key(process: str, week: str | int) -> str:
    """A market's name: process family and week (``|`` cannot occur in either)."""
    return f"{process}|{week}"


@dataclass(frozen=True)
class Auction:
    """One sealed-bid auction: public, prepared by the secretariat, the same for everyone."""

    auction_id: str
    grid: tuple[float, ...]  # the prices at which the nodes evaluate supply and demand
    markets: tuple[str, ...]  # market_key(process, week), in the order of every result

    def __post_init__(self) -> None:
        if not _SAFE.match(self.auction_id) or ".." in self.auction_id:
            raise InputError(f"auction id {self.auction_id!r}: letters, digits, '_-.' only")
        g = self.grid
        if not 2 <= len(g) <= MAX_GRID:
            raise InputError(f"the price grid needs 2 to {MAX_GRID} prices, got {len(g)}")
        if not all(math.isfinite(x) and 0 <= x <= MAX_ABS_VALUE for x in g):
            raise InputError("grid prices must be finite numbers from 0 to 2**40")
        if any(b <= a for a, b in itertools.pairwise(g)):
            raise InputError("grid prices must increase strictly")
        if not self.markets or len(set(self.markets)) != len(self.markets):
            raise InputError("an auction needs one or more different markets")

    @property
    def grid_codes(self) -> list[int]:
        """Grid prices as the nodes add them: fixed point, ``round(price × 2**16)``."""
        return [encode_fixed(x) for x in self.grid]

    def to_json(self) -> str:
        return json.dumps(
            {"auction": self.auction_id, "grid": list(self.grid), "markets": list(self.markets)},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Auction:
        try:
            data = json.loads(text)
            grid = tuple(float(x) for x in data["grid"])
            return cls(str(data["auction"]), grid, tuple(str(m) for m in data["markets"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"not an auction: {exc}") from None

    @classmethod
    def load(cls, path: str | Path) -> Auction:
        try:
            return cls.from_json(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read the auction {path}: {exc}") from None

    def digest(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()


@dataclass(frozen=True)
class Bid:
    """A request: buy up to ``quantity`` units in the market, at most ``max_price`` each."""

    market: str
    quantity: int
    max_price: float | None = None  # None: any price on the grid


@dataclass(frozen=True)
class Ask:
    """An offer: sell up to ``quantity`` units in the market, at least ``unit_price`` each."""

    market: str
    quantity: int
    unit_price: float


def _check(auction: Auction, market: str, quantity: int, price: float | None) -> None:
    if market not in auction.markets:
        raise InputError(f"market {market!r} is not in auction {auction.auction_id}")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InputError(f"quantities are whole units above 0, got {quantity!r}")
    if price is not None and not (math.isfinite(price) and price >= 0):
        raise InputError(f"prices must be finite numbers >= 0, got {price!r}")


def schedules(
    auction: Auction, bids: Sequence[Bid], asks: Sequence[Ask]
) -> tuple[IntArray, IntArray]:
    """A member's demand and supply schedules, markets × grid (checked on the way)."""
    grid = np.asarray(auction.grid)
    where = {m: i for i, m in enumerate(auction.markets)}
    demand = np.zeros((len(where), grid.size), dtype=np.int64)
    supply = np.zeros_like(demand)
    for b in bids:
        _check(auction, b.market, b.quantity, b.max_price)
        # Grid points at or below the max price: a bid between points counts from below.
        upto = (
            grid.size if b.max_price is None else int(np.searchsorted(grid, b.max_price, "right"))
        )
        if upto == 0:
            raise InputError(
                f"bid in {b.market}: max price {b.max_price:g} is below the grid "
                f"(lowest {grid[0]:g}), so it could never trade"
            )
        demand[where[b.market], :upto] += b.quantity
    for a in asks:
        _check(auction, a.market, a.quantity, a.unit_price)
        start = int(np.searchsorted(grid, a.unit_price, "left"))
        if start == grid.size:
            raise InputError(
                f"ask in {a.market}: unit price {a.unit_price:g} is above the grid "
                f"(highest {grid[-1]:g}), so it could never trade"
            )
        supply[where[a.market], start:] += a.quantity
    # The cap keeps every sum and comparison the nodes make inside their field.
    for side, sched in (("bid", demand), ("ask", supply)):
        worst = int(sched.max(initial=0))
        if worst > MAX_QUANTITY:
            raise InputError(f"{side} quantities in one market add up to {worst} > 2**40 units")
    return demand, supply


@dataclass(frozen=True)
class PlainClearing:
    prices: dict[str, float | None]  # market -> clearing price (None: nothing trades)
    bought: dict[str, dict[str, Fraction]]  # member -> market -> units bought
    sold: dict[str, dict[str, Fraction]]


def _fill(own: IntArray, total: IntArray, margin: int, past: int, volume: int) -> Fraction:
    """Units one member trades on one side: its schedule at ``past`` (the grid point just past
    the margin, off the grid: 0) in full, and a share of ``volume`` left there pro rata to
    what it adds at the marginal point ``margin``."""

    def at(a: IntArray, k: int) -> int:
        return int(a[k]) if 0 <= k < a.size else 0

    full, extra = at(own, past), at(own, margin) - at(own, past)
    if not extra:
        return Fraction(full)
    return full + Fraction(extra * (volume - at(total, past)), at(total, margin) - at(total, past))


def clear_plain(
    auction: Auction, orders: Mapping[str, tuple[Sequence[Bid], Sequence[Ask]]]
) -> PlainClearing:
    """The grid clearing on plain orders, member -> (bids, asks): what the nodes must find."""
    members = sorted(orders)
    sched = {m: schedules(auction, *orders[m]) for m in members}
    prices: dict[str, float | None] = {}
    bought: dict[str, dict[str, Fraction]] = {m: {} for m in members}
    sold: dict[str, dict[str, Fraction]] = {m: {} for m in members}
    for j, market in enumerate(auction.markets):
        d = {m: sched[m][0][j] for m in members}
        s = {m: sched[m][1][j] for m in members}
        demand = sum(d.values(), np.zeros(len(auction.grid), dtype=np.int64))
        supply = sum(s.values(), np.zeros(len(auction.grid), dtype=np.int64))
        volume = int(np.minimum(demand, supply).max())
        if volume == 0:
            prices[market] = None
            for m in members:
                bought[m][market] = sold[m][market] = Fraction(0)
            continue
        top = int(np.flatnonzero(demand >= volume)[-1])
        bottom = int(np.flatnonzero(supply >= volume)[0])
        prices[market] = (auction.grid[top] + auction.grid[bottom]) / 2
        for m in members:
            bought[m][market] = _fill(d[m], demand, top, top + 1, volume)
            sold[m][market] = _fill(s[m], supply, bottom, bottom - 1, volume)
    return PlainClearing(prices, bought, sold)
