"""The audit trail: append-only and hash-chained.

Each entry stores ``prev_hash`` (the hash of the entry before) and
``hash = sha256(prev_hash || canonical JSON of (seq, at, actor, action, target, details))``.
Editing an entry breaks its own hash; removing or reordering entries breaks the links or the
sequence. Details never hold raw confidential values: only ids, counts and parameters.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .models import AuditEntry

__all__ = ["GENESIS", "AuditProblem", "append", "entry_hash", "verify_entries"]

GENESIS = "0" * 64


def _canonical(seq: int, at: str, actor: str, action: str, target: str, details: str) -> bytes:
    return json.dumps(
        [seq, at, actor, action, target, details], ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def entry_hash(prev_hash: str, e: AuditEntry) -> str:
    body = _canonical(e.seq, e.at, e.actor, e.action, e.target, e.details)
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()


def append(
    session: Session, actor: str, action: str, target: str, details: dict[str, Any] | None = None
) -> AuditEntry:
    """Add an entry in the caller's transaction (so it exists only if the action commits)."""
    # Serialise appenders: two concurrent transactions must not chain onto the same entry.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(730501)"))
    else:
        # SQLite: the driver runs a SELECT outside any transaction, so two appenders could
        # both read the same last entry. A write that matches no row (no trigger fires)
        # opens the transaction and takes SQLite's write lock first: the second appender
        # waits for the first to commit, then reads its entry.
        session.execute(text("UPDATE audit_log SET seq = seq WHERE 0 = 1"))
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        at=datetime.now(UTC).isoformat(timespec="microseconds"),
        actor=actor,
        action=action,
        target=target,
        details=json.dumps(
            details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
        ),
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry.prev_hash, entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    kind: str  # edited | removed | reordered | head
    message: str


def verify_entries(entries: list[AuditEntry], anchor: str | None = None) -> list[AuditProblem]:
    """Check the chain (``entries`` ordered by seq) and name every entry that breaks it."""
    problems: list[AuditProblem] = []
    seq_of_hash = {e.hash: e.seq for e in entries}
    expected_seq, prev_hash = 1, GENESIS
    for e in entries:
        label = f"entry {e.seq} ({e.action} by {e.actor} at {e.at})"
        gap = e.seq > expected_seq
        if gap:
            missing = (
                str(expected_seq) if e.seq == expected_seq + 1 else f"{expected_seq}-{e.seq - 1}"
            )
            problems.append(
                AuditProblem(expected_seq, "removed", f"entries {missing} are missing (removed)")
            )
        elif e.seq < expected_seq:
            problems.append(AuditProblem(e.seq, "reordered", f"{label} is out of sequence"))
        if e.prev_hash != prev_hash and not gap:
            if e.prev_hash in seq_of_hash:
                other = seq_of_hash[e.prev_hash]
                message = f"{label} chains onto entry {other}, not the one before it: reordered"
                problems.append(AuditProblem(e.seq, "reordered", message))
            else:
                message = f"{label}: the entry before it was removed or rewritten (broken link)"
                problems.append(AuditProblem(e.seq, "removed", message))
        if entry_hash(e.prev_hash, e) != e.hash:
            message = f"{label} was edited: its content does not match its hash"
            problems.append(AuditProblem(e.seq, "edited", message))
        expected_seq, prev_hash = e.seq + 1, e.hash
    if anchor is not None and anchor not in seq_of_hash:
        problems.append(
            AuditProblem(
                expected_seq,
                "removed",
                f"the anchored entry (hash {anchor[:12]}...) is no longer in the log: "
                "entries were removed from its end or the log was rewritten",
            )
        )
    return problems
