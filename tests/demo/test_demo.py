"""The demo alliance: realistic shape, deterministic, a report that opens offline."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from osatnet.demo import generate_registry, run_demo
from osatnet.registry.catalog import prefecture
from tests.helpers import run_cli


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_shape_follows_the_real_alliance(seed: int) -> None:
    data = generate_registry(seed)
    assert len(data.members) == 30
    assert 50 <= len(data.sites) <= 70
    small = sum(m.employee_band.value in ("<50", "50-99") for m in data.members)
    assert small / 30 >= 0.75
    assert len({m.name for m in data.members}) == 30
    areas = Counter(
        prefecture(s.region).area if s.country == "JP" else "overseas"  # type: ignore[union-attr]
        for s in data.sites
    )
    assert areas.most_common(1)[0][0] == "Kyushu"
    assert {"Shikoku", "Tohoku", "Chubu", "Kanto"} <= set(areas)
    assert {s.country for s in data.sites} == {"JP", "MY", "PH", "TW", "US"}
    site_ids = {s.site_id for s in data.sites}
    assert {c.site_id for c in data.capabilities} <= site_ids
    iatf = {s.site_id for s in data.sites if any(c.value == "IATF 16949" for c in s.certifications)}
    assert all(c.site_id in iatf for c in data.capabilities if c.automotive)


def test_deterministic_for_a_seed() -> None:
    assert generate_registry(5) == generate_registry(5)
    assert generate_registry(5) != generate_registry(6)


def test_run_demo_writes_an_offline_report(tmp_path: Path) -> None:
    seen: list[str] = []
    result = run_demo(seed=3, out=tmp_path / "demo", progress=lambda name, i, n: seen.append(name))
    assert seen[-1] == "done" and len(seen) >= 5
    html = result.report_path.read_text(encoding="utf-8")
    assert html.count("Plotly.newPlot") >= 3
    assert not re.search(r"<script[^>]+src=", html), "no external scripts"
    assert "cdn.plot.ly" not in html.replace(
        "https://cdn.plot.ly/", ""
    )  # only in plotly's comments
    assert result.summary["reimport_changes"] == 0
    assert result.summary["round_trip"] == "identical"
    assert result.summary["registry"]["members"] == 30
    again = run_demo(seed=3, out=tmp_path / "demo")
    assert again.summary == result.summary


def test_every_published_sum_table_of_the_demo_is_protected(tmp_path: Path) -> None:
    """The attacker's LP cannot narrow any withheld cell of the demo's sum tables."""
    from collections import defaultdict

    from osatnet.db import Database
    from osatnet.demo.submissions import demo_submission_rows
    from osatnet.exchange._platform_outcome import aggregate_contributions
    from osatnet.registry import Registry
    from osatnet.registry.catalog import prefecture
    from osatnet.settings import Settings
    from osatnet.vault._context import Actor
    from osatnet.vault.releases import Releases
    from tests.oracle import assert_protected

    out = tmp_path / "demo"
    result = run_demo(seed=3, out=out)
    db = Database(result.database_url, settings=Settings(master_key_file=out / "demo-master.key"))
    releases = Releases(db, Actor.load(db, "secretariat"))
    sums = [releases.get(r.id) for r in releases.list() if r.stat == "sum"]
    assert {t.measure for t in sums} == {"weekly_capacity", "exchange_matched"}
    registry = Registry(db)
    sites = {s.site_id: s for s in registry.sites()}
    rows = demo_submission_rows(generate_registry(3), 3, 3)
    checked = 0
    for table in sums:
        truth: dict[tuple[str, ...], float] = defaultdict(float)
        if table.measure == "weekly_capacity":  # released for 2026Q2, the second quarter
            for quarters in rows.values():
                for r in quarters[1]:
                    if r["measure"] == "weekly_capacity":
                        site = sites[str(r["site_id"])]
                        found = prefecture(site.region) if site.country == "JP" else None
                        labels = {
                            "process": str(r["process"]),
                            "region": found.area if found else site.country,
                        }
                        for p in (labels["process"], "TOTAL"):
                            for g in (labels["region"], "TOTAL"):
                                truth[(p, g)] += float(r["value"])  # type: ignore[arg-type]
        else:
            period, week = table.periods[0].split(" ")
            for r in aggregate_contributions(db, period, week):
                for p in (str(r["process"]), "TOTAL"):
                    truth[(p,)] += float(r["matched"])  # type: ignore[arg-type]
        checked += assert_protected(table, dict(truth))
    assert checked > 10


def test_demo_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "d"
    result = run_cli(capsys, "demo", "--seed", "11", "--out", str(out))
    assert result.code == 0, result.err
    assert "Demo alliance summary" in result.out
    assert (out / "report.html").exists() and (out / "registry" / "sites.csv").exists()
    data = json.loads(run_cli(capsys, "demo", "--seed", "11", "--out", str(out), "--json").out)
    assert data["summary"]["registry"]["members"] == 30
    assert set(data["timings_s"]) >= {"registry report"}
