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


def test_demo_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "d"
    result = run_cli(capsys, "demo", "--seed", "11", "--out", str(out))
    assert result.code == 0, result.err
    assert "Demo alliance summary" in result.out
    assert (out / "report.html").exists() and (out / "registry" / "sites.csv").exists()
    data = json.loads(run_cli(capsys, "demo", "--seed", "11", "--out", str(out), "--json").out)
    assert data["summary"]["registry"]["members"] == 30
    assert set(data["timings_s"]) >= {"registry report"}
