"""A registry with three members, users of every role, and the worked example of the docs.

The demand and quotes are those of ``docs/examples/procurement`` (members renamed m1, m2, m3),
so the stored round must give the figures the docs state for the files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from osatnet.db import Database
from osatnet.procurement import Procurement, ResilienceRules
from osatnet.registry import Registry
from tests.helpers import write_registry

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "procurement"
QUOTES = EXAMPLES / "quotes.csv"
ROUND = "2027Q1"
# member -> {category: (quantity, current unit price)}, as in the docs' demand.csv
DEMAND = {
    "m1": {"bonding_wire_cu": (600.0, 98.0), "epoxy_mold_compound": (2500.0, 19.0)},
    "m2": {"bonding_wire_cu": (300.0, 100.0), "epoxy_mold_compound": (1200.0, 20.0)},
    "m3": {"bonding_wire_cu": (150.0, 105.0), "epoxy_mold_compound": (600.0, 21.0)},
}
USERS = {"m1": "m1-admin", "m2": "m2-user", "m3": "m3-user"}


def prepare(db: Database, tmp_path: Path) -> Database:
    reg = Registry(db)
    reg.import_path(write_registry(tmp_path / "registry"))
    reg.add_user("m1-admin", "member_admin", member_id="m1")
    reg.add_user("m1-user", "member_user", member_id="m1")
    reg.add_user("m2-user", "member_user", member_id="m2")
    reg.add_user("m3-user", "member_user", member_id="m3")
    reg.add_user("sec", "secretariat")
    reg.add_user("aud", "auditor")
    return db


def demand_rows(
    member: str, table: dict[str, dict[str, tuple[float, float]]] = DEMAND
) -> list[dict[str, object]]:
    return [
        {"category": c, "quantity": q, "current_unit_price": p}
        for c, (q, p) in table[member].items()
    ]


def run_round(
    db: Database,
    table: dict[str, dict[str, tuple[float, float]]] = DEMAND,
    *,
    method: str = "shapley",
    rules: ResilienceRules | None = None,
) -> None:
    """Open, submit every member's demand, enter the quotes, close, award."""
    sec = Procurement(db, "sec")
    sec.open_round(ROUND, title="Wire and compound", rules=rules)
    for member in table:
        Procurement(db, USERS[member]).submit_demand(ROUND, demand_rows(member, table))
    sec.enter_quotes(ROUND, QUOTES)
    sec.close_round(ROUND)
    sec.run_award(ROUND, method=method)


@pytest.fixture
def pdb(db: Database, tmp_path: Path) -> Database:
    return prepare(db, tmp_path)


@pytest.fixture
def pg_pdb(pg_schema_url: str, tmp_path: Path) -> Iterator[Database]:
    db = Database(pg_schema_url)
    try:
        yield prepare(db, tmp_path)
    finally:
        db.dispose()
