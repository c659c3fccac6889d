"""The walls: application checks, PostgreSQL row-level security, encryption at rest, audit."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from osatnet.db import Database
from osatnet.errors import ConfigError, PermissionDenied
from osatnet.vault import Vault, key_status, rotate_master_key
from osatnet.vault.models import SubmissionValue

SECRET_VALUES = (123456.789, 98765.4321)


def _submit_both(vdb: Database, good_file: Path) -> None:
    Vault(vdb, "m1-admin").submit_file(good_file, "2026Q3")
    Vault(vdb, "m2-user").submit(
        "2026Q3",
        [
            {
                "member_id": "m2",
                "site_id": "s2",
                "process": "wafer_sort",
                "measure": "headcount",
                "value": 31,
            },
            {"member_id": "m2", "measure": "revenue_share_other_pct", "value": 100},
        ],
    )


# -- wall 1: the application ------------------------------------------------------------------
def test_another_member_cannot_read_raw_values(vdb: Database, good_file: Path) -> None:
    _submit_both(vdb, good_file)
    intruder = Vault(vdb, "m2-user")
    with pytest.raises(
        PermissionDenied, match="belongs to member m2 and may not read raw values of member m1"
    ):
        intruder.values("2026Q3", member_id="m1")
    # Its own reads never include m1's rows.
    assert {r.member_id for r in intruder.values("2026Q3")} == {"m2"}
    assert {s.member_id for s in intruder.submissions()} == {"m2"}
    denied = [e for e in Vault(vdb, "aud").audit_entries() if e.action == "denied"]
    assert denied and denied[-1].actor == "m2-user" and denied[-1].target == "member m1"


# -- wall 2: PostgreSQL row-level security, with the application check out of the way ---------
def test_row_level_security_alone(pg_vdb: Database, good_file: Path) -> None:
    vdb = pg_vdb
    _submit_both(vdb, good_file)
    everything = "SELECT member_id FROM submission_values"  # no WHERE: only the policy filters

    def visible(scope: str, member: str) -> set[str]:
        with vdb.engine.begin() as conn:
            conn.execute(
                text(
                    "SELECT set_config('osatnet.scope', :s, true), "
                    "set_config('osatnet.member_id', :m, true)"
                ),
                {"s": scope, "m": member},
            )
            return {row[0] for row in conn.execute(text(everything))}

    assert visible("member", "m2") == {"m2"}
    assert visible("member", "m1") == {"m1"}
    assert visible("", "") == set()  # a session that says nothing sees nothing
    assert visible("metadata", "") == set()  # metadata scope never reaches values
    assert visible("aggregate", "") == {"m1", "m2"}
    with vdb.engine.begin() as conn:
        keys = {row[0] for row in conn.execute(text("SELECT member_id FROM member_keys"))}
    assert keys == set()


# -- encryption at rest ------------------------------------------------------------------------
def _dump(vdb: Database, tmp_path: Path) -> bytes:
    """Everything a copy of the database holds, as bytes."""
    if vdb.dialect == "sqlite":
        vdb.dispose()
        return Path(vdb.engine.url.database or "").read_bytes()
    chunks = []
    with vdb.engine.begin() as conn:
        conn.execute(text("SELECT set_config('osatnet.scope', 'aggregate', true)"))
        for table in inspect(vdb.engine).get_table_names():
            for row in conn.execute(text(f"SELECT t::text FROM {table} t")):
                chunks.append(row[0].encode())
    return b"\n".join(chunks)


def test_database_copy_reveals_no_raw_value(vdb: Database, good_file: Path, tmp_path: Path) -> None:
    _submit_both(vdb, good_file)
    dump = _dump(vdb, tmp_path)
    assert b"s1" in dump  # the dump is real: identifiers are there
    for value in SECRET_VALUES:
        for needle in (repr(value).encode(), struct.pack(">d", value), struct.pack("<d", value)):
            assert needle not in dump, f"{value} readable in the database"
        assert f"{value:g}".encode() not in dump


def test_ciphertext_is_bound_to_its_row(vdb: Database, good_file: Path) -> None:
    Vault(vdb, "m1-admin").submit_file(good_file, "2026Q3")
    with vdb.session() as s:
        if vdb.dialect == "postgresql":
            s.execute(text("SELECT set_config('osatnet.scope', 'aggregate', true)"))
        a, b = s.query(SubmissionValue).order_by(SubmissionValue.id).limit(2).all()
        a.ciphertext, b.ciphertext = b.ciphertext, a.ciphertext
    with pytest.raises(ConfigError, match="failed authentication"):
        Vault(vdb, "m1-admin").values("2026Q3")


def test_wrong_master_key_is_refused(vdb: Database, good_file: Path, tmp_path: Path) -> None:
    Vault(vdb, "m1-admin").submit_file(good_file, "2026Q3")
    other = tmp_path / "other.key"
    other.write_text("A" * 43 + "=\n")
    stranger = Database(
        vdb.url, settings=vdb.settings.model_copy(update={"master_key_file": other})
    )
    with pytest.raises(ConfigError, match="was wrapped by master key"):
        Vault(stranger, "m1-admin").values("2026Q3")


def test_key_rotation_rewraps_and_retires(vdb: Database, good_file: Path, tmp_path: Path) -> None:
    Vault(vdb, "m1-admin").submit_file(good_file, "2026Q3")
    before = key_status(vdb)
    report = rotate_master_key(vdb, actor="operator:test")
    assert report.rewrapped == 1 and report.old_key_id == before.key_id
    assert report.retired_file is not None and report.retired_file.exists()
    after = key_status(vdb)
    assert after.key_id == report.new_key_id != before.key_id
    assert after.wrapped_by_other_keys == 0
    assert Vault(vdb, "m1-admin").values("2026Q3")[0].member_id == "m1"
    stale = Database(
        vdb.url, settings=vdb.settings.model_copy(update={"master_key_file": report.retired_file})
    )
    with pytest.raises(ConfigError, match="was wrapped by master key"):
        Vault(stale, "m1-admin").values("2026Q3")


# -- audit trail ----------------------------------------------------------------------------
def test_every_raw_access_is_audited(vdb: Database, good_file: Path, tmp_path: Path) -> None:
    vault = Vault.login(vdb, "m1-admin")
    vault.submit_file(good_file, "2026Q3")
    vault.values("2026Q3")
    vault.export_values("2026Q3", tmp_path / "mine.csv")
    actions = [(e.action, e.actor) for e in Vault(vdb, "aud").audit_entries()]
    assert actions[0] == ("import", "operator:root") or actions[0][0] == "import"  # the registry
    assert actions[1:] == [
        ("login", "m1-admin"),
        ("import", "m1-admin"),
        ("read", "m1-admin"),
        ("read", "m1-admin"),
        ("export", "m1-admin"),
    ]
    for entry in Vault(vdb, "aud").audit_entries():
        assert "98765" not in entry.details and "123456" not in entry.details
    assert Vault(vdb, "aud").verify_audit() == []
    with pytest.raises(PermissionDenied):
        Vault(vdb, "m1-user").audit_entries()


def test_database_refuses_to_edit_the_audit_log(vdb: Database) -> None:
    Vault.login(vdb, "aud")
    with pytest.raises(Exception, match="append-only"), vdb.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'someone else'"))
    with pytest.raises(Exception, match="append-only"), vdb.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
