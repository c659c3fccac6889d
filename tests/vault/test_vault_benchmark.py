"""Member benchmarking uses the member's own values and released statistics only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from osatnet.db import Database
from osatnet.errors import NotFoundError, PermissionDenied
from osatnet.vault import Vault
from osatnet.vault._context import Actor
from osatnet.vault.benchmark import benchmark_report
from osatnet.vault.releases import Releases
from osatnet.vault.report import benchmark_html
from tests.helpers import run_cli

from .alliance import PERIODS, build_alliance


@pytest.fixture
def released(db: Database, tmp_path: Path) -> Database:
    build_alliance(db, tmp_path)
    releases = Releases(db, Actor.load(db, "secretariat"))
    for period in PERIODS:
        for stat in ("p25", "median", "p75"):
            releases.create(period, "unit_cost_total", stat, ["process"])
    return db


def test_position_against_released_quartiles(released: Database) -> None:
    actor = Actor.load(released, "m01-admin")
    bench = benchmark_report(released, actor, "2026Q2", measures=("unit_cost_total",))
    assert bench.member_id == "M01" and bench.rows
    own = {}
    for r in Vault(released, actor).values("2026Q2"):
        if r.measure == "unit_cost_total" and r.process:
            own.setdefault(r.process, []).append(r.value)
    for row in bench.rows:
        assert row.own_value == pytest.approx(sum(own[row.process]) / len(own[row.process]))
        if row.median is not None:
            assert row.p25 is not None and row.p75 is not None
            assert row.p25 <= row.median <= row.p75
            expected = "Q1" if row.own_value < row.p25 else "Q2" if row.own_value < row.median else (
                "Q3" if row.own_value < row.p75 else "Q4")  # fmt: skip
            assert row.band == expected
            assert row.gap_to_median_pct == pytest.approx(100 * (row.own_value / row.median - 1))
        else:
            assert row.band == "withheld"
        assert [t.period for t in row.trend] == list(PERIODS)
        assert row.lower_is_better
    html = benchmark_html(bench)
    assert "Plotly.newPlot" in html and "M01" in html


def test_never_reads_other_members_raw_data(
    released: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import osatnet.vault._gather as gather_module
    from osatnet.vault._keys import KeyRing

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the benchmark touched the aggregate path")

    original = KeyRing.data_key

    def own_key_only(self: KeyRing, session: object, member_id: str, **kw: bool) -> object:
        assert member_id == "M02", f"unwrapped {member_id}'s key"
        return original(self, session, member_id, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(gather_module, "gather", forbidden)
    monkeypatch.setattr(KeyRing, "data_key", own_key_only)
    before = len(Vault(released, "auditor").audit_entries(1000))
    bench = benchmark_report(released, Actor.load(released, "m02-admin"), "2026Q2")
    assert bench.member_id == "M02"
    new = Vault(released, "auditor").audit_entries(1000)[before:]
    assert {(e.action, e.target.split("/")[0]) for e in new} == {("read", "submission M02")}


def test_other_members_and_roles_are_refused(released: Database) -> None:
    with pytest.raises(PermissionDenied, match="may not see the benchmark of member M01"):
        benchmark_report(released, Actor.load(released, "m02-admin"), "2026Q2", member_id="M01")
    with pytest.raises(PermissionDenied, match="belongs to no member"):
        benchmark_report(released, Actor.load(released, "secretariat"), "2026Q2")
    with pytest.raises(NotFoundError, match="no active submission for 2026Q3"):
        benchmark_report(released, Actor.load(released, "m01-admin"), "2026Q3")


def test_notes_when_nothing_is_released(db: Database, tmp_path: Path) -> None:
    build_alliance(db, tmp_path)
    bench = benchmark_report(db, Actor.load(db, "m01-admin"), "2026Q1", measures=("yield_pct",))
    assert bench.notes == ["no released quartiles of yield_pct by process for 2026Q1"]
    assert all(r.band == "withheld" for r in bench.rows)


def test_cli(
    released: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OSATNET_DATABASE_URL", released.url)
    out = tmp_path / "bench.html"
    shown = run_cli(
        capsys, "benchmark", "report", "-p", "2026Q2", "-u", "m01-admin", "--out", str(out)
    )
    assert shown.code == 0, shown.err
    assert "unit_cost_total" in shown.out and out.read_text().startswith("<!DOCTYPE html>")
    data = json.loads(
        run_cli(capsys, "benchmark", "report", "-p", "2026Q2", "-u", "m01-admin", "--json").out
    )
    assert data["member_id"] == "M01"
    table = run_cli(capsys, "release", "table", "-p", "2026Q1", "-m", "headcount", "--stat", "sum",
                    "--by", "process,region", "--out", str(tmp_path / "t.csv"), "-u", "secretariat")  # fmt: skip
    assert table.code == 0, table.err
    assert "cells published" in table.out and (tmp_path / "t.csv").exists()
    listed = json.loads(run_cli(capsys, "release", "list", "-u", "m01-admin", "--json").out)
    assert listed[-1]["measure"] == "headcount"
    assert "headcount" in run_cli(capsys, "release", "list", "-u", "m01-admin").out
    got = json.loads(
        run_cli(capsys, "release", "show", str(listed[-1]["id"]), "-u", "auditor", "--json").out
    )
    assert got["dims"] == ["process", "region"]
    denied = run_cli(
        capsys, "release", "table", "-p", "2026Q1", "-m", "headcount", "-u", "m01-admin"
    )
    assert denied.code == 2 and "needs secretariat" in denied.err
    bad = run_cli(
        capsys,
        "release",
        "table",
        "-p",
        "2026Q1",
        "-m",
        "headcount",
        "--method",
        "fast",
        "-u",
        "secretariat",
    )
    assert bad.code == 2 and "--method must be optimal or heuristic" in bad.err
