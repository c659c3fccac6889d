"""Sealed-bid auctions on the platform: :class:`BlindAuctions`, the Python API behind the CLI
and REST.

The platform is a post office here too (:mod:`.platform`). The secretariat publishes an
auction: a period's week, its process families (one market each) and a public price grid.
Each member's client shares and seals its bids and asks *in the member's own process*
(:func:`.auction_client.share_orders`); only the sealed bundles are stored. The secretariat
asks the nodes to clear; the nodes pull the bundles sealed to them (:mod:`.auction_gateway`)
and post the prices plus, per member, their shares of its quantities sealed to the member's
reply key. The prices are published once every node posted the same ones; a member fetches
its own sealed parts and opens them with its private reply key
(:func:`.auction_client.open_allocation`). No key the platform holds opens an order or a
quantity.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit as _audit
from ..errors import ConflictError, InputError, NotFoundError
from ..exchange._platform_weeks import parse_week
from ..registry.catalog import UserRole
from ..registry.models import Alliance, ProcessFamily, ReportingPeriod
from ..vault._base import ActingService
from ..vault._context import Scope, scoped_session
from .auction import MAX_GRID, Ask, Auction, Bid, market_key
from .auction_client import ORDERS_FORMAT, share_orders
from .envelope import SHARE_BYTES, unb64
from .field import MAX_ABS_VALUE, decode_fixed, encode_fixed, value_modulus
from .models import BlindAuctionResult, BlindAuctionRow, BlindOrders
from .platform import BlindService

__all__ = ["DEFAULT_POINTS", "AuctionInfo", "BlindAuctions", "OrderInfo", "price_grid"]

DEFAULT_POINTS = 1000
_SEAL_OVERHEAD = 12 + 16  # an envelope's nonce and AES-GCM tag (.envelope.Sealer.seal)


class AuctionInfo(BaseModel):
    auction_id: str
    period: str
    week: str
    markets: list[str]  # "process|week", in the order of every result
    grid: list[float]  # the public prices the nodes evaluate supply and demand at
    digest: str
    status: str  # open | clearing | done | failed
    attempt: int
    error: str | None
    prices: dict[str, float | None] | None  # once done; None per market: nothing traded
    created_by: str
    created_at: datetime | None
    members: int | None  # members with orders: secretariat and auditors only
    results: int  # nodes that posted this attempt's result


class OrderInfo(BaseModel):
    auction_id: str
    member_id: str
    nodes: int
    reply_key: str  # the X25519 public key the nodes seal this member's quantities to
    uploaded_by: str
    uploaded_at: datetime | None


def price_grid(low: float, high: float, points: int = DEFAULT_POINTS) -> tuple[float, ...]:
    """``points`` evenly spaced prices from ``low`` to ``high``.

    Each price is snapped to the nodes' fixed point (a multiple of 2**-16): the nodes reveal
    a price as the midpoint of two grid codes, which is then exactly the midpoint of two grid
    prices, as :func:`.auction.clear_plain` computes it.
    """
    if not (math.isfinite(low) and math.isfinite(high) and 0 <= low < high <= MAX_ABS_VALUE):
        raise InputError(
            f"the price range runs from a low price >= 0 to a higher one (at most 2**40), "
            f"got {low:g} to {high:g}",
            column="low",
        )
    if not 2 <= points <= MAX_GRID:
        raise InputError(f"a grid has 2 to {MAX_GRID} points, got {points}", column="points")
    codes = [encode_fixed(low + (high - low) * i / (points - 1)) for i in range(points)]
    if len(set(codes)) != points:
        raise InputError(
            f"{points} prices from {low:g} to {high:g} are closer than the nodes' resolution "
            "(2**-16): use fewer points or a wider range",
            column="points",
        )
    return tuple(decode_fixed(c) for c in codes)


class BlindAuctions(ActingService):
    """Sealed-bid auctions for one user: the secretariat runs them, members send orders."""

    # -- the secretariat ---------------------------------------------------------------------
    def create(
        self, period: str, week: str | int, processes: Sequence[str] | None = None, *,
        low: float, high: float, points: int = DEFAULT_POINTS, auction_id: str | None = None,
    ) -> AuctionInfo:  # fmt: skip
        """Publish an auction: one market per process family (default: all) in ``week``."""
        self.who.require(UserRole.SECRETARIAT)
        grid = price_grid(low, high, points)
        with self.db.session() as s:
            info = s.get(ReportingPeriod, period)
            if info is None:
                raise NotFoundError(f"no reporting period {period}")
            if info.status != "open":
                raise ConflictError(f"period {period} is closed: auctions are held in open ones")
            try:
                wk = parse_week(week, period)
            except InputError as exc:
                raise InputError(exc.reason, column="week") from None
            known = list(s.scalars(select(ProcessFamily.key).order_by(ProcessFamily.sort_order)))
            chosen = list(processes) if processes else known
            for p in chosen:
                if p not in known:
                    raise InputError(
                        f"unknown process family {p!r}; known: {', '.join(known)}",
                        column="process",
                    )
            if len(set(chosen)) != len(chosen):
                raise InputError("a process family is named twice", column="process")
            name = auction_id or _next_id(s, wk)
            auction = Auction(name, grid, tuple(market_key(p, wk) for p in chosen))
            if s.get(BlindAuctionRow, name) is not None:
                raise ConflictError(f"auction {name} exists already")
            row = BlindAuctionRow(
                auction_id=name, period_key=period, week=wk, auction=auction.to_json(),
                digest=auction.digest(), status="open", attempt=1, created_by=self.who.username,
            )  # fmt: skip
            s.add(row)
            s.flush()
            # The grid is public: the auction's own data, not a member's.
            _audit.append(s, self.who.username, "blind.auction", f"auction {name}", {
                "period": period, "week": wk, "markets": len(chosen), "grid": len(grid),
                "low": grid[0], "high": grid[-1],
            })  # fmt: skip
        return self.get(name)

    def clear(self, auction_id: str) -> AuctionInfo:
        """Close the auction to orders and ask the nodes to clear it (they pick it up)."""
        self.who.require(UserRole.SECRETARIAT)
        self.get(auction_id)  # an unknown auction is "not found" before any node check
        nodes = len(BlindService(self.db, self.actor).node_keys())
        # Aggregate scope: the count reads every member's order rows (never a share).
        with scoped_session(self.db, Scope.AGGREGATE) as s:
            row = _get(s, auction_id, lock=True)
            if row.status != "open":
                raise ConflictError(
                    f"auction {auction_id} is {row.status}: only an open auction is cleared "
                    "(a failed one is retried)"
                )
            counts = Counter(
                s.scalars(select(BlindOrders.member_id).where(BlindOrders.auction_id == auction_id))
            )
            stale = sum(n != nodes for n in counts.values())
            if stale:
                raise ConflictError(
                    f"{stale} member(s) sealed their orders to another set of nodes than the "
                    f"{nodes} registered now; they must send them again"
                )
            alliance = s.scalars(select(Alliance).order_by(Alliance.id)).first()
            need = alliance.min_contributors if alliance else 1
            if len(counts) < need:
                raise ConflictError(
                    f"auction {auction_id} has orders from {len(counts)} member(s); clearing "
                    f"needs at least {need} (the alliance's min_contributors), so that a "
                    "published price does not give one member's limits away"
                )
            row.status, row.error = "clearing", None
            _audit.append(s, self.who.username, "blind.auction.clear", f"auction {auction_id}",
                          {"members": len(counts), "attempt": row.attempt})  # fmt: skip
        return self.get(auction_id)

    def retry(self, auction_id: str) -> AuctionInfo:
        """Clear a failed (or stuck) auction again from the start: a new attempt."""
        self.who.require(UserRole.SECRETARIAT)
        with self.db.session() as s:
            row = _get(s, auction_id, lock=True)
            if row.status in ("open", "done"):
                hint = "clear it first" if row.status == "open" else "its prices are published"
                raise ConflictError(f"auction {auction_id} is {row.status}: {hint}")
            row.attempt += 1
            row.status, row.error = "clearing", None
            _audit.append(s, self.who.username, "blind.auction.retry", f"auction {auction_id}",
                          {"attempt": row.attempt})  # fmt: skip
        return self.get(auction_id)

    # -- anyone signed in: the public auction ------------------------------------------------
    def auctions(self) -> list[AuctionInfo]:
        """Every auction (public: members need the grid and markets to bid)."""
        with self._session() as s:
            rows = s.scalars(
                select(BlindAuctionRow).order_by(
                    BlindAuctionRow.created_at, BlindAuctionRow.auction_id
                )
            )
            return [self._info(s, r) for r in rows]

    def get(self, auction_id: str) -> AuctionInfo:
        with self._session() as s:
            return self._info(s, _get(s, auction_id))

    def auction(self, auction_id: str) -> Auction:
        """The auction as the clients and nodes use it (grid and markets)."""
        _ = self.who
        with self.db.session() as s:
            return Auction.from_json(_get(s, auction_id).auction)

    def _session(self) -> AbstractContextManager[Session]:
        # Only the secretariat and auditors see how many members sent orders: the count
        # needs every member's rows, which a member's session must not read.
        if self.who.role in (UserRole.SECRETARIAT, UserRole.AUDITOR):
            return scoped_session(self.db, Scope.AGGREGATE)
        return self.db.session()

    def _info(self, s: Session, row: BlindAuctionRow) -> AuctionInfo:
        auction = Auction.from_json(row.auction)
        members = None
        if self.who.role in (UserRole.SECRETARIAT, UserRole.AUDITOR):
            found = s.scalars(
                select(BlindOrders.member_id).where(BlindOrders.auction_id == row.auction_id)
            )
            members = len(set(found))
        results = s.scalars(select(BlindAuctionResult.node_index).where(
            BlindAuctionResult.auction_id == row.auction_id,
            BlindAuctionResult.attempt == row.attempt,
        ))  # fmt: skip
        return AuctionInfo(
            auction_id=row.auction_id, period=row.period_key, week=row.week,
            markets=list(auction.markets), grid=list(auction.grid), digest=row.digest,
            status=row.status, attempt=row.attempt, error=row.error,
            prices=json.loads(row.prices) if row.status == "done" and row.prices else None,
            created_by=row.created_by, created_at=row.created_at, members=members,
            results=len(list(results)),
        )  # fmt: skip

    # -- members -----------------------------------------------------------------------------
    def submit_orders(
        self, auction_id: str, bids: Sequence[Bid], asks: Sequence[Ask], reply_key: bytes
    ) -> OrderInfo:
        """Share and seal the orders here, in the member's own process, then store them.

        ``reply_key``: the member's X25519 public key (raw 32 bytes); keep its private half
        to open the result. Only ciphertext reaches the database. Sending again replaces.
        """
        member = self.own_member(None, "send orders for")
        auction = self.auction(auction_id)
        keys = BlindService(self.db, self.actor).node_keys()
        return self.store_order_bundles(
            auction_id, share_orders(member, auction, bids, asks, keys, reply_key)
        )

    def store_order_bundles(self, auction_id: str, bundles: Sequence[dict[str, Any]]) -> OrderInfo:
        """Store bundles sealed by the member's client (one per node); replaces earlier ones."""
        member = self.own_member(None, "send orders for")
        nodes = len(BlindService(self.db, self.actor).node_keys())
        with scoped_session(self.db, Scope.MEMBER, member) as s:
            row = _get(s, auction_id)
            if row.status != "open":
                raise ConflictError(
                    f"auction {auction_id} is {row.status}: orders are taken while it is open"
                )
            _check_bundles(bundles, Auction.from_json(row.auction), member, nodes)
            s.execute(delete(BlindOrders).where(
                BlindOrders.auction_id == auction_id, BlindOrders.member_id == member
            ))  # fmt: skip
            for b in sorted(bundles, key=lambda b: int(b["node"])):
                s.add(BlindOrders(
                    auction_id=auction_id, member_id=member, node_index=int(b["node"]),
                    bundle=json.dumps(b, sort_keys=True), uploaded_by=self.who.username,
                ))  # fmt: skip
            # That the member sent orders, never where or how much (that is in the shares).
            _audit.append(s, self.who.username, "blind.orders", f"member {member}", {
                "auction": auction_id, "nodes": len(bundles),
            })  # fmt: skip
        return self.my_orders(auction_id)

    def my_orders(self, auction_id: str, member_id: str | None = None) -> OrderInfo:
        """What the caller's member has sent to ``auction_id`` (metadata; never a share)."""
        member = self.own_member(member_id, "read the orders of")
        with scoped_session(self.db, Scope.MEMBER, member) as s:
            _get(s, auction_id)
            rows = list(s.scalars(select(BlindOrders).where(
                BlindOrders.auction_id == auction_id, BlindOrders.member_id == member
            ).order_by(BlindOrders.node_index)))  # fmt: skip
            if not rows:
                raise NotFoundError(f"{member} has sent no orders to auction {auction_id}")
            return OrderInfo(
                auction_id=auction_id, member_id=member, nodes=len(rows),
                reply_key=str(json.loads(rows[0].bundle)["reply_key"]),
                uploaded_by=rows[0].uploaded_by, uploaded_at=rows[0].uploaded_at,
            )  # fmt: skip

    def my_result(self, auction_id: str, member_id: str | None = None) -> list[dict[str, Any]]:
        """Every node's result, cut down to the prices and the caller's member's sealed part.

        Give them to :func:`.auction_client.open_allocation` with the private reply key.
        Other members' parts never leave the platform (they are sealed to their keys anyway).
        """
        member = self.own_member(member_id, "read the results of")
        self.my_orders(auction_id)  # a member without orders has no result
        with self.db.session() as s:
            row = _get(s, auction_id)
            if row.status != "done":
                raise ConflictError(
                    f"auction {auction_id} is {row.status}: results come once it is done"
                )
            posted = s.scalars(select(BlindAuctionResult).where(
                BlindAuctionResult.auction_id == auction_id,
                BlindAuctionResult.attempt == row.attempt,
            ).order_by(BlindAuctionResult.node_index))  # fmt: skip
            out = []
            for p in posted:
                full = json.loads(p.result)
                if member not in full["members"]:
                    raise ConflictError(f"node {p.node_index}'s result holds nothing for {member}")
                out.append({k: full[k] for k in ("format", "node", "auction", "job", "markets")}
                           | {"members": {member: full["members"][member]}})  # fmt: skip
            _audit.append(s, self.who.username, "blind.auction.result", f"member {member}",
                          {"auction": auction_id, "nodes": len(out)})  # fmt: skip
            return out


def _next_id(s: Session, week: str) -> str:
    n = 1
    while s.get(BlindAuctionRow, f"{week}-{n}") is not None:
        n += 1
    return f"{week}-{n}"


def _get(s: Session, auction_id: str, *, lock: bool = False) -> BlindAuctionRow:
    row = s.get(BlindAuctionRow, auction_id, with_for_update=lock)
    if row is None:
        raise NotFoundError(f"no blind auction {auction_id}")
    return row


def _b64_bytes(text: object, what: str) -> int:
    try:
        return len(unb64(str(text)))
    except ValueError:
        raise InputError(f"{what} is not base64") from None


def _check_bundles(
    bundles: Sequence[dict[str, Any]], auction: Auction, member: str, nodes: int
) -> str:
    """The bundles fit the auction and the nodes; returns the member's reply key."""
    if sorted(int(b.get("node", -1)) for b in bundles) != list(range(nodes)):
        raise InputError(f"send exactly one bundle for each of the {nodes} nodes")
    reply = str(bundles[0].get("reply_key", ""))
    if _b64_bytes(reply, "the reply key") != 32:
        raise InputError("the reply key must be an X25519 public key (32 bytes, base64)")
    sealed_size = 2 * len(auction.grid) * SHARE_BYTES + _SEAL_OVERHEAD
    for b in bundles:
        if (
            b.get("format") != ORDERS_FORMAT or b.get("auction") != auction.auction_id
            or b.get("digest") != auction.digest() or b.get("member") != member
            or b.get("reply_key") != reply
        ):  # fmt: skip
            raise InputError(
                f"every bundle must be format {ORDERS_FORMAT}, auction {auction.auction_id} "
                f"(digest {auction.digest()[:12]}…), member {member}, one reply key"
            )
        if str(b.get("value_modulus")) != str(value_modulus()):
            raise InputError("the bundle was shared in another field than the nodes use")
        if _b64_bytes(b.get("ephemeral"), "the ephemeral key") != 32:
            raise InputError("a bundle's ephemeral key must be 32 bytes")
        markets = b.get("markets")
        if not isinstance(markets, dict) or sorted(markets) != sorted(auction.markets):
            raise InputError("a bundle must hold every market of the auction, and only those")
        for market, blob in markets.items():
            if _b64_bytes(blob, f"market {market}") != sealed_size:
                raise InputError(f"the sealed schedules of {market} do not fit the price grid")
    return reply
