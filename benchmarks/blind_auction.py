"""Sealed-bid clearing in blind mode: three MPyC nodes on loopback (separate processes, TLS)
clear a uniform-price double auction on secret-shared schedules, next to the plain grid
clearing of the same orders in the same run.

    python benchmarks/blind_auction.py [--small]

Synthetic orders (seed 2026): 30 members, 10 markets (process family × week), a public grid
of 1,000 prices (100.0 to 349.75 yen in steps of 0.25; ``--small``: 10 members, 3 markets,
100 prices in steps of 2.5). Each member places one to four bids and one to four asks in
random markets, whole units, limits around each market's own level (off the grid: the client
rounds them toward the trader's limit). Timed: the members' clients
(schedules, shares and sealing for every market); the three node processes from start to
written result (Python start-up and TLS included); the secure clearing inside node 0; the
members opening their results; and, on the same orders in the same run, the plain grid
clearing (``clear_plain``, exact fractions) and, for scale, the exchange's own
``crossing_price`` on the raw orders. Every price and every member's quantities are checked
against ``clear_plain``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from osatnet.blind.auction import Ask, Auction, Bid, clear_plain, market_key
from osatnet.blind.auction_client import open_allocation, put_orders, share_orders
from osatnet.blind.cluster import LocalCluster
from osatnet.blind.envelope import public_bytes
from osatnet.exchange._pricing import crossing_price

Orders = dict[str, tuple[list[Bid], list[Ask]]]


def make_orders(auction: Auction, members: int, seed: int) -> Orders:
    rng = random.Random(seed)
    level = {m: rng.uniform(160.0, 280.0) for m in auction.markets}
    orders: Orders = {}
    for i in range(members):
        bids = []
        for _ in range(rng.randint(1, 4)):
            m = rng.choice(auction.markets)
            bids.append(
                Bid(m, rng.randint(1_000, 50_000), round(level[m] * rng.uniform(0.8, 1.25), 2))
            )
        asks = []
        for _ in range(rng.randint(1, 4)):
            m = rng.choice(auction.markets)
            asks.append(
                Ask(m, rng.randint(1_000, 50_000), round(level[m] * rng.uniform(0.75, 1.2), 2))
            )
        orders[f"M{i:02d}"] = (bids, asks)
    return orders


def plain_exchange(auction: Auction, orders: Orders) -> None:
    """The exchange's crossing price per market on the raw (off-grid) orders."""
    for market in auction.markets:
        bids = [b for bs, _ in orders.values() for b in bs if b.market == market]
        asks = [a for _, as_ in orders.values() for a in as_ if a.market == market]
        if bids and asks:
            crossing_price(
                np.array([b.max_price or np.inf for b in bids]),
                np.array([float(b.quantity) for b in bids]),
                np.array([a.unit_price for a in asks]),
                np.array([float(a.quantity) for a in asks]),
            )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10 members, 3 markets, 100 prices")
    args = parser.parse_args()
    members, markets, points = (10, 3, 100) if args.small else (30, 10, 1000)
    grid = tuple(100.0 + 250.0 / points * i for i in range(points))  # up to 349.75
    auction = Auction(
        "bench-2026-W36", grid, tuple(market_key(f"P{j:02d}", "2026-W36") for j in range(markets))
    )
    orders = make_orders(auction, members, seed=2026)
    with tempfile.TemporaryDirectory() as tmp:
        cluster = LocalCluster(Path(tmp), timeout=900.0).setup()
        t0 = time.perf_counter()
        keys = {m: X25519PrivateKey.generate() for m in orders}
        for member, (bids, asks) in orders.items():
            reply = public_bytes(keys[member].public_key())
            for bundle in share_orders(member, auction, bids, asks, cluster.public_keys, reply):
                put_orders(cluster.store, bundle)
        t_client = time.perf_counter() - t0

        t0 = time.perf_counter()
        logs = cluster.run(auction, "bench")
        t_nodes = time.perf_counter() - t0
        found = re.search(r"in ([0-9.]+) s", logs[0])
        t_mpc = float(found.group(1)) if found else float("nan")
        results = [json.loads(cluster.result_path(i, "bench").read_text()) for i in range(3)]
        t0 = time.perf_counter()
        mine = {m: open_allocation(auction, m, keys[m], results) for m in orders}
        t_open = time.perf_counter() - t0

    t0 = time.perf_counter()
    ref = clear_plain(auction, orders)
    t_plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    plain_exchange(auction, orders)
    t_exchange = time.perf_counter() - t0

    assert [m["price"] for m in results[0]["markets"]] == [ref.prices[m] for m in auction.markets]
    for member, alloc in mine.items():
        for market, got in alloc.items():
            assert (got.bought, got.sold) == (ref.bought[member][market], ref.sold[member][market])
    trading = sum(p is not None for p in ref.prices.values())
    print(f"members {members}, markets {markets} ({trading} trade), grid {points} prices")
    print("blind: every price and every member's quantities checked against clear_plain")
    print(f"members' clients: schedules + shares + sealing      {t_client:8.2f} s")
    print(f"blind nodes, start to written result (3 processes) {t_nodes:8.2f} s")
    print(f"  of which the secure clearing (node 0)            {t_mpc:8.2f} s")
    print(f"members open their results (all {members})            {t_open:8.2f} s")
    print(f"plain grid clearing (clear_plain) on the same orders {t_plain:8.3f} s")
    print(f"exchange crossing_price on the raw orders            {t_exchange:8.4f} s")
    print(f"ratio blind / plain grid clearing: {t_nodes / t_plain:.0f}x end to end, "
          f"{t_mpc / t_plain:.0f}x secure clearing only")  # fmt: skip


if __name__ == "__main__":
    main()
