"""Sealed-bid auctions through the platform: the secretariat publishes an auction, eight
members send sealed orders (Python API, REST and CLI), the secretariat clears, three node
processes pull their own order bundles over HTTP, clear, and the platform publishes the
prices once all three agree. The prices and every member's opened quantities equal
``clear_plain`` on the same orders; nobody reads another member's orders or results, and the
database holds no order's quantity or price. A node down fails the auction; a retry clears it.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select, update

from osatnet.audit.models import AuditEntry
from osatnet.auth import Auth
from osatnet.blind.auction import Ask, Auction, Bid, clear_plain, market_key, schedules
from osatnet.blind.auction_client import open_allocation, share_orders
from osatnet.blind.auction_files import reply_key
from osatnet.blind.auction_platform import BlindAuctions
from osatnet.blind.cluster import LocalCluster
from osatnet.blind.envelope import b64, public_bytes
from osatnet.blind.gateway import NodeGateway
from osatnet.blind.models import BlindAuctionResult, BlindAuctionRow, BlindOrders
from osatnet.blind.platform import BlindService
from osatnet.db import Database
from osatnet.demo.generator import generate_registry
from osatnet.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from osatnet.registry import Registry
from osatnet.registry._export import export_registry
from osatnet.registry.models import Alliance
from osatnet.vault._context import Scope, scoped_session
from tests.helpers import run_cli

from .test_blind_platform import _serve

PERIOD, WEEK = "2026Q3", "2026-W36"
Orders = dict[str, tuple[list[Bid], list[Ask]]]


@dataclass
class Market:
    db: Database
    url: str
    cluster: LocalCluster
    node_tokens: list[Path]
    members: list[str]
    tokens: dict[str, str]  # API tokens of users
    auction: Auction
    orders: Orders = field(default_factory=dict)
    keys: dict[str, X25519PrivateKey] = field(default_factory=dict)

    def nodes(self, which: list[int]) -> list[subprocess.Popen[str]]:
        return self.cluster.pull(self.url, self.node_tokens, which)

    def api(self, user: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url + "/api/v1/blind",
            headers={"Authorization": f"Bearer {self.tokens[user]}"}, timeout=60,
        )  # fmt: skip

    def node_api(self, index: int) -> httpx.Client:
        token = self.node_tokens[index].read_text()
        return httpx.Client(
            base_url=self.url + "/api/v1/blind/node",
            headers={"Authorization": f"Bearer {token}"}, timeout=60,
        )  # fmt: skip


@pytest.fixture
def market(db: Database, use_db: str, tmp_path: Path) -> Iterator[Market]:
    data = generate_registry(7)
    export_registry(tmp_path / "registry", data.members, data.sites, data.capabilities)
    reg = Registry(db)
    reg.import_path(tmp_path / "registry")
    reg.add_period(PERIOD)
    reg.add_user("sec", "secretariat")
    reg.add_user("aud", "auditor")
    members = [m.member_id for m in data.members[:8]]
    for m in members:
        reg.add_user(f"{m}-admin", "member_admin", member_id=m)
    with db.session() as s:
        s.execute(update(Alliance).values(min_contributors=3))
    cluster = LocalCluster(tmp_path / "cluster", timeout=90.0, shared_store=False).setup()
    sec = BlindService(db, "sec")
    node_tokens = []
    for i, key in enumerate(cluster.keys):
        _, token = sec.register_node(i, key.public_key_b64(), operator=f"org {i}",
                                     host="127.0.0.1", port=11365 + i)  # fmt: skip
        node_tokens.append(tmp_path / f"node-{i}.token")
        node_tokens[-1].write_text(token)
    info = BlindAuctions(db, "sec").create(
        PERIOD, WEEK, ["final_test", "wafer_sort", "burn_in"], low=100.0, high=199.9
    )
    auction = BlindAuctions(db, "sec").auction(info.auction_id)
    auth = Auth(db)
    users = ["sec", "aud", *(f"{m}-admin" for m in members)]
    tokens = {u: auth.create_token(u, "tests").token for u in users}
    for url in _serve(db):
        yield Market(db, url, cluster, node_tokens, members, tokens, auction)


def _orders(auction: Auction, members: list[str]) -> Orders:
    """Random orders in wafer sort; final test rationed pro rata at the margin (fractions);
    nothing trades in burn-in. Prices off the grid end in 3 or 7 hundredths, which neither a
    grid price nor a clearing price does: they can be searched for in what is stored."""
    ft, wb, bi = auction.markets
    rng = random.Random(36)
    orders: Orders = {m: ([], []) for m in members}
    for m in members:
        for _ in range(rng.randint(1, 3)):
            price = round(rng.uniform(110, 180), 1) + rng.choice((0.03, 0.07))
            quantity = rng.randint(1_000_000, 9_999_999)
            if rng.random() < 0.5:
                orders[m][0].append(Bid(wb, quantity, price))
            else:
                orders[m][1].append(Ask(wb, quantity, price))
    m = members
    orders[m[2]][1].append(Ask(ft, 3_000_001, 105.03))
    orders[m[3]][1].append(Ask(ft, 2_000_000, 110.0))
    orders[m[7]][1].append(Ask(ft, 1_000_003, 109.97))  # the CLI member: same grid cell
    orders[m[4]][0].append(Bid(ft, 1_500_000, 140.0))
    orders[m[5]][0].append(Bid(ft, 1_700_001, 120.0))
    orders[m[6]][0].append(Bid(ft, 1_100_003, 120.07))  # off the grid: bids from 120
    orders[m[0]][0].append(Bid(bi, 1_234_567, 110.0))
    orders[m[1]][1].append(Ask(bi, 2_345_678, 150.0))
    return orders


def _csv(orders: tuple[list[Bid], list[Ask]]) -> str:
    lines = ["side,process,week,quantity,price"]
    for b in orders[0]:
        process, week = b.market.split("|")
        lines.append(
            f"bid,{process},{week},{b.quantity},{'' if b.max_price is None else b.max_price!r}"
        )
    for a in orders[1]:
        process, week = a.market.split("|")
        lines.append(f"ask,{process},{week},{a.quantity},{a.unit_price!r}")
    return "\n".join(lines) + "\n"


def _needles(orders: Orders, auction: Auction) -> list[bytes]:
    """Every order's quantity and off-grid price, every schedule value, as text."""
    out = set()
    for bids, asks in orders.values():
        out |= {str(o.quantity) for o in [*bids, *asks]}
        out |= {repr(b.max_price) for b in bids if b.max_price not in (None, *auction.grid)}
        out |= {repr(a.unit_price) for a in asks if a.unit_price not in auction.grid}
        for sched in schedules(auction, bids, asks):
            out |= {str(int(v)) for v in sched.reshape(-1) if v}
    return [n.encode() for n in out]


def _finish(procs: list[subprocess.Popen[str]]) -> list[str]:
    return [p.communicate(timeout=300)[1] for p in procs]


def _send_orders(market: Market, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Six members by the Python API, one by REST, one by the CLI; returns the CLI's key."""
    a, members = market.auction, market.members
    market.orders = _orders(a, members)
    for m in members[:6]:
        market.keys[m] = X25519PrivateKey.generate()
        reply = public_bytes(market.keys[m].public_key())
        service = BlindAuctions(market.db, f"{m}-admin")
        if m == members[0]:  # re-sending replaces: the first orders are gone
            service.submit_orders(a.auction_id, [Bid(a.markets[1], 777_777_777, 150.03)], [], reply)
        sent = service.submit_orders(a.auction_id, *market.orders[m], reply)
        assert sent.nodes == 3 and sent.reply_key == b64(reply)
    rest = members[6]
    market.keys[rest] = X25519PrivateKey.generate()
    keys = BlindService(market.db, f"{rest}-admin").node_keys()
    reply = public_bytes(market.keys[rest].public_key())
    bundles = share_orders(rest, a, *market.orders[rest], keys, reply)
    with market.api(f"{rest}-admin") as c:
        wrong = [dict(b, digest="0" * 64) for b in bundles]
        r = c.post(f"/auctions/{a.auction_id}/orders", json={"bundles": wrong})
        assert r.status_code == 422 and "digest" in r.text
        r = c.post(f"/auctions/{a.auction_id}/orders", json={"bundles": bundles})
        assert r.status_code == 201, r.text
    cli = members[7]
    file, key = tmp_path / "orders.csv", tmp_path / "keys" / "reply.key"
    file.write_text(_csv(market.orders[cli]), encoding="utf-8")
    sent_cli = run_cli(capsys, "blind", "auction", "orders", str(file), "--auction", a.auction_id,
                       "--key", str(key), "-u", f"{cli}-admin")  # fmt: skip
    assert sent_cli.code == 0, sent_cli.err
    assert "3 nodes" in sent_cli.out and key.stat().st_mode & 0o777 == 0o600
    market.keys[cli] = reply_key(key, create=False)
    return str(key)


def test_auction_through_the_platform_clears_like_the_plain_method(
    market: Market, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, a, members = market.db, market.auction, market.members
    key_file = _send_orders(market, tmp_path, capsys)
    first, second = members[0], members[1]
    sec = BlindAuctions(db, "sec")
    assert sec.get(a.auction_id).members == BlindAuctions(db, "aud").get(a.auction_id).members == 8
    with market.api(f"{first}-admin") as c:  # the auction is public; who sent orders is not
        (seen,) = c.get("/auctions").json()
        assert seen["members"] is None and len(seen["grid"]) == 1000 and seen["prices"] is None
    # Members see their own order metadata only, and cannot act as secretariat or node.
    with pytest.raises(PermissionDenied):
        BlindAuctions(db, f"{second}-admin").my_orders(a.auction_id, first)
    with pytest.raises(PermissionDenied, match="secretariat"):
        BlindAuctions(db, f"{second}-admin").clear(a.auction_id)
    with pytest.raises(PermissionDenied):
        NodeGateway(db, market.tokens[f"{second}-admin"])
    with market.api(f"{second}-admin") as c:
        assert c.get(f"/auctions/{a.auction_id}/orders").json()["member_id"] == second
        other = c.get(f"/auctions/{a.auction_id}/orders", params={"member_id": first})
        assert other.status_code == 403
        assert c.post(f"/auctions/{a.auction_id}/clear").status_code == 403
        assert c.get("/node/auctions").status_code == 401
        assert c.get(f"/node/auctions/{a.auction_id}/orders").status_code == 401
        assert c.get(f"/auctions/{a.auction_id}/result").status_code == 409  # not yet
    with market.node_api(0) as c:  # nothing to hand out while members may still re-send
        assert c.get(f"/auctions/{a.auction_id}/orders").status_code == 409

    with market.api("sec") as c:
        cleared = c.post(f"/auctions/{a.auction_id}/clear")
        assert cleared.status_code == 200 and cleared.json()["status"] == "clearing"
    with pytest.raises(ConflictError, match="open"):
        BlindAuctions(db, f"{first}-admin").submit_orders(
            a.auction_id, [], [Ask(a.markets[0], 5, 150.0)], b"\x01" * 32
        )
    with market.node_api(0) as c:
        assert [p["auction_id"] for p in c.get("/auctions").json()] == [a.auction_id]
        bundles = c.get(f"/auctions/{a.auction_id}/orders").json()
        assert len(bundles) == 8 and {b["node"] for b in bundles} == {0}  # its own only
        fake = {"format": "osatnet-blind-auction-result/1", "node": 1, "job": a.digest(),
                "auction": a.auction_id, "markets": [], "members": {}}  # fmt: skip
        r = c.post(f"/auctions/{a.auction_id}/result", json={"attempt": 1, "result": fake})
        assert r.status_code == 422 and "another node" in r.text

    # Node 2 is down: the attempt fails with a clear error, and nothing is published.
    market.cluster.timeout = 4.0
    market.cluster.reconfigure()
    logs = _finish(market.nodes([0, 1]))
    failed = sec.get(a.auction_id)
    assert failed.status == "failed", logs
    assert re.search(r"node 2 .*unreachable|\[2\] never connected", failed.error or ""), (
        failed.error
    )
    assert failed.prices is None
    market.cluster.timeout = 90.0
    market.cluster.reconfigure()
    again = sec.retry(a.auction_id)
    assert again.attempt == 2 and again.status == "clearing"
    logs = _finish(market.nodes([0, 1, 2]))
    done = sec.get(a.auction_id)
    assert done.status == "done", logs
    with pytest.raises(ConflictError, match="published"):
        sec.retry(a.auction_id)

    # The published prices and every member's own quantities are clear_plain's.
    ref = clear_plain(a, market.orders)
    assert done.prices == ref.prices
    assert ref.prices[a.markets[0]] == 115.0 and ref.prices[a.markets[2]] is None
    fractional = 0
    for m in members:
        mine = BlindAuctions(db, f"{m}-admin").my_result(a.auction_id)
        assert len(mine) == 3 and all(list(r["members"]) == [m] for r in mine)
        got = open_allocation(a, m, market.keys[m], mine)
        for mk, alloc in got.items():
            assert (alloc.price, alloc.bought, alloc.sold) == (
                ref.prices[mk],
                ref.bought[m][mk],
                ref.sold[m][mk],
            )
            fractional += alloc.bought.denominator > 1 or alloc.sold.denominator > 1
    assert fractional
    cli = members[7]
    shown = run_cli(capsys, "blind", "auction", "result", "--auction", a.auction_id, "--key",
                    key_file, "-u", f"{cli}-admin", "--json")  # fmt: skip
    assert shown.code == 0, shown.err
    for row in json.loads(shown.out)["markets"]:
        assert row["price"] == ref.prices[row["market"]]
        assert Fraction(row["bought_exact"]) == ref.bought[cli][row["market"]]
        assert Fraction(row["sold_exact"]) == ref.sold[cli][row["market"]]
    wrong_key = tmp_path / "other.key"
    reply_key(wrong_key, create=True)
    refused = run_cli(capsys, "blind", "auction", "result", "--auction", a.auction_id, "--key",
                      str(wrong_key), "-u", f"{cli}-admin")  # fmt: skip
    assert refused.code == 2 and "not the reply key" in refused.err
    listed = run_cli(capsys, "blind", "auction", "list", "-u", f"{first}-admin")
    said = " ".join(listed.out.split())  # as rich wraps it
    assert "done: 2 of 3 market(s) trade" in said and "final_test|2026-W36: 115" in said

    # REST: own parts only; another member's are refused; the secretariat has none.
    with market.api(f"{second}-admin") as c:
        own = c.get(f"/auctions/{a.auction_id}/result").json()
        assert [list(r["members"]) for r in own] == [[second]] * 3
        assert (
            c.get(f"/auctions/{a.auction_id}/result", params={"member_id": first}).status_code
            == 403
        )
    with market.api("sec") as c:
        assert c.get(f"/auctions/{a.auction_id}/result").status_code == 403

    # Nothing stored holds an order's quantity or off-grid price, nor a member's result.
    needles = [*_needles(market.orders, a), b"777777777", b"150.03"]
    answers = {str(x).encode() for q in ref.bought.values() for x in q.values() if x}
    answers |= {str(x).encode() for q in ref.sold.values() for x in q.values() if x}
    with scoped_session(db, Scope.AGGREGATE) as s:  # as a dump would: every row
        stored = [r.bundle.encode() for r in s.scalars(select(BlindOrders))]
        assert len(stored) == 3 * 8
        stored += [r.result.encode() for r in s.scalars(select(BlindAuctionResult))]
        stored += [f"{r.auction}{r.prices}".encode() for r in s.scalars(select(BlindAuctionRow))]
        stored += [e.details.encode() for e in s.scalars(select(AuditEntry))]
    for blob in stored:
        for needle in [*needles, *answers]:
            assert needle not in blob, needle
    for i in range(3):  # nor any node's storage (cached orders, result files)
        for path in market.cluster.node_dir(i).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not any(n in data for n in [*needles, *answers]), path


def test_auctions_are_checked(
    market: Market, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, a = market.db, market.auction
    sec = BlindAuctions(db, "sec")
    assert a.grid[0] == 100.0 and len(a.grid) == 1000 and a.grid[-1] == pytest.approx(199.9)
    assert all(g * 2**16 == int(g * 2**16) for g in a.grid)  # exact in the nodes' fixed point
    assert a.auction_id == f"{WEEK}-1" and a.markets[0] == market_key("final_test", WEEK)
    with pytest.raises(InputError, match="not in period"):
        sec.create(PERIOD, "2026-W02", low=1, high=2)
    with pytest.raises(InputError, match="unknown process family"):
        sec.create(PERIOD, WEEK, ["teleport"], low=1, high=2)
    with pytest.raises(InputError, match="resolution"):
        sec.create(PERIOD, WEEK, low=1, high=1.001, points=1000)
    with pytest.raises(PermissionDenied):
        BlindAuctions(db, f"{market.members[0]}-admin").create(PERIOD, WEEK, low=1, high=2)
    every = sec.create(PERIOD, 36, low=10, high=20, points=11)
    assert every.auction_id == f"{WEEK}-2" and len(every.markets) > 3 and every.grid[1] == 11.0
    with pytest.raises(ConflictError, match="exists"):
        sec.create(PERIOD, WEEK, low=1, high=2, auction_id=every.auction_id)
    with pytest.raises(NotFoundError):
        sec.get("nope")
    # Too few members to publish a price; a stuck node route while open.
    m0 = market.members[0]
    BlindAuctions(db, f"{m0}-admin").submit_orders(
        a.auction_id, [Bid(a.markets[0], 10, 150.0)], [], b"\x02" * 32
    )
    if db.dialect == "postgresql":  # the database's own wall, under the Python API's
        with scoped_session(db, Scope.MEMBER, market.members[1]) as s:
            assert list(s.scalars(select(BlindOrders))) == []
        with scoped_session(db, Scope.MEMBER, m0) as s:
            assert len(list(s.scalars(select(BlindOrders)))) == 3
    with pytest.raises(ConflictError, match="at least 3"):
        sec.clear(a.auction_id)
    with pytest.raises(ConflictError, match="clear it first"):
        sec.retry(a.auction_id)
    with pytest.raises(NotFoundError, match="no orders"):
        BlindAuctions(db, f"{market.members[1]}-admin").my_orders(a.auction_id)
    # The CLI reports every bad row with file, row and column; exit 2; nothing sent.
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "side,process,week,quantity,price\n"
        "ask,final_test,2026-W36,100,\n"  # an ask without a price
        "bid,final_test,2026-W37,100,150\n"  # not a market of this auction
        "bid,final_test,2026-W36,100,99\n",  # below the grid
        encoding="utf-8",
    )
    key = tmp_path / "reply.key"
    out = run_cli(capsys, "blind", "auction", "orders", str(bad), "--auction", a.auction_id,
                  "--key", str(key), "-u", f"{market.members[1]}-admin")  # fmt: skip
    assert out.code == 2
    for where in ("bad.csv:2: column price", "bad.csv:3: column process",
                  "bad.csv:4: column price"):  # fmt: skip
        assert where in out.err, out.err
    assert not key.exists()  # no key made for orders that were not sent
    bad.write_text("side,process,week,quantity\nsell,final_test,2026-W36,100\n")
    out = run_cli(capsys, "blind", "auction", "orders", str(bad), "--auction", a.auction_id,
                  "--key", str(key), "-u", f"{market.members[1]}-admin")  # fmt: skip
    assert out.code == 2 and "bad.csv:2: column side" in out.err, out.err
    key.touch(mode=0o644)
    loose = run_cli(capsys, "blind", "auction", "result", "--auction", a.auction_id, "--key",
                    str(key), "-u", f"{m0}-admin")  # fmt: skip
    assert loose.code == 2 and "chmod 600" in loose.err
    made = run_cli(capsys, "blind", "auction", "create", "-p", PERIOD, "-w", WEEK, "--low", "5",
                   "--high", "6", "--points", "3", "--process", "final_test", "-u", "sec")  # fmt: skip
    assert made.code == 0 and f"{WEEK}-3" in made.out and "open for orders" in made.out
    assert run_cli(capsys, "blind", "auction", "clear", "-a", "nope", "-u", "sec").code == 2
