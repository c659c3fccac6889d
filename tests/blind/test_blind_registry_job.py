"""The blind job places every uploaded value where the operator-trusted path puts it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from osatnet.blind.client import BlindValue, share_values
from osatnet.blind.config import keygen
from osatnet.blind.envelope import unb64
from osatnet.blind.registry_job import blind_job
from osatnet.blind.store import ShareStore
from osatnet.db import Database
from osatnet.errors import ConflictError
from osatnet.registry import Registry
from osatnet.registry.models import Alliance
from osatnet.vault import Vault
from osatnet.vault._context import Scope, scoped_session
from osatnet.vault._gather import gather
from osatnet.vault._keys import KeyRing, load_master_key
from tests.helpers import write_registry

ROWS = {
    "m1": [("s1", "final_test", 200000.0), ("s1", "burn_in", 40000.0)],
    "m2": [("s2", "wafer_sort", 3000.0)],
    "m3": [("s3", "substrate_package", 500000.0)],
}


def test_blind_job_matches_the_operator_trusted_placement(db: Database, tmp_path: Path) -> None:
    reg = Registry(db)
    reg.import_path(write_registry(tmp_path / "registry"))
    reg.add_period("2026Q2")
    keys = [unb64(keygen(tmp_path / f"n{i}", i).public_key_b64()) for i in range(3)]
    store = ShareStore(tmp_path / "store")
    for member, rows in ROWS.items():
        reg.add_user(f"{member}-admin", "member_admin", member_id=member)
        Vault(db, f"{member}-admin").submit(
            "2026Q2",
            [{"member_id": member, "site_id": s, "process": p, "measure": "weekly_capacity",
              "value": v} for s, p, v in rows],
        )  # fmt: skip
        values = [BlindValue("weekly_capacity", v, s, p) for s, p, v in rows]
        for bundle in share_values(member, "2026Q2", values, keys):
            store.put(bundle)
    reg.set_period_status("2026Q2", "closed")
    by = ["process", "region", "employee_band", "country"]
    with db.session() as s:
        with pytest.raises(ConflictError, match="not 'blind'"):
            blind_job(s, store, "2026Q2", "weekly_capacity", by)
        s.execute(update(Alliance).values(trust_model="blind", min_contributors=3))
        job = blind_job(s, store, "2026Q2", "weekly_capacity", by)
    # The operator-trusted placement, read as Releases reads it (row-level security applies).
    with scoped_session(db, Scope.AGGREGATE) as s:
        records = gather(s, KeyRing(load_master_key(db.settings)), ["2026Q2"], "weekly_capacity")
    assert job.min_contributors == 3
    placed = {
        (m, key.split("|")[1]): tuple(dims[d] for d in by)
        for m, places in job.locations.items()
        for key, dims in places.items()
    }
    expected = {(r.member_id, r.dims["process"]): tuple(r.dims[d] for d in by) for r in records}
    assert placed == expected
    assert placed[("m1", "final_test")][1] != "JP"  # a Japanese prefecture goes to its area
