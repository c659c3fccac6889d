"""The demo step: a realistic week of the demo alliance, posted, cleared and reported."""

from __future__ import annotations

from pathlib import Path

from osatnet.db import Database
from osatnet.demo._context import DemoContext
from osatnet.demo.steps import STEPS
from osatnet.exchange import aggregate_contributions
from osatnet.exchange.demo import demo_step
from osatnet.reporting import Report
from osatnet.settings import Settings
from osatnet.vault import Vault


def test_demo_week(tmp_path: Path) -> None:
    settings = Settings(master_key_file=tmp_path / "demo.key")
    db = Database(f"sqlite:///{tmp_path / 'demo.db'}", settings=settings)
    ctx = DemoContext(seed=7, out=tmp_path, db=db, report=Report("demo"))
    try:
        for step in STEPS:
            # The foundation's steps only (not other capabilities' or this one, once wired in).
            if (
                step.run.__module__ == "osatnet.demo.steps"
                and step.run.__name__ != "_registry_report"
            ):
                step.run(ctx)
        demo_step(ctx)
        figures = ctx.summary["exchange"]
        assert figures["offers"] > 20 and figures["requests"] > 10 and figures["matches"] > 10
        assert 50 < figures["match_rate_pct"] <= 100
        assert figures["exchange_cost_jpy"] < figures["fallback_cost_jpy"]
        assert 0 <= figures["gap_pct"] <= 0.1
        assert all(isinstance(v, int | float) for v in figures.values())
        section = next(s for s in ctx.report.sections if s.title.startswith("Capacity exchange"))
        html = section.render()
        assert html.count("<figure>") == 3
        released = ctx.report.sections[-1]
        assert released.title.startswith("Exchange week: matched volume")
        assert "requester A" in html and "M01" not in html  # requesters under letters
        rows = aggregate_contributions(db, "2026Q3", "2026-W36")
        assert sum(float(str(r["hosted"])) for r in rows) == sum(
            float(str(r["received"])) for r in rows
        )
        actions = {e.action for e in Vault(db, "auditor").audit_entries(limit=1000)}
        assert {"exchange-post", "exchange-clear", "aggregate", "read"} <= actions
    finally:
        db.dispose()
