"""The walls around procurement: application checks, encryption at rest, RLS, audit."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from osatnet.db import Database
from osatnet.errors import ConfigError, PermissionDenied
from osatnet.procurement import Procurement
from osatnet.procurement.models import ProcurementDemand, ProcurementResult
from osatnet.vault import Vault

from .conftest import ROUND, run_round

# Quantities and prices no identifier, timestamp or total can contain by chance.
SECRET = {
    "m1": {"bonding_wire_cu": (603.217, 98.37), "epoxy_mold_compound": (2511.873, 19.13)},
    "m2": {"bonding_wire_cu": (301.659, 100.41), "epoxy_mold_compound": (1203.441, 20.07)},
    "m3": {"bonding_wire_cu": (152.387, 105.29), "epoxy_mold_compound": (604.129, 21.53)},
}


def _needles(value: float) -> list[bytes]:
    return [
        repr(value).encode(),
        f"{value:g}".encode(),
        f"{value:.2f}".encode(),
        struct.pack(">d", value),
        struct.pack("<d", value),
    ]


def _dump(db: Database) -> bytes:
    """Everything a copy of the database holds, as bytes."""
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


def test_members_see_only_their_own(pdb: Database) -> None:
    run_round(pdb)
    intruder = Procurement(pdb, "m2-user")
    with pytest.raises(PermissionDenied, match="belongs to member m2 and may not read"):
        intruder.my_result(ROUND, member_id="m1")
    assert intruder.my_result(ROUND).member_id == "m2"
    assert {d.member_id for d in intruder.my_demand(ROUND)} == {"m2"}
    denied = [e for e in Vault(pdb, "aud").audit_entries() if e.action == "denied"]
    assert denied[-1].actor == "m2-user" and denied[-1].target == "member m1"


def test_secretariat_sees_totals_not_members(pdb: Database) -> None:
    run_round(pdb, SECRET)
    sec = Procurement(pdb, "sec")
    with pytest.raises(PermissionDenied, match="belongs to no member"):
        sec.my_demand(ROUND)
    with pytest.raises(PermissionDenied, match="belongs to no member"):
        sec.my_result(ROUND)
    text_of_summary = sec.round_summary(ROUND).model_dump_json()
    for member in ("m1", "m2", "m3"):
        assert f'"{member}"' not in text_of_summary
    for rows in SECRET.values():
        for quantity, price in rows.values():
            assert repr(quantity) not in text_of_summary and repr(price) not in text_of_summary
    # The auditor may read the totals too; a member may not.
    assert Procurement(pdb, "aud").round_summary(ROUND).members == 3


def test_database_copy_reveals_no_demand_or_cost(pdb: Database) -> None:
    run_round(pdb, SECRET)
    costs = {u: Procurement(pdb, u).my_result(ROUND) for u in ("m1-admin", "m2-user", "m3-user")}
    dump = _dump(pdb)
    assert b"bonding_wire_cu" in dump and b"wire_b" in dump  # the dump is real
    secrets = [v for rows in SECRET.values() for pair in rows.values() for v in pair]
    secrets += [x for r in costs.values() for x in (r.cost, r.solo_cost)]
    for value in secrets:
        for needle in _needles(value):
            assert needle not in dump, f"{value} readable in the database"


def test_ciphertext_is_bound_to_its_row(pdb: Database) -> None:
    run_round(pdb)
    with pdb.session() as s:
        if pdb.dialect == "postgresql":
            s.execute(text("SELECT set_config('osatnet.scope', 'aggregate', true)"))
        a, b = s.query(ProcurementDemand).filter_by(member_id="m1").order_by("id").all()
        a.quantity, b.quantity = b.quantity, a.quantity
        res = s.query(ProcurementResult).filter_by(member_id="m1").one()
        res.cost, res.solo_cost = res.solo_cost, res.cost
    m1 = Procurement(pdb, "m1-admin")
    with pytest.raises(ConfigError, match="failed authentication"):
        m1.my_demand(ROUND)
    with pytest.raises(ConfigError, match="failed authentication"):
        m1.my_result(ROUND)


def test_row_level_security_alone(pg_pdb: Database) -> None:
    run_round(pg_pdb)

    def visible(table: str, scope: str, member: str) -> set[str]:
        with pg_pdb.engine.begin() as conn:
            conn.execute(
                text(
                    "SELECT set_config('osatnet.scope', :s, true), "
                    "set_config('osatnet.member_id', :m, true)"
                ),
                {"s": scope, "m": member},
            )
            # No WHERE: only the policy filters.
            return {row[0] for row in conn.execute(text(f"SELECT member_id FROM {table}"))}

    for table in ("procurement_demands", "procurement_results"):
        assert visible(table, "member", "m2") == {"m2"}
        assert visible(table, "", "") == set()
        assert visible(table, "metadata", "") == set()
        assert visible(table, "aggregate", "") == {"m1", "m2", "m3"}
    with pg_pdb.engine.begin() as conn:
        conn.execute(text("SELECT set_config('osatnet.member_id', 'm2', true)"))
        changed = conn.execute(text("UPDATE procurement_results SET method = 'x'")).rowcount
        deleted = conn.execute(
            text("DELETE FROM procurement_demands WHERE member_id = 'm1'")
        ).rowcount
    assert (changed, deleted) == (1, 0)  # its own row only; m1's rows are out of reach


def test_reads_and_changes_are_audited(pdb: Database) -> None:
    sec = Procurement.login(pdb, "sec")
    run_round(pdb, SECRET)
    Procurement.login(pdb, "m1-admin").my_result(ROUND)
    Procurement(pdb, "m1-admin").my_demand(ROUND)
    sec.round_summary(ROUND)
    entries = [e for e in Vault(pdb, "aud").audit_entries(100) if e.target != "registry"]
    actions = [(e.action, e.actor, e.target) for e in entries]
    assert actions[0] == ("login", "sec", "sec")
    assert ("round_open", "sec", f"procurement round {ROUND}") in actions
    assert ("demand_submit", "m2-user", f"procurement demand m2/{ROUND}") in actions
    assert ("quotes_enter", "sec", f"procurement round {ROUND}") in actions
    assert ("award", "sec", f"procurement round {ROUND}") in actions
    assert actions[-4:] == [
        ("login", "m1-admin", "m1-admin"),
        ("read", "m1-admin", f"procurement result m1/{ROUND}"),
        ("read", "m1-admin", f"procurement demand m1/{ROUND}"),
        ("read", "sec", f"procurement round {ROUND}"),
    ]
    details = " ".join(e.details for e in entries)
    for rows in SECRET.values():
        for quantity, _ in rows.values():
            assert f"{quantity:g}" not in details
    assert Vault(pdb, "aud").verify_audit() == []
