"""Periods, users, the alliance's settings and queries, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from osatnet.db import Database
from osatnet.errors import ConflictError, InputError, NotFoundError
from osatnet.registry import PROCESS_FAMILIES, Registry, UserRole
from tests.helpers import write_registry


@pytest.fixture
def reg(db: Database, tmp_path: Path) -> Registry:
    registry = Registry(db)
    registry.import_path(write_registry(tmp_path / "in"))
    return registry


def test_catalog_is_shipped_in_order(db: Database) -> None:
    keys = [p.key for p in Registry(db).processes()]
    assert keys == [p.key for p in PROCESS_FAMILIES]
    assert keys[:3] == ["wafer_backgrind", "dicing", "die_attach"]
    assert len(keys) == 16


def test_periods_lifecycle(reg: Registry) -> None:
    p = reg.add_period("2026q3")
    assert (p.key, p.starts_on, p.ends_on, p.status) == (
        "2026Q3",
        "2026-07-01",
        "2026-09-30",
        "open",
    )
    assert reg.add_period("2026Q4").ends_on == "2026-12-31"
    with pytest.raises(ConflictError, match="period 2026Q3 exists already"):
        reg.add_period("2026Q3")
    assert reg.set_period_status("2026Q3", "closed").status == "closed"
    assert reg.period("2026Q3").status == "closed"
    assert reg.set_period_status("2026Q3", "open").status == "open"
    assert [x.key for x in reg.periods()] == ["2026Q3", "2026Q4"]
    with pytest.raises(InputError, match="expected a quarter such as 2026Q3, got '2026-07'"):
        reg.add_period("2026-07")
    with pytest.raises(NotFoundError, match="no reporting period 2025Q1"):
        reg.period("2025Q1")
    with pytest.raises(InputError, match="open or closed"):
        reg.set_period_status("2026Q3", "archived")


def test_users_and_roles(reg: Registry) -> None:
    admin = reg.add_user("m1-admin", "member_admin", member_id="m1", email="a@example.jp")
    assert (admin.role, admin.member_id) == (UserRole.MEMBER_ADMIN, "m1")
    sec = reg.add_user("sec", UserRole.SECRETARIAT, display_name="事務局")
    assert sec.member_id is None
    with pytest.raises(InputError, match="a member_user belongs to a member"):
        reg.add_user("lost", "member_user")
    with pytest.raises(InputError, match=r"an? auditor belongs to the secretariat"):
        reg.add_user("aud", "auditor", member_id="m1")
    with pytest.raises(InputError, match="role must be one of"):
        reg.add_user("x", "king")
    with pytest.raises(NotFoundError, match="no member 'm9'"):
        reg.add_user("y", "member_user", member_id="m9")
    with pytest.raises(ConflictError, match="user 'sec' exists already"):
        reg.add_user("sec", "auditor")
    assert [u.username for u in reg.users()] == ["m1-admin", "sec"]
    assert [u.username for u in reg.users("m1")] == ["m1-admin"]
    assert reg.user("sec").display_name == "事務局"
    with pytest.raises(NotFoundError):
        reg.user("nobody")


def test_alliance_settings(reg: Registry) -> None:
    alliance = reg.alliance()
    assert (alliance.min_contributors, alliance.dominance_n, alliance.dominance_k_pct) == (5, 2, 85)
    assert (alliance.p_percent, alliance.protection_pct) == (10, 10)
    changed = reg.configure_alliance(name="J-Demo", min_contributors=3)
    assert (changed.name, changed.min_contributors) == ("J-Demo", 3)
    with pytest.raises(InputError, match="unknown alliance setting 'colour'"):
        reg.configure_alliance(colour="blue")
    with pytest.raises(InputError, match="invalid alliance setting"):
        reg.configure_alliance(dominance_k_pct=150)
    assert reg.alliance().dominance_k_pct == 85


def test_queries(reg: Registry) -> None:
    assert [s.site_id for s in reg.sites("m1")] == ["s1"]
    assert {c.site_id for c in reg.capabilities(process="final_test")} == {"s1"}
    assert reg.counts() == {"members": 3, "sites": 3, "capabilities": 4, "users": 0, "periods": 0}
    with pytest.raises(NotFoundError, match="no member 'zz'"):
        reg.member("zz")
