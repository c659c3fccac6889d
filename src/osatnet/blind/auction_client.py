"""Sealed-bid clearing, a member's client: share and seal its schedules, open its own result.

Uploading (:func:`share_orders`): for every market of the auction — also those the member has
no order in, so that the platform does not learn where it trades — the demand and supply
schedules (:func:`.auction.schedules`) are split into Shamir shares, one per node, in the
prime field of :mod:`.field`, as whole units. Each node's shares of one market are sealed in
one envelope to that node's X25519 key (:mod:`.envelope`), bound to the auction (its digest,
which covers the grid), member, market, node and the member's **reply key**: an X25519
public key the member includes so that the nodes can seal its result to it.

Opening (:func:`open_allocation`): every node writes, per member, its share of the member's
bought and sold quantities sealed to the reply key. Any two nodes' files give the member its
quantities (three also check each other); nobody else can open them. A quantity is a fraction
(pro-rata rationing), sent as one field element ``a · b⁻¹`` and recovered by rational
reconstruction (:func:`ratrec`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from ..errors import ConfigError, InputError
from .auction import MAX_MEMBERS, MAX_QUANTITY, Ask, Auction, Bid, schedules
from .envelope import SHARE_BYTES, Opener, Sealer, b64, unb64
from .field import THRESHOLD, split, value_modulus
from .store import ShareStore

__all__ = [
    "ORDERS_FORMAT",
    "RESULT_FORMAT",
    "Allocation",
    "open_allocation",
    "order_aad",
    "order_store",
    "put_orders",
    "ratrec",
    "result_aad",
    "share_orders",
]

ORDERS_FORMAT = "osatnet-blind-orders/1"  # one member's sealed schedules for one node
RESULT_FORMAT = "osatnet-blind-auction-result/1"
# A member's quantity is a / b with b ≤ members × cap (a marginal level's total) and
# a ≤ members × cap² (see auction_protocol): the bounds of the rational reconstruction.
DEN_BOUND = MAX_MEMBERS * MAX_QUANTITY


def order_aad(digest: str, member: str, market: str, node: int, reply_key: str) -> bytes:
    return f"{ORDERS_FORMAT}|{digest}|{member}|{market}|{node}|{reply_key}".encode()


def result_aad(digest: str, member: str, node: int) -> bytes:
    return f"{RESULT_FORMAT}|{digest}|{member}|{node}".encode()


def order_store(root: str | Path) -> ShareStore:
    """Sealed schedules live next to the value shares: ``ROOT/auctions/AUCTION/MEMBER/``."""
    return ShareStore(Path(root) / "auctions")


def put_orders(root: str | Path, bundle: Mapping[str, Any]) -> Path:
    """Store one node's bundle (atomically: a re-upload replaces the old one whole)."""
    target = order_store(root).path(
        str(bundle["auction"]), str(bundle["member"]), int(bundle["node"])
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(bundle, sort_keys=True), encoding="utf-8")
    os.replace(tmp, target)
    return target


def share_orders(
    member: str,
    auction: Auction,
    bids: Sequence[Bid],
    asks: Sequence[Ask],
    node_keys: Sequence[bytes],
    reply_key: bytes,
) -> list[dict[str, Any]]:
    """One sealed bundle per node (in node order); ``reply_key``: the member's X25519 public
    key (raw 32 bytes) the nodes seal its result to. Keep the private key to open it."""
    if len(reply_key) != 32:
        raise InputError("the reply key must be a raw X25519 public key (32 bytes)")
    demand, supply = schedules(auction, bids, asks)
    p, k, digest, reply = value_modulus(), len(node_keys), auction.digest(), b64(reply_key)
    # One secret per (market, side, grid point), demand before supply within a market.
    flat = np.concatenate([demand, supply], axis=1).reshape(-1)
    shares = split([int(v) for v in flat], p, k)
    width = 2 * len(auction.grid)
    bundles = []
    for node, public in enumerate(node_keys):
        sealer = Sealer.to(public)
        sealed = {}
        for j, market in enumerate(auction.markets):
            row = shares[node][j * width : (j + 1) * width]
            plain = b"".join(x.to_bytes(SHARE_BYTES, "big") for x in row)
            aad = order_aad(digest, member, market, node, reply)
            sealed[market] = b64(sealer.seal(plain, aad))
        bundles.append(
            {
                "format": ORDERS_FORMAT, "auction": auction.auction_id, "digest": digest,
                "member": member, "node": node, "value_modulus": str(p), "reply_key": reply,
                "ephemeral": b64(sealer.ephemeral), "markets": sealed,
            }
        )  # fmt: skip
    return bundles


def ratrec(x: int, p: int, den_bound: int = DEN_BOUND) -> Fraction:
    """The fraction ``a / b`` with ``a ≡ b·x (mod p)``, ``|a| ≤ (p-1) / 2·den_bound`` and
    ``0 < b ≤ den_bound`` (unique when it exists): extended Euclid, stopped half-way."""
    num_bound = (p - 1) // (2 * den_bound)
    r0, r1, t0, t1 = p, x % p, 0, 1
    while r1 > num_bound:
        q = r0 // r1
        r0, r1, t0, t1 = r1, r0 - q * r1, t1, t0 - q * t1
    if t1 == 0 or abs(t1) > den_bound:
        raise ConfigError("a result share does not reconstruct to a quantity: corrupted?")
    return Fraction(r1, t1)


def _lagrange(points: Sequence[tuple[int, int]], at: int, p: int) -> int:
    """Value at ``at`` of the polynomial through ``points`` (x, y), mod p."""
    total = 0
    for j, (xj, yj) in enumerate(points):
        num = den = 1
        for m, (xm, _) in enumerate(points):
            if m != j:
                num = num * (at - xm) % p
                den = den * (xj - xm) % p
        total += yj * num * pow(den, -1, p)
    return total % p


@dataclass(frozen=True)
class Allocation:
    price: float | None  # the market's clearing price (None: nothing trades)
    bought: Fraction  # units this member buys at that price
    sold: Fraction


def open_allocation(
    auction: Auction, member: str, key: X25519PrivateKey, results: Sequence[Mapping[str, Any]]
) -> dict[str, Allocation]:
    """The member's quantities per market, from two or more nodes' result files."""
    digest, p = auction.digest(), value_modulus()
    nodes = [int(r["node"]) for r in results]
    if len(set(nodes)) != len(nodes) or len(nodes) < THRESHOLD + 1:
        raise InputError(f"give the results of at least {THRESHOLD + 1} different nodes")
    prices = None
    points: list[tuple[int, list[int]]] = []
    for r in results:
        if r.get("format") != RESULT_FORMAT or r.get("job") != digest:
            raise ConfigError(
                f"node {r.get('node')}'s result is not for auction {auction.auction_id}"
            )
        found = [(m["market"], m["price"]) for m in r["markets"]]
        if prices is not None and found != prices:
            raise ConfigError("the nodes' results disagree on the prices")
        prices = found
        mine = r["members"].get(member)
        if mine is None:
            raise ConfigError(f"node {r['node']}'s result holds nothing for {member}")
        opener = Opener.of(key, unb64(mine["ephemeral"]))
        plain = opener.open(unb64(mine["sealed"]), result_aad(digest, member, int(r["node"])))
        ys = [
            int.from_bytes(plain[i : i + SHARE_BYTES], "big")
            for i in range(0, len(plain), SHARE_BYTES)
        ]
        points.append((int(r["node"]) + 1, ys))
    assert prices is not None
    if [m for m, _ in prices] != list(auction.markets) or len(points[0][1]) != 2 * len(prices):
        raise ConfigError("the results do not cover the auction's markets")
    base, extra = points[: THRESHOLD + 1], points[THRESHOLD + 1 :]
    values = []
    for i in range(2 * len(prices)):
        line = [(x, ys[i]) for x, ys in base]
        # More shares than needed must lie on the same polynomial: a node's garbage shows.
        if any(_lagrange(line, x, p) != ys[i] % p for x, ys in extra):
            raise ConfigError("the nodes' result shares are inconsistent: a node is faulty")
        values.append(ratrec(_lagrange(line, 0, p), p))
    return {
        market: Allocation(price, values[2 * j], values[2 * j + 1])
        for j, (market, price) in enumerate(prices)
    }
