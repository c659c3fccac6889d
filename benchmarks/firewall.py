"""A full release through the firewall: decrypt, gather, primary rules, secondary suppression,
audit, store. Target: 5 s or less for a 3-dimension table of about 2,000 cells, 30 members.

    python benchmarks/firewall.py [--small]

The demo alliance submits ten quarters; the secretariat releases the sum of weekly capacity by
process x region x period (17 x 12 x 11 cells with margins). The same release with the
heuristic suppression method is timed in the same run as the baseline.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from osatnet.db import Database
from osatnet.demo.generator import generate_registry
from osatnet.demo.submissions import demo_submission_rows
from osatnet.registry import Registry
from osatnet.registry._export import export_registry
from osatnet.settings import Settings
from osatnet.vault import Vault
from osatnet.vault._context import Actor
from osatnet.vault.releases import Releases


def quarters(n: int) -> list[str]:
    keys, year, q = [], 2024, 1
    for _ in range(n):
        keys.append(f"{year}Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return keys


def build(root: Path, n_quarters: int) -> Database:
    db = Database(f"sqlite:///{root / 'bench.db'}", settings=Settings(data_dir=root))
    data = generate_registry(7)
    export_registry(root / "registry", data.members, data.sites, data.capabilities)
    registry = Registry(db)
    registry.import_path(root / "registry")
    keys = quarters(n_quarters)
    for key in keys:
        registry.add_period(key)
    registry.add_user("secretariat", "secretariat")
    rows = demo_submission_rows(data, 7, n_quarters)
    for member_id, history in rows.items():
        registry.add_user(f"{member_id.lower()}-admin", "member_admin", member_id=member_id)
        vault = Vault(db, f"{member_id.lower()}-admin")
        for key, quarter in zip(keys, history, strict=True):
            vault.submit(key, quarter)
    for key in keys:
        registry.set_period_status(key, "closed")
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="three quarters, for a smoke test")
    args = parser.parse_args()
    n = 3 if args.small else 10
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        db = build(Path(tmp), n)
        print(f"setup: 30 members x {n} quarters submitted in {time.perf_counter() - t0:.1f} s")
        secretariat = Actor.load(db, "secretariat")
        periods = ",".join(quarters(n))
        by = ["process", "region", "period"]
        timings = {}
        for method in ("optimal", "heuristic"):
            # A fresh database state per method: a second identical release would be refused
            # as differencing only if contributor sets differed, so both run on equal terms.
            t0 = time.perf_counter()
            table = Releases(db, secretariat).create(
                periods, "weekly_capacity", "sum", by, method=method
            )  # type: ignore[arg-type]
            timings[method] = time.perf_counter() - t0
            status = [c.status for c in table.cells]
            print(
                f"release ({method:9}): {len(table.cells):5d} cells, "
                f"{status.count('primary')} primary, {status.count('secondary')} secondary, "
                f"{timings[method]:.2f} s"
            )
        print(f"ratio optimal/heuristic time: {timings['optimal'] / timings['heuristic']:.2f}")
        target = "met" if timings["optimal"] <= 5.0 else "MISSED"
        print(f"target 5 s for the optimal release: {target}")


if __name__ == "__main__":
    main()
