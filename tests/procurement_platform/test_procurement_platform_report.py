"""The report section and the demo's round."""

from __future__ import annotations

import json
from pathlib import Path

from osatnet.db import Database
from osatnet.demo._context import DemoContext
from osatnet.demo.steps import STEPS
from osatnet.procurement import Procurement
from osatnet.procurement._rounds_award import savings_distribution
from osatnet.procurement.demo import DEMO_ROUND, demo_demand, demo_step
from osatnet.procurement.report import procurement_section
from osatnet.reporting import Report
from osatnet.settings import Settings

from .conftest import ROUND, prepare, run_round


def _figures(section_html: str) -> int:
    return section_html.count("<figure>")


def test_section_of_the_worked_example(tmp_path: Path) -> None:
    db = prepare(Database(f"sqlite:///{tmp_path / 'r.db'}"), tmp_path)
    run_round(db)
    summary = Procurement(db, "sec").round_summary(ROUND)
    report = Report("test")
    html = procurement_section(report, summary).render()
    assert "Joint procurement, round 2027Q1" in html and "not reached" in html
    assert "Too few members took part" in html  # 3 members: no distribution
    assert "bonding_wire_cu: capacity" in html  # what capacity costs, charted
    assert "Shadow prices" in html and "least-core epsilon -300.0" in html
    assert _figures(html) == 2
    calm = summary.model_copy(
        update={"rule_costs": [], "shadow_prices": [], "core": {"in_core": True, "exact": True}}
    )
    html = procurement_section(report, calm).render()
    assert "No resilience rule or capacity limit raised the cost" in html
    assert "The split is in the core: every group pays no more" in html
    unchecked = procurement_section(report, calm.model_copy(update={"core": None})).render()
    assert "The core check could not be completed" in unchecked
    db.dispose()


def test_distribution_is_unnamed_and_needs_enough_members() -> None:
    assert savings_distribution([10.0, 12.0], 5) is None
    assert savings_distribution([1.0, 2.0, 3.0, 4.0], 3) == [
        {"from_pct": 0.0, "to_pct": 5.0, "members": 4}
    ]
    bands = savings_distribution([-2.0, 3.0, 14.0, 21.0, 22.0], 5)
    assert bands is not None
    assert [b["members"] for b in bands] == [1, 1, 0, 1, 0, 2]  # empty bands kept
    assert bands[0]["from_pct"] == -5.0 and bands[-1]["to_pct"] == 25.0


def test_demo_step(tmp_path: Path) -> None:
    settings = Settings(master_key_file=tmp_path / "demo.key")
    db = Database(f"sqlite:///{tmp_path / 'demo.db'}", settings=settings)
    ctx = DemoContext(seed=7, out=tmp_path, db=db, report=Report("demo"))
    for step in STEPS[:3]:  # registry files, import, users: what the round needs
        step.run(ctx)
    demo_step(ctx)
    numbers = ctx.summary["procurement"]
    assert numbers["round"] == DEMO_ROUND and numbers["members"] == 20
    assert numbers["categories"] == 10 and numbers["exact"] is True
    assert numbers["solo_total"] > numbers["total_cost"] > 0
    assert 15 <= numbers["savings_pct"] <= 30
    json.dumps(numbers)  # small and JSON-ready
    html = ctx.report.sections[-1].render()
    assert "Members by savings" in html and _figures(html) >= 2
    names = [r.name for r in ctx.registry.members()]
    assert not any(n in html for n in names) and "M01" not in html
    quotes = (tmp_path / "procurement" / "quotes.csv").read_text("utf-8")
    assert "Gold wire maker A (JP)" in quotes and "incremental" in quotes
    # The round is for the small and mid-sized firms; the large ones buy on their own.
    bands = {m.member_id: m.employee_band.value for m in ctx.registry.members()}
    assert {bands[m] for m in demo_demand(7)} <= {"<50", "50-99", "100-299"}
    db.dispose()
