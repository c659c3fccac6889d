"""The walls around the exchange: own rows only, counterparties to the two sides only,
ciphertext at rest bound to its row, PostgreSQL row-level security alone, audited reads."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from osatnet.db import Database
from osatnet.errors import ConfigError, PermissionDenied
from osatnet.exchange import Exchange
from osatnet.exchange.models import ExchangeOffer
from osatnet.vault import Vault

from .conftest import PERIOD, WEEK

# Distinctive numbers that must never be readable in the database.
CAPACITY, PRICE, QUANTITY, MAX_PRICE, PENALTY = 123457.25, 7.8125, 54321.5, 9.6875, 13.4375


def _market(db: Database) -> None:
    """m1 and m3 offer, m2 requests; m1's Kumamoto capacity is the only one in Japan."""
    Exchange(db, "m1-admin").post_offer(
        PERIOD, process="final_test", week=WEEK, capacity=CAPACITY, unit_price=PRICE,
        site_id="s1",
    )  # fmt: skip
    Exchange(db, "m3-user").post_offer(
        PERIOD, process="substrate_package", week=WEEK, capacity=1000, unit_price=20
    )
    Exchange(db, "m2-user").post_request(
        PERIOD, process="final_test", quantity=QUANTITY, max_price=MAX_PRICE,
        unserved_penalty=PENALTY, requires=["country:JP"],
    )  # fmt: skip
    Exchange(db, "sec").clear(PERIOD, WEEK)


def test_members_see_only_their_own(xdb: Database) -> None:
    _market(xdb)
    m2, m3 = Exchange(xdb, "m2-user"), Exchange(xdb, "m3-user")
    with pytest.raises(PermissionDenied, match="belongs to member m2 and may not read"):
        m2.my_offers(PERIOD, member_id="m1")
    with pytest.raises(PermissionDenied):
        m2.my_matches(PERIOD, member_id="m1")
    assert m2.my_offers(PERIOD) == [] and len(m2.my_requests(PERIOD)) == 1
    assert {o.member_id for o in m3.my_offers(PERIOD)} == {"m3"}
    assert m3.my_requests(PERIOD) == []
    # The counterparty is named to the two sides of the match, and to nobody else.
    (bought,) = m2.my_matches(PERIOD, week=36)
    (sold,) = Exchange(xdb, "m1-admin").my_matches(PERIOD)
    assert (bought.side, bought.counterparty, bought.quantity) == ("requester", "m1", QUANTITY)
    assert (sold.side, sold.counterparty, sold.price) == ("host", "m2", PRICE)
    assert m3.my_matches(PERIOD) == []
    denied = [e for e in Vault(xdb, "aud").audit_entries() if e.action == "denied"]
    assert [(e.actor, e.target) for e in denied] == [("m2-user", "member m1")] * 2


def _dump(db: Database) -> bytes:
    if db.dialect == "sqlite":
        db.dispose()
        return Path(db.engine.url.database or "").read_bytes()
    chunks = []
    with db.engine.begin() as conn:
        conn.execute(text("SELECT set_config('osatnet.scope', 'aggregate', true)"))
        for table in inspect(db.engine).get_table_names():
            for row in conn.execute(text(f"SELECT t::text FROM {table} t")):
                chunks.append(row[0].encode())
    return b"\n".join(chunks)


def test_database_copy_reveals_no_number(xdb: Database) -> None:
    _market(xdb)
    dump = _dump(xdb)
    assert b"final_test" in dump and b"2026-W36" in dump  # the dump is real
    for value in (CAPACITY, PRICE, QUANTITY, MAX_PRICE, PENALTY):
        for needle in (repr(value).encode(), struct.pack(">d", value), struct.pack("<d", value)):
            assert needle not in dump, f"{value} readable in the database"
        assert f"{value:g}".encode() not in dump


def test_ciphertext_is_bound_to_its_row(xdb: Database) -> None:
    m1 = Exchange(xdb, "m1-admin")
    for capacity in (100.0, 200.0):
        m1.post_offer(
            PERIOD, process="final_test", week=WEEK, capacity=capacity, unit_price=1, site_id="s1"
        )
    with xdb.session() as s:
        if xdb.dialect == "postgresql":
            s.execute(text("SELECT set_config('osatnet.scope', 'aggregate', true)"))
        a, b = s.query(ExchangeOffer).order_by(ExchangeOffer.id).all()
        a.capacity_ct, b.capacity_ct = b.capacity_ct, a.capacity_ct
    with pytest.raises(ConfigError, match="failed authentication"):
        m1.my_offers(PERIOD)


def test_row_level_security_alone(pg_xdb: Database) -> None:
    _market(pg_xdb)

    def visible(table: str, scope: str, member: str) -> set[str]:
        with pg_xdb.engine.begin() as conn:
            conn.execute(
                text(
                    "SELECT set_config('osatnet.scope', :s, true), "
                    "set_config('osatnet.member_id', :m, true)"
                ),
                {"s": scope, "m": member},
            )
            # No WHERE: only the policy filters.
            return {row[0] for row in conn.execute(text(f"SELECT member_id FROM {table}"))}

    assert visible("exchange_offers", "member", "m1") == {"m1"}
    assert visible("exchange_offers", "member", "m2") == set()
    assert visible("exchange_requests", "member", "m2") == {"m2"}
    assert visible("exchange_requests", "member", "m1") == set()
    assert visible("exchange_matches", "member", "m1") == {"m1"}
    assert visible("exchange_matches", "member", "m3") == set()
    for table in ("exchange_offers", "exchange_requests", "exchange_matches"):
        assert visible(table, "", "") == set()  # a session that says nothing sees nothing
        assert visible(table, "metadata", "") == set()
    assert visible("exchange_offers", "aggregate", "") == {"m1", "m3"}
    assert visible("exchange_matches", "aggregate", "") == {"m1", "m2"}


def test_every_read_is_audited(xdb: Database) -> None:
    _market(xdb)
    m2 = Exchange.login(xdb, "m2-user")
    m2.my_requests(PERIOD)
    m2.my_matches(PERIOD)
    m2.my_offers(PERIOD)
    # The registry import that set the alliance up is audited too; this test is about the exchange.
    entries = [e for e in Vault(xdb, "aud").audit_entries(limit=100) if e.target != "registry"]
    assert [(e.action, e.actor) for e in entries] == [
        ("exchange-post", "m1-admin"),
        ("exchange-post", "m3-user"),
        ("exchange-post", "m2-user"),
        ("exchange-clear", "sec"),
        ("login", "m2-user"),
        ("read", "m2-user"),
        ("read", "m2-user"),
        ("read", "m2-user"),
    ]
    assert [e.target for e in entries[-3:]] == [
        "exchange requests m2/2026Q3",
        "exchange matches m2/2026Q3",
        "exchange offers m2/2026Q3",
    ]
    for entry in entries:
        for value in (CAPACITY, PRICE, QUANTITY, MAX_PRICE, PENALTY):
            assert f"{value:g}" not in entry.details and str(int(value)) not in entry.details
    assert Vault(xdb, "aud").verify_audit() == []
