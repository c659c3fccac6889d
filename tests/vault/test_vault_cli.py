"""The vault's CLI: submissions, keys and audit commands, and their errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from osatnet.db import Database
from tests.helpers import run_cli


@pytest.fixture
def cli_db(vdb: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("OSATNET_DATABASE_URL", vdb.url)
    return vdb


def test_submission_round_trip(
    cli_db: Database, good_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    done = run_cli(
        capsys, "submissions", "import", str(good_file), "--period", "2026Q3", "--user", "m1-admin"
    )
    assert done.code == 0, done.err
    assert "version 1 stored (13 values, encrypted)" in done.out
    as_json = run_cli(
        capsys, "submissions", "import", str(good_file), "-p", "2026Q3", "-u", "m1-admin", "--json"
    )
    assert json.loads(as_json.out)["version"] == 2
    listed = json.loads(run_cli(capsys, "submissions", "list", "-u", "m1-user", "--json").out)
    assert [(x["version"], x["status"]) for x in listed] == [(1, "superseded"), (2, "active")]
    assert "superseded" in run_cli(capsys, "submissions", "list", "-u", "m1-user").out
    shown = json.loads(
        run_cli(capsys, "submissions", "show", "-p", "2026Q3", "-u", "m1-user", "--json").out
    )
    assert {r["measure"] for r in shown} >= {"unit_cost_total", "spend_bonding_wire_au"}
    assert (
        "unit_cost_total"
        in run_cli(capsys, "submissions", "show", "-p", "2026Q3", "-u", "m1-user").out
    )
    out = tmp_path / "mine.csv"
    assert (
        run_cli(
            capsys, "submissions", "export", "-p", "2026Q3", "--out", str(out), "-u", "m1-user"
        ).code
        == 0
    )
    assert out.read_text().startswith("member_id,site_id,process,measure,value,derived")
    status = json.loads(
        run_cli(capsys, "submissions", "status", "-p", "2026Q3", "-u", "sec", "--json").out
    )
    assert [(x["member_id"], x["version"]) for x in status] == [("m1", 2)]
    assert "m1" in run_cli(capsys, "submissions", "status", "-p", "2026Q3", "-u", "sec").out
    assert (
        "withdrawn"
        in run_cli(capsys, "submissions", "withdraw", "-p", "2026Q3", "-u", "m1-admin").out
    )


def test_errors_are_one_line_exit_2(
    cli_db: Database,
    good_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nobody = run_cli(capsys, "submissions", "show", "-p", "2026Q3")
    assert (nobody.code, nobody.err.strip()) == (
        2,
        "error: who is asking? give --user USERNAME (or set OSATNET_USER)",
    )
    monkeypatch.setenv("OSATNET_USER", "sec")
    denied = run_cli(capsys, "submissions", "show", "-p", "2026Q3")
    assert denied.code == 2 and "belongs to no member" in denied.err
    bad = tmp_path / "bad.csv"
    bad.write_text(good_file.read_text().replace("82.5", "182.5"))
    result = run_cli(capsys, "submissions", "import", str(bad), "-p", "2026Q3", "-u", "m1-admin")
    assert result.code == 2
    assert result.err.strip() == (
        "error: bad.csv:3: column value: utilisation_pct must be between 0 and 100 (%), got 182.5"
    )


def test_measures_vocabulary(capsys: pytest.CaptureFixture[str]) -> None:
    rows = json.loads(run_cli(capsys, "submissions", "measures", "--json").out)
    keys = {r["measure"] for r in rows}
    assert {"weekly_capacity", "revenue_share_computing_ai_pct", "revenue_share_region_europe_pct",
            "spend_epoxy_mold_compound", "unit_cost_total"} <= keys  # fmt: skip
    assert "computed" in run_cli(capsys, "submissions", "measures").out


def test_keys_and_audit_commands(
    cli_db: Database, good_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = run_cli(capsys, "keys", "status")
    assert missing.code == 2 and "no master key" in missing.err
    created = run_cli(capsys, "keys", "init")
    assert created.code == 0 and "master key" in created.out
    again = run_cli(capsys, "keys", "init")
    assert again.code == 2 and "a master key exists already" in again.err
    run_cli(capsys, "submissions", "import", str(good_file), "-p", "2026Q3", "-u", "m1-admin")
    status = json.loads(run_cli(capsys, "keys", "status", "--json").out)
    assert status["member_keys"] == 1
    rotated = json.loads(run_cli(capsys, "keys", "rotate", "--json").out)
    assert rotated["rewrapped"] == 1 and rotated["new_key_id"] != status["key_id"]
    assert "intact" in run_cli(capsys, "audit", "verify", "-u", "aud").out
    head = run_cli(capsys, "audit", "head", "-u", "aud").out.split()
    log = json.loads(run_cli(capsys, "audit", "log", "-u", "aud", "--json").out)
    # every CLI call logs its login first: the head printed is the entry before this login
    assert log[-2]["hash"] == head[1] and any(e["action"] == "keys.rotate" for e in log)
    assert "keys.rotate" in run_cli(capsys, "audit", "log", "-u", "aud").out
    with cli_db.engine.begin() as conn:
        if cli_db.dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET details = '{}' WHERE seq = 2"))
    broken = run_cli(capsys, "audit", "verify", "-u", "aud")
    assert broken.code == 2 and "entry 2" in broken.out and "edited" in broken.out
    as_json = json.loads(run_cli(capsys, "audit", "verify", "-u", "aud", "--json").out)
    assert as_json["ok"] is False and as_json["problems"][0]["seq"] == 2


def test_rotation_with_environment_key_needs_a_file(
    cli_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OSATNET_MASTER_KEY", "B" * 43 + "=")
    refused = run_cli(capsys, "keys", "rotate")
    assert refused.code == 2 and "give --new-key-file" in refused.err
    new_file = tmp_path / "new.key"
    done = json.loads(
        run_cli(capsys, "keys", "rotate", "--new-key-file", str(new_file), "--json").out
    )
    assert Path(done["key_file"]) == new_file and new_file.exists() and done["retired_file"] is None
    monkeypatch.setenv("OSATNET_MASTER_KEY", "not base64!")
    assert "not valid base64" in run_cli(capsys, "keys", "status").err
    monkeypatch.setenv("OSATNET_MASTER_KEY", "QUJD")
    assert "must be 32 bytes, got 3" in run_cli(capsys, "keys", "status").err
