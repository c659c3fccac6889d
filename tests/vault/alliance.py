"""The demo alliance (30 members, two closed quarters of submissions) in a test database."""

from __future__ import annotations

from pathlib import Path

from osatnet.db import Database
from osatnet.demo.generator import generate_registry
from osatnet.demo.submissions import demo_submission_rows
from osatnet.registry import Registry
from osatnet.registry._export import export_registry
from osatnet.vault import Vault

PERIODS = ("2026Q1", "2026Q2")
SEED = 5


def build_alliance(db: Database, tmp_path: Path) -> dict[str, list[list[dict[str, object]]]]:
    data = generate_registry(SEED)
    export_registry(tmp_path / "alliance", data.members, data.sites, data.capabilities)
    registry = Registry(db)
    registry.import_path(tmp_path / "alliance")
    for key in (*PERIODS, "2026Q3"):
        registry.add_period(key)
    registry.add_user("secretariat", "secretariat")
    registry.add_user("auditor", "auditor")
    rows = demo_submission_rows(data, SEED, len(PERIODS))
    for member_id, quarters in rows.items():
        registry.add_user(f"{member_id.lower()}-admin", "member_admin", member_id=member_id)
        vault = Vault(db, f"{member_id.lower()}-admin")
        for key, quarter in zip(PERIODS, quarters, strict=True):
            vault.submit(key, quarter)
    for key in PERIODS:
        registry.set_period_status(key, "closed")
    return rows
