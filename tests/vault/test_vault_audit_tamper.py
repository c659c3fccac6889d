"""An edited, removed or reordered audit entry is caught and named (attacker owns the DB)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from osatnet.db import Database
from osatnet.vault import Vault


def _log(vdb: Database, n: int = 5) -> Vault:
    for _ in range(n):
        Vault.login(vdb, "sec")
    return Vault(vdb, "aud")


def _as_attacker(vdb: Database, *statements: str) -> None:
    """Someone with write access to the database removes the triggers and edits the log."""
    with vdb.engine.begin() as conn:
        if vdb.dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        for statement in statements:
            conn.execute(text(statement))


def test_clean_log_verifies(vdb: Database) -> None:
    assert _log(vdb).verify_audit() == []


def test_edited_entry_is_named(vdb: Database) -> None:
    auditor = _log(vdb)
    _as_attacker(vdb, "UPDATE audit_log SET actor = 'nobody' WHERE seq = 3")
    problems = auditor.verify_audit()
    assert [(p.seq, p.kind) for p in problems] == [(3, "edited")]
    assert "entry 3 (login by nobody" in problems[0].message


def test_removed_entry_is_named(vdb: Database) -> None:
    auditor = _log(vdb)
    _as_attacker(vdb, "DELETE FROM audit_log WHERE seq = 2")
    problems = auditor.verify_audit()
    assert [(p.seq, p.kind) for p in problems] == [(2, "removed")]
    assert problems[0].message == "entries 2 are missing (removed)"


def test_reordered_entries_are_named(vdb: Database) -> None:
    auditor = _log(vdb)
    # Swap the contents of entries 2 and 3 (keeping the sequence numbers in place).
    cols = "at, actor, action, target, details, prev_hash, hash"
    _as_attacker(
        vdb,
        "CREATE TABLE swap AS SELECT * FROM audit_log WHERE seq IN (2, 3)",
        "DELETE FROM audit_log WHERE seq IN (2, 3)",
        f"INSERT INTO audit_log (seq, {cols}) SELECT 5 - seq, {cols} FROM swap",
        "DROP TABLE swap",
    )
    problems = auditor.verify_audit()
    kinds = {(p.seq, p.kind) for p in problems}
    assert (2, "reordered") in kinds and (3, "reordered") in kinds


def test_removal_from_the_end_needs_an_anchor(vdb: Database) -> None:
    auditor = _log(vdb)
    newest = auditor.audit_entries(1)[-1]
    head = newest.hash
    _as_attacker(vdb, f"DELETE FROM audit_log WHERE seq = {newest.seq}")
    assert auditor.verify_audit() == []  # a pure chain cannot see a cut tail ...
    problems = auditor.verify_audit(anchor=head)  # ... an anchor kept elsewhere can
    assert [p.kind for p in problems] == ["removed"]


@pytest.mark.parametrize("seq", [1, 4])
def test_recomputed_hash_still_breaks_the_next_link(vdb: Database, seq: int) -> None:
    auditor = _log(vdb)
    entries = auditor.audit_entries()
    from osatnet.audit import entry_hash

    target = entries[seq - 1]
    target.actor = "forged"
    forged = entry_hash(target.prev_hash, target)
    _as_attacker(vdb, f"UPDATE audit_log SET actor = 'forged', hash = '{forged}' WHERE seq = {seq}")
    problems = auditor.verify_audit()
    assert [(p.seq, p.kind) for p in problems] == [(seq + 1, "removed")]
