"""Submissions: versions, withdrawal, validation, all-or-nothing — on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from osatnet.db import Database
from osatnet.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from osatnet.vault import Vault

from .conftest import GOOD


def _value(vault: Vault, measure: str, period: str = "2026Q3") -> float:
    return next(r.value for r in vault.values(period) if r.measure == measure)


def test_submit_read_back_with_derived_total(vdb: Database, good_file: Path) -> None:
    vault = Vault.login(vdb, "m1-admin")
    info = vault.submit_file(good_file, "2026q3")
    assert (info.member_id, info.period_key, info.version, info.status) == (
        "m1",
        "2026Q3",
        1,
        "active",
    )
    assert info.row_count == 13
    records = vault.values("2026Q3")
    assert len(records) == 14
    total = next(r for r in records if r.measure == "unit_cost_total")
    assert total.derived and total.value == 4.25 + 1.5 + 3 + 1.25
    assert _value(vault, "spend_bonding_wire_au") == 98765.4321
    # another user of the same member reads the same values
    assert _value(Vault(vdb, "m1-user"), "weekly_capacity") in (200000, 123456.789)


def test_resubmission_is_a_new_version(vdb: Database, good_file: Path, tmp_path: Path) -> None:
    vault = Vault(vdb, "m1-admin")
    vault.submit_file(good_file, "2026Q3")
    changed = tmp_path / "v2.csv"
    changed.write_text(GOOD.replace("82.5", "90"), encoding="utf-8")
    assert vault.submit_file(changed, "2026Q3").version == 2
    assert [(s.version, s.status) for s in vault.submissions("2026Q3")] == [
        (1, "superseded"),
        (2, "active"),
    ]
    assert _value(vault, "utilisation_pct") == 90
    old = vault.values("2026Q3", version=1)
    assert next(r.value for r in old if r.measure == "utilisation_pct") == 82.5


def test_withdraw_and_closed_periods(vdb: Database, good_file: Path) -> None:
    vault = Vault(vdb, "m1-admin")
    vault.submit_file(good_file, "2026Q3")
    assert vault.withdraw("2026Q3").status == "withdrawn"
    with pytest.raises(NotFoundError, match="no active submission"):
        vault.values("2026Q3")
    with pytest.raises(NotFoundError, match="no active submission for 2026Q3"):
        vault.withdraw("2026Q3")
    with pytest.raises(ConflictError, match="period 2026Q2 is closed"):
        vault.submit(
            "2026Q2", [{"member_id": "m1", "measure": "revenue_share_other_pct", "value": 100}]
        )
    with pytest.raises(NotFoundError, match="no reporting period 2027Q1"):
        vault.submit_file(good_file, "2027Q1")


def test_submit_from_python_rows(vdb: Database) -> None:
    vault = Vault(vdb, "m1-admin")
    rows = [
        {
            "member_id": "m1",
            "site_id": "s1",
            "process": "burn_in",
            "measure": "headcount",
            "value": 7,
        },
        {"member_id": "m1", "measure": "revenue_share_region_japan_pct", "value": 100},
    ]
    assert vault.submit("2026Q3", rows).row_count == 2
    assert _value(vault, "headcount") == 7


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("m2,,,spend_leadframe,5", "column member_id: you may submit only for member m1, not 'm2'"),
        ("m1,s2,wafer_sort,headcount,3", "column site_id: site 's2' belongs to another member"),
        ("m1,s9,final_test,headcount,3", "column site_id: site 's9' is not registered"),
        (
            "m1,s1,molding,headcount,3",
            "column process: site s1 has no registered capability 'molding'",
        ),
        ("m1,s1,final_test,colour,3", "column measure: unknown measure 'colour'"),
        (
            "m1,s1,final_test,unit_cost_total,3",
            "column measure: unit_cost_total is computed (unit_cost_labour + unit_cost_materials "
            "+ unit_cost_depreciation + unit_cost_overhead); submit its parts instead",
        ),
        (
            "m1,s1,burn_in,utilisation_pct,120",
            "column value: utilisation_pct must be between 0 and 100 (%), got 120",
        ),
        ("m1,s1,burn_in,headcount,2.5", "column value: headcount must be a whole number, got 2.5"),
        (
            "m1,s1,burn_in,unit_cost_labour,-1",
            "column value: unit_cost_labour must be >= 0 (JPY/unit), got -1",
        ),
        (
            "m1,,,headcount,3",
            "column site_id: headcount is a site measure: give site_id and process",
        ),
        ("m1,s1,,spend_leadframe,3", "column site_id: spend_leadframe is a member measure"),
        ("m1,s1,final_test,yield_pct,99", "column measure: duplicate of row 8"),
        ("m1,s1,final_test,yield_pct,abc", "column value: Input should be a valid number"),
    ],
)
def test_bad_rows_are_located_and_nothing_is_stored(
    vdb: Database, tmp_path: Path, line: str, expected: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(GOOD + line + "\n", encoding="utf-8")
    vault = Vault(vdb, "m1-admin")
    with pytest.raises(InputError) as info:
        vault.submit_file(path, "2026Q3")
    messages = [str(e) for e in info.value.all_errors]
    assert any(m.startswith(f"bad.csv:15: {expected}") for m in messages), messages
    assert vault.submissions() == []


def test_revenue_shares_must_add_up(vdb: Database, tmp_path: Path) -> None:
    path = tmp_path / "shares.csv"
    path.write_text(GOOD.replace("automotive_pct,60", "automotive_pct,50"), encoding="utf-8")
    with pytest.raises(
        InputError, match=r"shares.csv:13: column value: revenue shares by end market add up to 90%"
    ):
        Vault(vdb, "m1-admin").submit_file(path, "2026Q3")


def test_only_member_users_submit_or_read(vdb: Database, good_file: Path) -> None:
    for username in ("sec", "aud"):
        vault = Vault(vdb, username)
        with pytest.raises(PermissionDenied, match="belongs to no member"):
            vault.submit_file(good_file, "2026Q3")
        with pytest.raises(PermissionDenied, match="belongs to no member"):
            vault.values("2026Q3")
    with pytest.raises(PermissionDenied, match="no user"):
        Vault(vdb).values("2026Q3")
    with pytest.raises(NotFoundError, match="no user 'ghost'"):
        Vault(vdb, "ghost")


def test_status_is_metadata_by_role(vdb: Database, good_file: Path) -> None:
    Vault(vdb, "m1-admin").submit_file(good_file, "2026Q3")
    Vault(vdb, "m2-user").submit(
        "2026Q3", [{"member_id": "m2", "measure": "revenue_share_other_pct", "value": 100}]
    )
    assert [s.member_id for s in Vault(vdb, "sec").status("2026Q3")] == ["m1", "m2"]
    assert [s.member_id for s in Vault(vdb, "aud").status("2026Q3")] == ["m1", "m2"]
    assert [s.member_id for s in Vault(vdb, "m2-user").status("2026Q3")] == ["m2"]


def test_workbook_submission(vdb: Database, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "submissions"
    for line in GOOD.strip().splitlines():
        sheet.append([float(x) if x.replace(".", "").isdigit() and i == 4 else x
                      for i, x in enumerate(line.split(","))])  # fmt: skip
    path = tmp_path / "m1.xlsx"
    book.save(path)
    assert Vault(vdb, "m1-admin").submit_file(path, "2026Q3").row_count == 13
