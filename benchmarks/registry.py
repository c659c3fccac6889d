"""Registry import speed: osatnet's bulk upsert against a row-by-row ORM baseline.

    python benchmarks/registry.py [--members N] [--small]

Builds a synthetic registry (N members, 2 sites each, 5 capabilities per site), writes it as
CSV files, then times on fresh SQLite files: (1) ``Registry.import_path`` (validate, cross-check,
bulk upsert), (2) the same import again (nothing changes), and (3) a baseline that upserts row
by row with ``session.merge`` as a straightforward script would. Prints the ratios.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from osatnet.db import Database
from osatnet.registry import Registry
from osatnet.registry._export import export_registry
from osatnet.registry._files import read_registry_files
from osatnet.registry.catalog import PROCESS_FAMILIES, Certification, EmployeeBand, MemberRole
from osatnet.registry.models import Alliance, Member, Site, SiteCapability, SiteCertification
from osatnet.registry.schemas import CapabilityRow, MemberRow, SiteRow


def synthetic(n_members: int) -> tuple[list[MemberRow], list[SiteRow], list[CapabilityRow]]:
    bands = list(EmployeeBand)
    members = [
        MemberRow(
            member_id=f"M{i:05d}", name=f"Firm {i}", name_ja=f"企業{i}", country="JP",
            prefecture="Kumamoto", employee_band=bands[i % 5], role=MemberRole.OSAT,
        )
        for i in range(n_members)
    ]  # fmt: skip
    sites = [
        SiteRow(
            site_id=f"M{i:05d}-S{k}", member_id=f"M{i:05d}", name=f"Plant {k}", country="JP",
            region="Oita", lat=33.2 + k / 100, lon=131.6,
            certifications=(Certification.ISO_9001, Certification.IATF_16949),
        )
        for i in range(n_members)
        for k in range(2)
    ]  # fmt: skip
    keys = [p.key for p in PROCESS_FAMILIES]
    caps = [
        CapabilityRow(
            site_id=s.site_id, process=keys[(j * 3 + n) % 16],
            weekly_capacity=1000.0 * (j + 1), automotive=j % 2 == 0,
        )
        for n, s in enumerate(sites)
        for j in range(5)
    ]  # fmt: skip
    return members, sites, caps


def baseline_import(db: Database, folder: Path) -> None:
    """Row by row: validate, then session.merge each row (one SELECT per row)."""
    files = read_registry_files(folder)
    with Session(db.engine) as session, session.begin():
        alliance = Alliance(name="baseline")
        session.add(alliance)
        session.flush()
        for _, _, m in files.members:
            session.merge(
                Member(
                    id=m.member_id, alliance_id=alliance.id, name=m.name, name_ja=m.name_ja,
                    country=m.country, prefecture=m.prefecture,
                    employee_band=m.employee_band.value, role=m.role.value,
                )
            )  # fmt: skip
        for _, _, s in files.sites:
            session.merge(
                Site(
                    id=s.site_id, member_id=s.member_id, name=s.name, country=s.country,
                    region=s.region, lat=s.lat, lon=s.lon,
                )
            )  # fmt: skip
            for c in s.certifications:
                session.merge(SiteCertification(site_id=s.site_id, certification=c.value))
        for _, _, c in files.capabilities:
            session.merge(
                SiteCapability(
                    site_id=c.site_id, process_key=c.process, weekly_capacity=c.weekly_capacity,
                    automotive=c.automotive,
                )
            )  # fmt: skip


def timed(label: str, fn: object) -> float:
    t0 = time.perf_counter()
    fn()  # type: ignore[operator]
    elapsed = time.perf_counter() - t0
    print(f"  {label:<38} {elapsed:8.2f} s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=3000)
    parser.add_argument("--small", action="store_true", help="300 members, for a smoke test")
    args = parser.parse_args()
    n = 300 if args.small else args.members
    members, sites, caps = synthetic(n)
    print(f"registry import: {len(members)} members, {len(sites)} sites, {len(caps)} capabilities")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        export_registry(root / "files", members, sites, caps)
        reg = Registry(Database(f"sqlite:///{root / 'osatnet.db'}"))
        ours = timed("osatnet import (fresh database)", lambda: reg.import_path(root / "files"))
        again = timed("osatnet re-import (no changes)", lambda: reg.import_path(root / "files"))
        base_db = Database(f"sqlite:///{root / 'baseline.db'}")
        base = timed(
            "baseline: row-by-row session.merge", lambda: baseline_import(base_db, root / "files")
        )
        assert len(reg.capabilities()) == len(caps)
    print(f"  speed-up vs baseline: import {base / ours:.1f}x, re-import {base / again:.1f}x")


if __name__ == "__main__":
    main()
