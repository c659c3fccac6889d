"""Sealed-bid clearing in blind mode: the grid method, the secure protocol, three nodes.

* the plain grid method (``clear_plain``) gives the exchange's ``crossing_price`` whenever the
  orders' prices lie on the grid, and trades as much as it sells;
* the secure protocol, run in one process (one party: its shares are the values), finds the
  same prices and quantities on many random cases, edge cases included;
* three node processes over TLS clear ten members' sealed orders in three markets: the prices
  and every member's reconstructed quantities equal the plain method's, exactly; no file
  holds a member's quantity; a node killed mid-run stops the others with nothing written;
* the benchmark runs (``--small``).
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from osatnet.blind.auction import Ask, Auction, Bid, clear_plain, market_key, schedules
from osatnet.blind.auction_client import (
    DEN_BOUND,
    open_allocation,
    put_orders,
    ratrec,
    share_orders,
)
from osatnet.blind.cluster import LocalCluster
from osatnet.blind.envelope import public_bytes
from osatnet.blind.field import MAX_ABS_VALUE, split, value_modulus
from osatnet.errors import ConfigError, InputError
from osatnet.exchange._pricing import crossing_price

Orders = dict[str, tuple[list[Bid], list[Ask]]]

# --- the plain grid method is the exchange's rule ------------------------------------------

_side = st.lists(st.tuples(st.integers(1, 9), st.integers(0, 7)), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(points=st.sets(st.integers(1, 60), min_size=2, max_size=8), bids=_side, asks=_side)
def test_plain_grid_method_is_crossing_price_on_the_grid(
    points: set[int], bids: list[tuple[int, int]], asks: list[tuple[int, int]]
) -> None:
    grid = tuple(float(g) for g in sorted(points))
    auction = Auction("a", grid, ("m",))
    bid = [(q, grid[i % len(grid)]) for q, i in bids]
    ask = [(q, grid[i % len(grid)]) for q, i in asks]
    orders: Orders = {f"b{i}": ([Bid("m", q, p)], []) for i, (q, p) in enumerate(bid)}
    orders |= {f"s{i}": ([], [Ask("m", q, p)]) for i, (q, p) in enumerate(ask)}
    ref = clear_plain(auction, orders)
    if max(p for _, p in bid) < min(p for _, p in ask):
        assert ref.prices["m"] is None  # nothing crosses (crossing_price is not asked then)
        return
    expected = crossing_price(
        np.array([p for _, p in bid]), np.array([float(q) for q, _ in bid]),
        np.array([p for _, p in ask]), np.array([float(q) for q, _ in ask]),
    )  # fmt: skip
    assert ref.prices["m"] == expected
    price = expected
    bought = sum(ref.bought[m]["m"] for m in orders)
    assert bought == sum(ref.sold[m]["m"] for m in orders) > 0
    for m, ((b, *_), _) in ((m, o) for m, o in orders.items() if o[0]):
        assert 0 <= ref.bought[m]["m"] <= b.quantity
        assert ref.bought[m]["m"] == 0 or b.max_price is None or b.max_price >= price
    for m, (_, (a, *_)) in ((m, o) for m, o in orders.items() if o[1]):
        assert 0 <= ref.sold[m]["m"] <= a.quantity
        assert ref.sold[m]["m"] == 0 or a.unit_price <= price


def test_off_grid_prices_round_towards_the_traders_limit() -> None:
    auction = Auction("a", (10.0, 20.0, 30.0), ("m",))
    demand, supply = schedules(auction, [Bid("m", 5, 25.0), Bid("m", 2)], [Ask("m", 3, 15.0)])
    assert demand.tolist() == [[7, 7, 2]]  # 25 bids up to 20; no max price: the whole grid
    assert supply.tolist() == [[0, 3, 3]]  # 15 asks from 20


@pytest.mark.parametrize(
    ("bids", "asks", "message"),
    [
        ([Bid("x", 5, 20.0)], [], "not in auction"),
        ([Bid("m", 0, 20.0)], [], "whole units above 0"),
        ([Bid("m", 5, 5.0)], [], "below the grid"),
        ([], [Ask("m", 5, 31.0)], "above the grid"),
        ([Bid("m", 2**40, 20.0), Bid("m", 1, 10.0)], [], "add up to"),
    ],
)
def test_the_client_refuses_orders_that_cannot_be_cleared(
    bids: list[Bid], asks: list[Ask], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        schedules(Auction("a", (10.0, 20.0, 30.0), ("m",)), bids, asks)


def test_rational_reconstruction_reaches_its_bounds() -> None:
    p = value_modulus()
    rng = random.Random(1)
    cap = int(MAX_ABS_VALUE)
    cases = [Fraction(0), Fraction(cap), Fraction(1000 * cap * cap - 1, DEN_BOUND)]
    cases += [
        Fraction(rng.randrange(1000 * cap * cap), rng.randrange(1, DEN_BOUND)) for _ in range(50)
    ]
    for value in cases:
        assert ratrec(value.numerator * pow(value.denominator, -1, p) % p, p) == value


# --- the secure protocol in one process -----------------------------------------------------


def _random_orders(rng: random.Random, auction: Auction, members: int, big: bool) -> Orders:
    lo, hi = (1_000_000, 9_999_999) if big else (1, 40)
    orders: Orders = {}
    for i in range(members):
        bids = [
            Bid(rng.choice(auction.markets), rng.randint(lo, hi), rng.choice(auction.grid))
            for _ in range(rng.randint(0, 3))
        ]
        asks = [
            Ask(rng.choice(auction.markets), rng.randint(lo, hi), rng.choice(auction.grid))
            for _ in range(rng.randint(0, 3))
        ]
        orders[f"M{i:02d}"] = (bids, asks)
    return orders


@pytest.mark.filterwarnings("ignore:numpy.core is deprecated:DeprecationWarning")  # MPyC 0.11
def test_secure_clearing_matches_the_plain_method() -> None:
    from osatnet.blind._mpyc import mpyc_argv
    from osatnet.blind.auction_protocol import clear

    with mpyc_argv([]):
        from mpyc import runtime as mpyc_runtime  # type: ignore[import-untyped]

        rt = mpyc_runtime.setup()  # one party, threshold 0: a share is the value itself
    rng = random.Random(2026)
    p = value_modulus()

    async def run_all() -> int:
        await rt.start()
        done = 0
        for k in (2, 3, 4, 7, 8, 9, 15, 16, 17, 33) * 4:
            grid = tuple(sorted(rng.sample(range(5, 500), k)))
            markets = tuple(market_key(f"P{j}", 36) for j in range(rng.randint(1, 3)))
            auction = Auction("a", tuple(float(g) for g in grid), markets)
            orders = _random_orders(rng, auction, rng.randint(1, 7), big=done % 2 == 0)
            ref = clear_plain(auction, orders)
            members = sorted(orders)
            sched = [schedules(auction, *orders[m]) for m in members]
            d = np.array([s[0] for s in sched], dtype=object)
            s = np.array([s[1] for s in sched], dtype=object)
            got = await clear(rt, d, s, auction.grid_codes)
            assert got.prices == [ref.prices[mk] for mk in markets]
            for i, m in enumerate(members):
                for j, mk in enumerate(markets):
                    assert ratrec(int(got.bought[i, j]), p) == ref.bought[m][mk]
                    assert ratrec(int(got.sold[i, j]), p) == ref.sold[m][mk]
            done += 1
        await rt.shutdown()
        return done

    assert rt.run(run_all()) == 40


def test_a_member_needs_two_consistent_node_results() -> None:
    """Shares sealed like the nodes do; one node's garbage is caught by the third share."""
    from osatnet.blind.auction_node import OrderInput, _result
    from osatnet.blind.auction_protocol import Cleared

    auction = Auction("a", (1.0, 2.0), ("m1", "m2"))
    key = X25519PrivateKey.generate()
    p = value_modulus()
    want = [Fraction(7, 3), Fraction(0), Fraction(5), Fraction(123456, 7)]
    secrets = [f.numerator * pow(f.denominator, -1, p) % p for f in want]
    shares = split(secrets, p, 3)
    none = np.zeros(0, dtype=object)
    data = OrderInput(("M1",), (public_bytes(key.public_key()),), none, none, "x")
    results = []
    for node in range(3):
        row = np.array(shares[node], dtype=object).reshape(2, 2)  # markets × (bought, sold)
        cleared = Cleared([1.5, None], row[:, 0].reshape(1, 2), row[:, 1].reshape(1, 2))
        config: Any = type("C", (), {"index": node})()
        results.append(_result(config, auction, data, cleared))
    got = open_allocation(auction, "M1", key, results[1:])
    assert [(a.price, a.bought, a.sold) for a in got.values()] == [
        (1.5, want[0], want[1]), (None, want[2], want[3])
    ]  # fmt: skip
    with pytest.raises(InputError, match="at least 2"):
        open_allocation(auction, "M1", key, results[:1])
    with pytest.raises(ConfigError, match="failed authentication"):
        open_allocation(auction, "M1", X25519PrivateKey.generate(), results)
    cleared = Cleared(
        [1.5, None], np.array([[1, 2]], dtype=object), np.array([[3, 4]], dtype=object)
    )
    config = type("C", (), {"index": 0})()
    results[0] = _result(config, auction, data, cleared)  # node 0 sends garbage
    with pytest.raises(ConfigError, match="inconsistent"):
        open_allocation(auction, "M1", key, results)


# --- three node processes -------------------------------------------------------------------


def _upload(cluster: LocalCluster, auction: Auction, orders: Orders) -> dict[str, X25519PrivateKey]:
    keys = {}
    for member, (bids, asks) in orders.items():
        keys[member] = X25519PrivateKey.generate()
        reply = public_bytes(keys[member].public_key())
        for bundle in share_orders(member, auction, bids, asks, cluster.public_keys, reply):
            put_orders(cluster.store, bundle)
    return keys


def _e2e_orders() -> tuple[Auction, Orders]:
    rng = random.Random(36)
    grid = tuple(100.0 + 2.5 * i for i in range(40))
    ft, wb, db = (market_key(p, "2026-W36") for p in ("FT", "WB", "DB"))
    auction = Auction("2026-W36", grid, (ft, wb, db))
    orders = _random_orders(rng, Auction("x", grid, (wb,)), 10, big=True)  # WB: random
    # FT: demand 4,300,004 at 120 meets supply 3,000,001 at 105 plus two asks at 110 that
    # share the remaining 1,300,003 pro rata (2,000,000 : 1,000,003): fractions.
    orders["M02"][1].append(Ask(ft, 3_000_001, 105.0))
    orders["M03"][1].append(Ask(ft, 2_000_000, 110.0))
    orders["M07"][1].append(Ask(ft, 1_000_003, 110.0))
    orders["M04"][0].append(Bid(ft, 1_500_000, 140.0))
    orders["M05"][0].append(Bid(ft, 1_700_001, 120.0))
    orders["M06"][0].append(Bid(ft, 1_100_003, 121.0))  # off the grid: bids 120
    # DB: every bid below every ask, so nothing trades there.
    orders["M00"][0].append(Bid(db, 1_234_567, 110.0))
    orders["M01"][1].append(Ask(db, 2_345_678, 150.0))
    return auction, orders


def _needles(orders: Orders, auction: Auction) -> list[bytes]:
    """A member's quantities and schedule values, as text and as raw integers."""
    numbers = {b.quantity for bids, _ in orders.values() for b in bids}
    numbers |= {a.quantity for _, asks in orders.values() for a in asks}
    for bids, asks in orders.values():
        for sched in schedules(auction, bids, asks):
            numbers |= {int(v) for v in sched.reshape(-1) if v}
    out = []
    for v in numbers:
        out += [str(v).encode(), f"{float(v)!r}".encode(), v.to_bytes(24, "big"),
                v.to_bytes(8, "little")]  # fmt: skip
    return out


def test_what_one_node_opens(tmp_path: Path) -> None:
    """Random shares, bound to their place; a missing upload changes the compared digest."""
    from osatnet.blind.auction_client import order_store
    from osatnet.blind.auction_node import open_orders
    from osatnet.blind.config import load_config

    cluster = LocalCluster(tmp_path).setup()
    auction, orders = _e2e_orders()
    _upload(cluster, auction, orders)
    configs = [load_config(c) for c in cluster.configs]
    mine = open_orders(configs[0], auction)
    assert mine.members == tuple(sorted(orders))
    values = {
        int(v)
        for bids, asks in orders.values()
        for v in schedules(auction, bids, asks)[0].reshape(-1)
    }
    shares = np.concatenate([mine.demand.reshape(-1), mine.supply.reshape(-1)])
    assert not {int(x) for x in shares} & (values - {0})
    assert np.mean([int(x).bit_length() > 64 for x in shares]) > 0.99
    assert open_orders(configs[2], auction).digest == mine.digest
    store = order_store(cluster.store)
    store.path(auction.auction_id, "M03", 2).unlink()  # lost on its way to node 2
    assert open_orders(configs[2], auction).digest != mine.digest  # the nodes refuse to clear
    path = store.path(auction.auction_id, "M04", 0)
    bundle = json.loads(path.read_text())
    ft, wb, _ = auction.markets
    bundle["markets"][ft], bundle["markets"][wb] = bundle["markets"][wb], bundle["markets"][ft]
    path.write_text(json.dumps(bundle))
    with pytest.raises(ConfigError, match="failed authentication"):
        open_orders(configs[0], auction)


def test_three_nodes_clear_like_the_plain_method_and_store_no_quantity(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path, timeout=120.0).setup()
    auction, orders = _e2e_orders()
    keys = _upload(cluster, auction, orders)
    cluster.run(auction, "auction")
    results = [json.loads(cluster.result_path(i, "auction").read_text()) for i in range(3)]
    ref = clear_plain(auction, orders)
    for r in results:
        assert [m["price"] for m in r["markets"]] == [ref.prices[m] for m in auction.markets]
    assert ref.prices[auction.markets[0]] == 115.0  # (120 + 110) / 2
    assert ref.prices[auction.markets[2]] is None and ref.prices[auction.markets[1]] is not None
    fractional = 0
    for member in orders:
        mine = open_allocation(auction, member, keys[member], results[:2])
        assert mine == open_allocation(auction, member, keys[member], results)
        for market, got in mine.items():
            assert (got.bought, got.sold) == (ref.bought[member][market], ref.sold[member][market])
            fractional += got.bought.denominator > 1 or got.sold.denominator > 1
    assert fractional  # the data exercises the pro-rata rationing at the margin
    # Neither the platform's store nor any node's folder (result files included) holds a
    # member's quantity or schedule value; the results hold prices and sealed shares only.
    needles = _needles(orders, auction)
    answers = {str(x).encode() for a in ref.bought.values() for x in a.values() if x}
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "auction.json"]
    assert len(files) > 10
    for path in files:
        data = path.read_bytes()
        for needle in [*needles, *(answers if "result" in path.name else ())]:
            assert needle not in data, f"{needle!r} found in {path}"


def test_killing_a_node_mid_auction_stops_everyone_without_a_result(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path, timeout=60.0).setup()
    rng = random.Random(7)
    grid = tuple(float(10 + i) for i in range(4000))  # clearing takes seconds
    auction = Auction("slow", grid, tuple(market_key(f"P{j}", 1) for j in range(6)))
    _upload(cluster, auction, _random_orders(rng, auction, 12, big=False))
    procs = cluster.start(auction, "auction")
    for proc in procs:  # wait until every node is connected (then they compare and clear)
        assert proc.stderr is not None
        for line in proc.stderr:
            if "connected to all nodes" in line:
                break
    victim = procs[1]
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    for i in (0, 2):
        _, err = procs[i].communicate(timeout=60)
        assert procs[i].returncode == 2, err
        assert re.search(r"node\(s\) \[[\d, ]*1[\d, ]*\] left", err), err
        assert "nothing was revealed or written" in err
    assert not any(cluster.result_path(i, "auction").exists() for i in range(3))


def test_the_benchmark_runs_small() -> None:
    """``benchmarks/blind_auction.py --small`` runs end to end and checks itself."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(root / "benchmarks" / "blind_auction.py"), "--small"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "checked against clear_plain" in done.stdout
    assert "ratio blind / plain grid clearing" in done.stdout
