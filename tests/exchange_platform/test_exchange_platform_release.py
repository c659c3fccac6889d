"""The secretariat sees a cleared week only through the firewall's release rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from osatnet.db import Database
from osatnet.errors import InputError, PermissionDenied
from osatnet.exchange.release import release_week
from osatnet.registry import Registry
from osatnet.vault._context import Actor
from tests.helpers import run_cli

from .conftest import PERIOD, WEEK
from .test_exchange_platform_clear import _post


def _cleared(db: Database) -> Database:
    from osatnet.exchange import Exchange

    _post(db)
    Exchange(db, "sec").clear(PERIOD, WEEK, cost_per_km=0.001)
    return db


def test_three_members_reveal_nothing(xdb: Database) -> None:
    table = release_week(_cleared(xdb), Actor.load(xdb, "sec"), PERIOD, WEEK)
    assert table.measure == "exchange_matched" and table.periods == [f"{PERIOD} {WEEK}"]
    # Three members at most in any cell: the default minimum of five withholds everything.
    assert {c.status for c in table.cells} == {"primary"}
    assert all(c.value is None and c.contributors is None for c in table.cells)


def test_published_values_are_the_sums_when_the_rules_allow(xdb: Database) -> None:
    Registry(xdb).configure_alliance(min_contributors=1, dominance_k_pct=100, p_percent=0)
    table = release_week(_cleared(xdb), Actor.load(xdb, "sec"), PERIOD, WEEK, "matched")
    cells = {c.labels["process"]: c for c in table.cells}
    # m2 received 5,000 units, all hosted by m1's two sites: 10,000 matched, two members.
    assert cells["final_test"].value == 10_000 and cells["final_test"].contributors == 2
    requested = release_week(xdb, Actor.load(xdb, "sec"), PERIOD, WEEK, "requested", "count")
    assert {c.labels["process"]: c.value for c in requested.cells}["final_test"] == 2


def test_only_the_secretariat_releases(xdb: Database) -> None:
    _cleared(xdb)
    with pytest.raises(PermissionDenied, match="needs secretariat"):
        release_week(xdb, Actor.load(xdb, "m1-admin"), PERIOD, WEEK)
    with pytest.raises(InputError, match="quantity must be one of"):
        release_week(xdb, Actor.load(xdb, "sec"), PERIOD, WEEK, "profit")


def test_cli(
    xdb: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OSATNET_DATABASE_URL", _cleared(xdb).url)
    out = tmp_path / "week.csv"
    done = run_cli(
        capsys, "exchange", "release", "-p", PERIOD, "-w", WEEK, "-u", "sec", "--out", str(out)
    )
    assert done.code == 0, done.err
    assert "withheld as sensitive" in done.out and out.read_text().startswith("process,value")
    data = json.loads(
        run_cli(
            capsys,
            "exchange",
            "release",
            "-p",
            PERIOD,
            "-w",
            "36",
            "--quantity",
            "offered",
            "-u",
            "sec",
            "--json",
        ).out
    )
    assert data["measure"] == "exchange_offered"
    denied = run_cli(capsys, "exchange", "release", "-p", PERIOD, "-w", WEEK, "-u", "m1-admin")
    assert denied.code == 2 and "needs secretariat" in denied.err
