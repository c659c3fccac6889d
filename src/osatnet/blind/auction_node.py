"""One compute node's run of a sealed-bid auction (``osatnet node auction``).

As for a table (:mod:`.node`): the node opens only the schedules sealed to its key, connects
to the other nodes over mutually authenticated TLS, and compares with them a digest of the
auction and of the public upload list (which members, with which reply keys) before any
secure step; the clearing (:mod:`.auction_protocol`) runs under the same watchdog, so a node
that leaves stops the others; the result is written only after a closing barrier, atomically.

The result file holds the price of every market and, per member, this node's shares of the
member's quantities sealed to the member's reply key: the platform, the other members and
the node itself cannot read them (:func:`.auction_client.open_allocation` can).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError
from .auction import Auction
from .auction_client import ORDERS_FORMAT, RESULT_FORMAT, order_aad, order_store, result_aad
from .auction_protocol import Cleared, clear
from .config import NodeConfig
from .envelope import SHARE_BYTES, Opener, Sealer, b64, unb64
from .field import value_modulus
from .node import session
from .runtime import run_mpc, write_result

__all__ = ["OrderInput", "open_orders", "run_auction"]

ObjArray = npt.NDArray[np.object_]


@dataclass(frozen=True, eq=False)
class OrderInput:
    members: tuple[str, ...]
    reply_keys: tuple[bytes, ...]
    demand: ObjArray  # this node's shares, members × markets × grid
    supply: ObjArray
    digest: str  # auction + members and reply keys: equal on every node or nobody computes


def open_orders(config: NodeConfig, auction: Auction) -> OrderInput:
    key = config.load_private_key()
    digest, k = auction.digest(), len(auction.grid)
    members: list[str] = []
    replies: list[bytes] = []
    demand: list[list[list[int]]] = []
    supply: list[list[list[int]]] = []
    public = hashlib.sha256(digest.encode())
    for bundle in order_store(config.store).bundles(auction.auction_id, config.index):
        member = str(bundle["member"])
        if (
            bundle.get("format") != ORDERS_FORMAT
            or bundle.get("digest") != digest
            or int(bundle["node"]) != config.index
            or int(bundle["value_modulus"]) != value_modulus()
            or sorted(bundle["markets"]) != sorted(auction.markets)
        ):
            raise ConfigError(f"{member}'s orders for node {config.index} do not fit this auction")
        reply = str(bundle["reply_key"])
        opener = Opener.of(key, unb64(str(bundle["ephemeral"])))
        rows_d, rows_s = [], []
        for market in auction.markets:
            aad = order_aad(digest, member, market, config.index, reply)
            plain = opener.open(unb64(str(bundle["markets"][market])), aad)
            if len(plain) != 2 * k * SHARE_BYTES:
                raise ConfigError(f"{member}'s schedule for {market} does not fit the grid")
            row = [
                int.from_bytes(plain[i : i + SHARE_BYTES], "big")
                for i in range(0, len(plain), SHARE_BYTES)
            ]
            rows_d.append(row[:k])
            rows_s.append(row[k:])
        members.append(member)
        replies.append(unb64(reply))
        demand.append(rows_d)
        supply.append(rows_s)
        public.update(f"{member}\x1f{reply}\x1e".encode())
    if not members:
        raise ConfigError(f"no orders for auction {auction.auction_id} in {config.store}")
    return OrderInput(
        tuple(members), tuple(replies), np.array(demand, dtype=object),
        np.array(supply, dtype=object), public.hexdigest(),
    )  # fmt: skip


def _result(config: NodeConfig, auction: Auction, data: OrderInput, c: Cleared) -> dict[str, Any]:
    digest = auction.digest()
    sealed = {}
    for i, (member, reply) in enumerate(zip(data.members, data.reply_keys, strict=True)):
        # Market by market: the member's bought share, then its sold share.
        pairs = np.stack([c.bought[i], c.sold[i]], axis=1).reshape(-1)
        plain = b"".join(int(x).to_bytes(SHARE_BYTES, "big") for x in pairs)
        sealer = Sealer.to(reply)
        blob = sealer.seal(plain, result_aad(digest, member, config.index))
        sealed[member] = {"ephemeral": b64(sealer.ephemeral), "sealed": b64(blob)}
    markets = [
        {"market": mk, "price": pr} for mk, pr in zip(auction.markets, c.prices, strict=True)
    ]
    return {
        "format": RESULT_FORMAT, "node": config.index, "auction": auction.auction_id,
        "job": digest, "inputs": data.digest, "markets": markets, "members": sealed,
        "revealed": {"trade_bits": len(markets), "prices": sum(pr is not None for pr in c.prices)},
    }  # fmt: skip


def run_auction(
    config: NodeConfig, auction: Auction, out: Path, say: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    data = open_orders(config, auction)
    say(f"node {config.index}: opened {len(data.members)} members' orders")
    cleared: Cleared = run_mpc(
        config,
        lambda rt: session(
            rt,
            config,
            data.digest,
            "auctions or order sets",
            lambda: clear(rt, data.demand, data.supply, auction.grid_codes),
            say,
        ),
    )
    result = _result(config, auction, data, cleared)
    write_result(out, result)
    return result
