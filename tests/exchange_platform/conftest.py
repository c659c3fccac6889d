"""An alliance for the exchange: three members with sites, an open period, users of every role.

m1 (Kumamoto, IATF 16949, automotive final test) and m3 (Penang) have idle capacity; m2
(Kagawa) is short. Coordinates are real enough for logistics costs to differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from osatnet.db import Database
from osatnet.registry import Registry
from tests.helpers import write_registry

SITES = """site_id,member_id,name,country,region,lat,lon,certifications
s1,m1,Kikuchi plant,JP,Kumamoto,32.98,130.81,ISO 9001;IATF 16949
s1b,m1,Ozu plant,JP,Kumamoto,32.88,130.86,ISO 9001
s2,m2,Takamatsu plant,JP,Kagawa,34.34,134.04,ISO 9001
s3,m3,Bayan Lepas,MY,Penang,5.30,100.27,ISO 9001;ISO 14001
"""
CAPABILITIES = """site_id,process,weekly_capacity,automotive
s1,final_test,200000,true
s1,burn_in,40000,false
s1b,final_test,50000,false
s2,final_test,90000,false
s2,wafer_sort,3000,false
s3,final_test,500000,false
s3,substrate_package,500000,false
"""
PERIOD = "2026Q3"
WEEK = "2026-W36"


def prepare(db: Database, tmp_path: Path) -> Database:
    reg = Registry(db)
    folder = write_registry(tmp_path / "registry", sites=SITES, capabilities=CAPABILITIES)
    reg.import_path(folder)
    reg.add_period("2026Q2")
    reg.add_period(PERIOD)
    reg.set_period_status("2026Q2", "closed")
    reg.add_user("m1-admin", "member_admin", member_id="m1")
    reg.add_user("m2-user", "member_user", member_id="m2")
    reg.add_user("m3-user", "member_user", member_id="m3")
    reg.add_user("sec", "secretariat")
    reg.add_user("aud", "auditor")
    return db


@pytest.fixture
def xdb(db: Database, tmp_path: Path) -> Database:
    return prepare(db, tmp_path)


@pytest.fixture
def pg_xdb(pg_schema_url: str, tmp_path: Path) -> Iterator[Database]:
    db = Database(pg_schema_url)
    try:
        yield prepare(db, tmp_path)
    finally:
        db.dispose()
