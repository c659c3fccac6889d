"""The platform's side of the compute nodes for sealed-bid auctions (part of ``NodeGateway``).

As for release jobs (:mod:`.gateway`): a node sees the auctions waiting to be cleared (public
data), downloads only the order bundles sealed to *its* key, and posts its result or its
failure. A node's result holds the prices and, per member, the node's shares of the member's
quantities sealed to the member's reply key; those parts differ from node to node by design
(fresh random shares), so the nodes' cross-check is on the prices and on what they cleared
(the digest of the members and reply keys). When every node has posted for the auction's
current attempt and they agree, the prices are published.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit as _audit
from ..db import Database
from ..errors import ConflictError, InputError, NotFoundError
from ..logs import get_logger
from ..vault._context import Scope, scoped_session
from .auction import Auction
from .auction_client import RESULT_FORMAT
from .models import BlindAuctionResult, BlindAuctionRow, BlindOrders

__all__ = ["AuctionWork", "PendingAuction"]

log = get_logger("blind.gateway")


class PendingAuction(BaseModel):
    auction_id: str
    attempt: int
    auction: dict[str, Any]  # the Auction JSON (id, grid, markets): public data only


class AuctionWork:
    """What a node may do with auctions; mixed into :class:`.gateway.NodeGateway`."""

    db: Database
    index: int  # this node
    nodes: int  # how many nodes are registered

    def pending_auctions(self) -> list[PendingAuction]:
        """Auctions being cleared that wait for this node's result, oldest first."""
        with self.db.session() as s:
            rows = s.scalars(
                select(BlindAuctionRow)
                .where(BlindAuctionRow.status == "clearing")
                .order_by(BlindAuctionRow.created_at, BlindAuctionRow.auction_id)
            )
            done = {
                (r.auction_id, r.attempt)
                for r in s.scalars(
                    select(BlindAuctionResult).where(BlindAuctionResult.node_index == self.index)
                )
            }
            return [
                PendingAuction(
                    auction_id=r.auction_id, attempt=r.attempt, auction=json.loads(r.auction)
                )
                for r in rows
                if (r.auction_id, r.attempt) not in done
            ]

    def order_bundles(self, auction_id: str) -> list[dict[str, Any]]:
        """The order bundles sealed to this node (ciphertext only), while it is clearing."""
        with scoped_session(self.db, Scope.AGGREGATE) as s:
            row = _auction(s, auction_id)
            if row.status != "clearing":
                # While open, members may still replace their orders: nothing to hand out.
                raise ConflictError(f"auction {auction_id} is {row.status}, not being cleared")
            found = s.scalars(select(BlindOrders).where(
                BlindOrders.auction_id == auction_id, BlindOrders.node_index == self.index
            ).order_by(BlindOrders.member_id))  # fmt: skip
            bundles = [json.loads(b.bundle) for b in found]
            _audit.append(s, f"node-{self.index}", "blind.download", f"auction {auction_id}",
                          {"bundles": len(bundles)})  # fmt: skip
            return bundles

    def fail_auction(self, auction_id: str, attempt: int, reason: str) -> None:
        """This node could not finish: the attempt fails and nothing is published."""
        with self.db.session() as s:
            row = _auction(s, auction_id, lock=True)
            if row.attempt != attempt or row.status != "clearing":
                return  # an older attempt's news; the current one is unaffected
            said = reason[:500]
            row.status = "failed"
            row.error = (
                said if said.startswith(f"node {self.index}:") else f"node {self.index}: {said}"
            )
            _audit.append(s, f"node-{self.index}", "blind.failed", f"auction {auction_id}",
                          {"attempt": attempt, "reason": said})  # fmt: skip

    def post_auction(self, auction_id: str, attempt: int, result: dict[str, Any]) -> str:
        """Store this node's result; publish the prices when every node agrees.

        Returns the auction's status afterwards (``clearing``, ``done`` or ``failed``).
        """
        # Aggregate scope: concluding compares the results with every member's order rows.
        with scoped_session(self.db, Scope.AGGREGATE) as s:
            # Locked: nodes posting at once must not each miss the others' results and leave
            # the auction clearing (PostgreSQL; SQLite serialises writers anyway).
            row = _auction(s, auction_id, lock=True)
            if row.attempt != attempt or row.status != "clearing":
                raise ConflictError(
                    f"auction {auction_id} attempt {attempt} is not being cleared (now attempt "
                    f"{row.attempt}, {row.status})"
                )
            self._check_auction(row, result)
            s.execute(delete(BlindAuctionResult).where(
                BlindAuctionResult.auction_id == auction_id,
                BlindAuctionResult.node_index == self.index,
            ))  # fmt: skip
            s.add(BlindAuctionResult(
                auction_id=auction_id, node_index=self.index, attempt=attempt,
                result=json.dumps(result, sort_keys=True),
            ))  # fmt: skip
            s.flush()
            posted = list(s.scalars(select(BlindAuctionResult).where(
                BlindAuctionResult.auction_id == auction_id, BlindAuctionResult.attempt == attempt
            )))  # fmt: skip
            if len(posted) == self.nodes:
                self._conclude_auction(s, row, [json.loads(p.result) for p in posted])
            return row.status

    def _check_auction(self, row: BlindAuctionRow, result: dict[str, Any]) -> None:
        if result.get("format") != RESULT_FORMAT:
            raise InputError(f"an auction result must be format {RESULT_FORMAT}")
        if result.get("node") != self.index:
            raise InputError(f"node {self.index} posted a result signed as another node")
        if result.get("job") != row.digest or result.get("auction") != row.auction_id:
            raise InputError(f"the result is for another auction than {row.auction_id}")
        markets = result.get("markets")
        wanted = list(Auction.from_json(row.auction).markets)
        if (
            not isinstance(markets, list)
            or [m.get("market") if isinstance(m, dict) else None for m in markets] != wanted
        ):
            raise InputError("an auction result lists every market of the auction, in order")
        for m in markets:
            price = m.get("price")
            if price is not None and not (
                isinstance(price, int | float) and math.isfinite(price) and price >= 0
            ):
                raise InputError(f"{m['market']}: a price is a number >= 0 or null")
        members = result.get("members")
        if not isinstance(members, dict) or not all(
            isinstance(p, dict) and set(p) == {"ephemeral", "sealed"} for p in members.values()
        ):
            raise InputError("an auction result holds one sealed part per member")

    def _conclude_auction(
        self, s: Session, row: BlindAuctionRow, results: list[dict[str, Any]]
    ) -> None:
        prices = {json.dumps(r["markets"]) for r in results}
        inputs = {r.get("inputs") for r in results}
        cleared = {tuple(sorted(r["members"])) for r in results}
        held = tuple(sorted(set(s.scalars(
            select(BlindOrders.member_id).where(BlindOrders.auction_id == row.auction_id)
        ))))  # fmt: skip
        reason = None
        if len(prices) != 1 or len(inputs) != 1 or len(cleared) != 1:
            reason = "the nodes returned different prices or cleared different orders"
        elif cleared != {held}:
            reason = "the nodes cleared other members' orders than the platform holds"
        if reason is not None:
            row.status, row.error = "failed", f"{reason}; nothing published"
            _audit.append(s, "platform", "blind.failed", f"auction {row.auction_id}",
                          {"attempt": row.attempt, "reason": reason})  # fmt: skip
            return
        published = {m["market"]: m["price"] for m in results[0]["markets"]}
        row.prices = json.dumps(published)
        row.status = "done"
        trading = sum(p is not None for p in published.values())
        # Counts only: the prices are in the auction's row, for every signed-in user.
        _audit.append(s, "platform", "blind.auction.done", f"auction {row.auction_id}", {
            "attempt": row.attempt, "markets": len(published), "trading": trading,
            "members": len(held),
        })  # fmt: skip
        log.info("blind auction %s: %d of %d markets trade", row.auction_id, trading,
                 len(published))  # fmt: skip


def _auction(s: Session, auction_id: str, *, lock: bool = False) -> BlindAuctionRow:
    row = s.get(BlindAuctionRow, auction_id, with_for_update=lock)
    if row is None:
        raise NotFoundError(f"no blind auction {auction_id}")
    return row
