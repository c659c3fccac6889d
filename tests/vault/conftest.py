"""A registry with three members, an open period and users of every role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from osatnet.db import Database
from osatnet.registry import Registry
from tests.helpers import write_registry

GOOD = """member_id,site_id,process,measure,value
m1,s1,final_test,weekly_capacity,200000
m1,s1,final_test,utilisation_pct,82.5
m1,s1,final_test,unit_cost_labour,4.25
m1,s1,final_test,unit_cost_materials,1.5
m1,s1,final_test,unit_cost_depreciation,3
m1,s1,final_test,unit_cost_overhead,1.25
m1,s1,final_test,yield_pct,99.2
m1,s1,final_test,headcount,42
m1,s1,burn_in,weekly_capacity,123456.789
m1,,,revenue_share_automotive_pct,60
m1,,,revenue_share_industrial_pct,25
m1,,,revenue_share_other_pct,15
m1,,,spend_bonding_wire_au,98765.4321
"""


def prepare(db: Database, tmp_path: Path) -> Database:
    reg = Registry(db)
    reg.import_path(write_registry(tmp_path / "registry"))
    reg.add_period("2026Q2")
    reg.add_period("2026Q3")
    reg.set_period_status("2026Q2", "closed")
    reg.add_user("m1-admin", "member_admin", member_id="m1")
    reg.add_user("m1-user", "member_user", member_id="m1")
    reg.add_user("m2-user", "member_user", member_id="m2")
    reg.add_user("sec", "secretariat")
    reg.add_user("aud", "auditor")
    return db


@pytest.fixture
def vdb(db: Database, tmp_path: Path) -> Database:
    return prepare(db, tmp_path)


@pytest.fixture
def pg_vdb(pg_schema_url: str, tmp_path: Path) -> Iterator[Database]:
    db = Database(pg_schema_url)
    try:
        yield prepare(db, tmp_path)
    finally:
        db.dispose()


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "m1-2026Q3.csv"
    path.write_text(GOOD, encoding="utf-8")
    return path
