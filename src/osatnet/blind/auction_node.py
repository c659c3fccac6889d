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

import asyncio
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError, OsatnetError
from .auction import Auction
from .auction_client import ORDERS_FORMAT, RESULT_FORMAT, order_aad, order_store, result_aad
from .auction_protocol import Cleared, clear
from .cluster import LocalCluster
from .config import NodeConfig
from .envelope import SHARE_BYTES, Opener, Sealer, b64, unb64
from .field import value_modulus
from .node import _guarded
from .runtime import NodeFailure, make_runtime, peers_down, tls_start

__all__ = ["OrderInput", "open_orders", "run_auction", "run_local_auction", "start_local_auction"]

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


async def _session(
    rt: Any, config: NodeConfig, auction: Auction, data: OrderInput, say: Callable[[str], None]
) -> Cleared:
    deadline = time.monotonic() + config.timeout
    await tls_start(rt, config, deadline)
    say(f"node {config.index}: connected to all nodes over TLS")
    digests = await _guarded(rt, rt.transfer(data.digest), deadline)
    if len(set(digests)) != 1:
        raise NodeFailure(
            f"node {config.index}: the nodes hold different auctions or order sets "
            "(a member's upload missing on some node?); nothing computed"
        )
    t0 = time.perf_counter()
    work = clear(rt, data.demand, data.supply, auction.grid_codes)
    cleared: Cleared = await _guarded(rt, work, deadline)
    took = time.perf_counter() - t0
    say(f"node {config.index}: cleared {len(auction.markets)} markets in {took:.2f} s")
    # Closing barrier, still watched (as in node.py): nobody closes before everyone is done.
    await _guarded(rt, rt.transfer(True), deadline)
    try:
        await asyncio.wait_for(rt.shutdown(), max(deadline - time.monotonic(), 1.0))
    except TimeoutError:
        raise NodeFailure(f"node {config.index}: closing timed out; nothing written") from None
    return cleared


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
    rt = make_runtime(config)
    try:
        cleared = rt.run(_session(rt, config, auction, data, say))
    except OsatnetError:
        raise
    except OSError as exc:
        raise NodeFailure(f"node {config.index}: connection failed: {exc}") from None
    except Exception as exc:
        # As in node.run_node: MPyC stops its loop when a peer's connection is lost.
        down = peers_down(rt)
        if down or (isinstance(exc, RuntimeError) and "Event loop stopped" in str(exc)):
            who = f"node(s) {down}" if down else "another node"
            raise NodeFailure(
                f"node {config.index}: {who} left; nothing was revealed or written"
            ) from None
        raise
    result = _result(config, auction, data, cleared)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=1), encoding="utf-8")
    os.replace(tmp, out)
    return result


def start_local_auction(
    cluster: LocalCluster, auction: Auction, name: str = "auction"
) -> list[subprocess.Popen[str]]:
    """Start every node of a :class:`.LocalCluster` on ``auction`` (``osatnet node auction``)."""
    file = cluster.root / f"{name}.json"
    file.write_text(auction.to_json(), encoding="utf-8")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "osatnet.blind",
                "auction",
                "--config",
                str(cfg),
                "--auction",
                str(file),
                "--out",
                str(cluster.result_path(i, name)),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i, cfg in enumerate(cluster.configs)
    ]


def run_local_auction(cluster: LocalCluster, auction: Auction, name: str = "auction") -> list[str]:
    """Run every node to the end; their stderr, or an error naming the nodes that failed."""
    procs = start_local_auction(cluster, auction, name)
    deadline = time.monotonic() + cluster.timeout + 30
    logs = [p.communicate(timeout=max(deadline - time.monotonic(), 1.0))[1] for p in procs]
    failed = [i for i, p in enumerate(procs) if p.returncode != 0]
    if failed:
        detail = "\n".join(logs[i].strip().splitlines()[-1] for i in failed if logs[i].strip())
        raise OsatnetError(f"node(s) {failed} failed: {detail}")
    return logs
