"""Concurrent appenders (for instance three compute nodes posting at once) keep one chain."""

from __future__ import annotations

import threading

from sqlalchemy import select

from osatnet import audit
from osatnet.audit import verify_entries
from osatnet.audit.models import AuditEntry
from osatnet.db import Database


def test_concurrent_appends_neither_collide_nor_fork(db: Database) -> None:
    errors: list[str] = []

    def work(i: int) -> None:
        try:
            for _ in range(15):
                with db.session() as s:
                    audit.append(s, f"writer-{i}", "test", "chain", {})
        except Exception as exc:  # collected: the assertion below names them
            errors.append(repr(exc)[:200])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.session() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    assert sum(e.action == "test" for e in entries) == 60
    assert verify_entries(entries) == []
