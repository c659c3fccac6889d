"""``osatnet procure round|demand|quotes``: the platform's commands, per user."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from osatnet.db import Database
from osatnet.vault import Vault
from tests.helpers import run_cli

from .conftest import QUOTES, ROUND, prepare

DEMAND = {
    "m1": "member_id,category,quantity,current_unit_price\n"
    "m1,bonding_wire_cu,600,98\nm1,epoxy_mold_compound,2500,19\n",
    "m2": "member_id,category,quantity\nm2,bonding_wire_cu,300\nm2,epoxy_mold_compound,1200\n",
    "m3": "member_id,category,quantity\nm3,bonding_wire_cu,150\nm3,epoxy_mold_compound,600\n",
}
USERS = {"m1": "m1-admin", "m2": "m2-user", "m3": "m3-user"}


@pytest.fixture
def cli_db(use_db: str, tmp_path: Path) -> str:
    db = Database(use_db)
    try:
        prepare(db, tmp_path)
    finally:
        db.dispose()
    return use_db


def test_round_through_the_cli(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = run_cli(capsys, "procure", "round", "open", ROUND, "-u", "sec",
                     "--max-supplier-share", "0.9", "--target", "0.15")  # fmt: skip
    assert opened.code == 0 and "round 2027Q1 open for demand (target 15%)" in opened.out
    for member, content in DEMAND.items():
        path = tmp_path / f"{member}.csv"
        path.write_text(content, encoding="utf-8")
        done = run_cli(capsys, "procure", "demand", "submit", str(path), "--round", ROUND,
                       "--user", USERS[member])  # fmt: skip
        assert done.code == 0 and "2 demand lines stored" in done.out, done.err
    shown = run_cli(capsys, "procure", "demand", "show", "-r", ROUND, "-u", "m1-admin", "--json")
    assert [r["quantity"] for r in json.loads(shown.out)] == [600.0, 2500.0]
    entered = run_cli(capsys, "procure", "quotes", "enter", str(QUOTES), "-r", ROUND, "-u", "sec")
    assert "4 quote schedules entered" in entered.out
    assert run_cli(capsys, "procure", "round", "close", ROUND, "-u", "sec").code == 0
    monkeypatch.setenv("OSATNET_USER", "sec")
    awarded = run_cli(capsys, "procure", "round", "award", ROUND, "--json")
    summary = json.loads(awarded.out)
    assert summary["members"] == 3 and summary["method"] == "shapley"
    assert summary["target_pct"] == 15.0 and summary["target_reached"] is False
    table = run_cli(capsys, "procure", "round", "result", ROUND)
    assert "Orders" in table.out and "wire_b" in table.out
    listed = run_cli(capsys, "procure", "round", "list", "--json")
    assert [(r["key"], r["status"]) for r in json.loads(listed.out)] == [(ROUND, "awarded")]
    assert "2027Q1" in run_cli(capsys, "procure", "round", "list").out
    monkeypatch.setenv("OSATNET_USER", "m3-user")
    mine = json.loads(run_cli(capsys, "procure", "round", "result", ROUND, "--json").out)
    assert (mine["member_id"], mine["solo_cost"]) == ("m3", 25_800.0)
    said = run_cli(capsys, "procure", "round", "result", ROUND).out
    assert "m3 in round 2027Q1 (shapley): you pay" in said
    logins = [e for e in Vault(Database(cli_db), "aud").audit_entries(100) if e.action == "login"]
    assert logins and all(json.loads(e.details) == {"via": "cli"} for e in logins)


def test_cli_errors_are_one_line(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def error(*args: str) -> str:
        result = run_cli(capsys, "procure", *args)
        assert result.code == 2, result
        lines = [x for x in result.err.splitlines() if x.strip()]
        assert len(lines) == 1, result.err
        return lines[0]

    assert "who is asking?" in error("round", "list")
    assert "needs secretariat" in error("round", "open", ROUND, "-u", "m1-admin")
    assert "--max-supplier-share expects a fraction" in error(
        "round", "open", ROUND, "-u", "sec", "--max-supplier-share", "60"
    )
    assert "--min-suppliers expects" in error(
        "round", "open", ROUND, "-u", "sec", "--min-suppliers", "0"
    )
    assert run_cli(capsys, "procure", "round", "open", ROUND, "-u", "sec").code == 0
    bad = tmp_path / "demand.csv"
    bad.write_text("member_id,category,quantity\nm1,bonding_wire_cu,-3\n", encoding="utf-8")
    line = error("demand", "submit", str(bad), "-r", ROUND, "-u", "m1-admin")
    assert "demand.csv:2: column quantity: expected a number >= 0, got '-3'" in line
    assert "no procurement round 'R9'" in error("round", "award", "R9", "-u", "sec")
    assert "still open" in error("round", "award", ROUND, "-u", "sec")
