"""``osatnet blind …`` and ``osatnet release table`` in a blind alliance, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update

from osatnet.blind.config import keygen
from osatnet.db import Database
from osatnet.registry import Registry
from osatnet.registry.models import Alliance
from tests.helpers import run_cli, write_registry

PERIOD = "2026Q2"
FILE = "member_id,site_id,process,measure,value\nm1,s1,final_test,weekly_capacity,{v}\n"


def _prepare(url: str, tmp_path: Path) -> None:
    db = Database(url)
    reg = Registry(db)
    reg.import_path(write_registry(tmp_path / "registry"))
    reg.add_period(PERIOD)
    reg.add_user("sec", "secretariat")
    reg.add_user("aud", "auditor")
    reg.add_user("m1-admin", "member_admin", member_id="m1")
    reg.add_user("m2-user", "member_user", member_id="m2")
    db.dispose()


def test_nodes_uploads_and_jobs(
    use_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _prepare(use_db, tmp_path)
    (tmp_path / "values.csv").write_text(FILE.format(v=123456.75), encoding="utf-8")
    early = run_cli(capsys, "blind", "upload", str(tmp_path / "values.csv"), "-p", PERIOD,
                    "-u", "m1-admin")  # fmt: skip
    assert early.code == 2 and "nodes 0, 1, 2" in early.err  # no nodes registered yet
    for i in range(3):
        keys = keygen(tmp_path / f"node-{i}", i)
        denied = run_cli(capsys, "blind", "nodes", "add", str(i), "--public-key",
                         str(keys.public_key), "--operator", f"org {i}", "-u", "m1-admin")  # fmt: skip
        assert denied.code == 2 and "needs secretariat" in denied.err
        added = run_cli(capsys, "blind", "nodes", "add", str(i), "--public-key",
                        str(keys.public_key), "--operator", f"org {i}", "-u", "sec")  # fmt: skip
        assert added.code == 0 and "token" in added.out and "fingerprint" in added.out
    listed = run_cli(capsys, "blind", "nodes", "list", "-u", "m2-user", "--json")
    assert [n["operator"] for n in json.loads(listed.out)] == ["org 0", "org 1", "org 2"]

    up = run_cli(capsys, "blind", "upload", str(tmp_path / "values.csv"), "-p", PERIOD,
                 "-u", "m1-admin")  # fmt: skip
    assert up.code == 0 and "1 value(s)" in up.out and "3 nodes" in up.out
    seen = run_cli(capsys, "blind", "uploads", "-p", PERIOD, "-u", "m1-admin", "--json")
    assert json.loads(seen.out)["locations"] == [
        {"measure": "weekly_capacity", "site": "s1", "process": "final_test"}
    ]
    other = run_cli(capsys, "blind", "uploads", "-p", PERIOD, "-u", "m2-user")
    assert other.code == 2 and "no shares" in other.err  # m2 sees only its own (none)
    # A bad value: one error with file, row, column; exit 2; the earlier upload stays.
    (tmp_path / "bad.csv").write_text(FILE.format(v=-1), encoding="utf-8")
    bad = run_cli(capsys, "blind", "upload", str(tmp_path / "bad.csv"), "-p", PERIOD,
                  "-u", "m1-admin")  # fmt: skip
    assert bad.code == 2 and "bad.csv:2: column value" in bad.err
    # seal writes the bundles a REST client posts; the file holds ciphertext only.
    sealed = run_cli(capsys, "blind", "seal", str(tmp_path / "values.csv"), "-p", PERIOD,
                     "--out", str(tmp_path / "b.json"), "-u", "m1-admin")  # fmt: skip
    assert sealed.code == 0
    text = (tmp_path / "b.json").read_text()
    assert len(json.loads(text)["bundles"]) == 3 and "123456.75" not in text

    Registry(Database(use_db)).set_period_status(PERIOD, "closed")
    db = Database(use_db)
    with db.session() as s:
        s.execute(update(Alliance).values(trust_model="blind"))
    db.dispose()
    queued = run_cli(capsys, "release", "table", "-p", PERIOD, "-m", "weekly_capacity",
                     "--by", "process", "--wait", "0", "-u", "sec")  # fmt: skip
    assert queued.code == 0, queued.err
    assert "job 1 queued" in queued.out and "still pending" in queued.out
    jobs = run_cli(capsys, "blind", "jobs", "list", "-u", "aud", "--json")
    assert [j["status"] for j in json.loads(jobs.out)] == ["pending"]
    retried = run_cli(capsys, "blind", "jobs", "retry", "1", "-u", "sec")
    assert retried.code == 0 and "attempt 2" in retried.out
    assert run_cli(capsys, "blind", "jobs", "list", "-u", "m1-admin").code == 2
