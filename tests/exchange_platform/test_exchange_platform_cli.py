"""``osatnet exchange post / clear / mine / withdraw``: the platform's commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from osatnet.db import Database
from tests.helpers import run_cli

from .conftest import PERIOD, prepare

OFFERS = "offer_id,process,week,capacity,unit_price,site_id\nK1,final_test,36,5000,8,s1\n"
REQUESTS = "request_id,process,quantity,max_price,unserved_penalty\nT1,final_test,4000,10,12\n"


def test_post_clear_mine(use_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = prepare(Database(use_db), tmp_path)
    db.dispose()
    (tmp_path / "offers.csv").write_text(OFFERS, encoding="utf-8")
    (tmp_path / "requests.csv").write_text(REQUESTS, encoding="utf-8")
    posted = run_cli(capsys, "exchange", "post", "--offers", "offers.csv", "-p", PERIOD,
                     "-u", "m1-admin", "--json")  # fmt: skip
    assert posted.code == 0, posted.err
    assert json.loads(posted.out)["offers"] == ["O1"]
    posted = run_cli(capsys, "exchange", "post", "--requests", "requests.csv", "-p", PERIOD,
                     "-u", "m2-user")  # fmt: skip
    assert posted.code == 0 and "0 offers and 1 requests posted" in posted.out

    denied = run_cli(capsys, "exchange", "clear", "-p", PERIOD, "-w", "36", "-u", "m2-user")
    assert denied.code == 2 and "needs secretariat" in denied.err
    shown = run_cli(capsys, "exchange", "clear", "-p", PERIOD, "-w", "36", "-u", "sec")
    assert shown.code == 0 and "optimal" in shown.out and "100.0%" in shown.out
    again = run_cli(capsys, "exchange", "clear", "-p", PERIOD, "-w", "36", "-u", "sec", "--json")
    assert again.code == 2 and again.err.count("\n") == 1 and "cleared already" in again.err

    mine = run_cli(capsys, "exchange", "mine", "-p", PERIOD, "-u", "m2-user", "--json")
    data = json.loads(mine.out)
    assert [m["counterparty"] for m in data["matches"]] == ["m1"]
    assert data["requests"][0]["label"] == "T1" and data["offers"] == []
    table = run_cli(capsys, "exchange", "mine", "-p", PERIOD, "-u", "m1-admin")
    assert table.code == 0 and "host" in table.out and "Shikoku" in table.out and "K1" in table.out


def test_errors(use_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prepare(Database(use_db), tmp_path).dispose()
    (tmp_path / "offers.csv").write_text(OFFERS.replace(",s1\n", ",s9\n"), encoding="utf-8")
    bad = run_cli(capsys, "exchange", "post", "--offers", "offers.csv", "-p", PERIOD,
                  "-u", "m1-admin")  # fmt: skip
    assert bad.code == 2 and "offers.csv:2: column site_id: no site 's9' of member m1" in bad.err
    nobody = run_cli(capsys, "exchange", "mine", "-p", PERIOD)
    assert nobody.code == 2 and "give --user" in nobody.err
    empty = run_cli(capsys, "exchange", "post", "-p", PERIOD, "-u", "m1-admin")
    assert empty.code == 2 and "give --offers FILE" in empty.err
    gap = run_cli(capsys, "exchange", "clear", "-p", PERIOD, "-w", "36", "-u", "sec",
                  "--gap", "2")  # fmt: skip
    assert gap.code == 2 and "--gap" in gap.err
    (tmp_path / "offers.csv").write_text(OFFERS, encoding="utf-8")
    run_cli(capsys, "exchange", "post", "--offers", "offers.csv", "-p", PERIOD, "-u", "m1-admin")
    gone = run_cli(capsys, "exchange", "withdraw", "O1", "-u", "m1-admin")
    assert gone.code == 0 and "O1 withdrawn" in gone.out
