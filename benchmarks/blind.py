"""Blind mode: three MPyC nodes on loopback (separate processes, TLS) compute a table's sums,
contributor counts and disclosure checks on secret-shared values, next to the
operator-trusted path on the same data. Targets on the 2-core machine, 30 members, 2,000
cells: sums and counts (minimum-contributors rule) 30 s or less; the full checks
(dominance and p%-rule need each cell's two largest contributions) 300 s or less.

    python benchmarks/blind.py [--small]

Synthetic data (seed 2026): 30 members, each reporting weekly capacity for 60 sites spread
over 39 processes x 49 regions, so the table by process x region has 40 x 50 = 2,000 cells
with margins. Timed: the members' clients (shares + sealing); the three node processes from
start to written result (including Python start-up and TLS); the secure computation inside
node 0; and, on the same plain data in the same run, the operator-trusted computation
(``osatnet.vault.sdc.protect`` with the same rules, heuristic secondary suppression). Every
cell blind mode publishes is checked against the operator-trusted figures, and its primary
verdicts must equal the operator-trusted ones.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from osatnet.blind.client import BlindValue, share_values
from osatnet.blind.cluster import LocalCluster
from osatnet.blind.job import BlindJob, location_key
from osatnet.blind.store import ShareStore
from osatnet.vault.sdc import protect

PERIOD, MEASURE = "2026Q2", "weekly_capacity"
Row = tuple[str, str, str, str, float]  # member, site, process, region, value


def make_rows(members: int, sites: int, processes: int, regions: int, seed: int) -> list[Row]:
    rng = random.Random(seed)
    rows = []
    for m in range(members):
        for s in range(sites):
            value = 0.0 if rng.random() < 0.05 else round(rng.lognormvariate(8.0, 1.0), 2)
            rows.append(
                (f"M{m:02d}", f"M{m:02d}-S{s:02d}", f"P{rng.randrange(processes):02d}",
                 f"R{rng.randrange(regions):02d}", value)
            )  # fmt: skip
    return rows


def upload(cluster: LocalCluster, rows: list[Row]) -> float:
    t0 = time.perf_counter()
    store = ShareStore(cluster.store)
    by_member: dict[str, list[BlindValue]] = defaultdict(list)
    for member, site, process, _, value in rows:
        by_member[member].append(BlindValue(MEASURE, value, site, process))
    for member, values in by_member.items():
        for bundle in share_values(member, PERIOD, values, cluster.public_keys):
            store.put(bundle)
    return time.perf_counter() - t0


def measure(cluster: LocalCluster, rows: list[Row], job: BlindJob, name: str) -> None:
    cluster.reconfigure()  # fresh ports for this run
    t0 = time.perf_counter()
    logs = cluster.run(job, name)
    t_nodes = time.perf_counter() - t0
    cells = json.loads(cluster.result_path(0, name).read_text())["cells"]
    found = re.search(r"in ([0-9.]+) s", logs[0])
    t_mpc = float(found.group(1)) if found else float("nan")

    t0 = time.perf_counter()
    per: dict[tuple[str, str, str], float] = defaultdict(float)
    for member, _, process, region, value in rows:
        per[(member, process, region)] += value
    columns: dict[str, list[str | float]] = {
        "contributor": [k[0] for k in per], "value": list(per.values()),
        "process": [k[1] for k in per], "region": [k[2] for k in per],
    }  # fmt: skip
    reference = protect(columns, ["process", "region"], job.rules, method="heuristic")
    t_plain = time.perf_counter() - t0

    table = reference.table
    published = 0
    for i, cell in enumerate(cells):
        assert (cell["status"] == "primary") == bool(reference.primary.sensitive[i]), i
        if cell["status"] == "published":
            published += 1
            assert cell["contributors"] == int(table.contributors[i])
            assert abs(cell["value"] - float(table.value[i])) <= 1e-4 * len(rows)
    primary = int(reference.primary.sensitive.sum())
    print(f"\n== {name}: checks={job.checks}")
    print(f"blind: {published} of {len(cells)} cells published, {primary} primary (= sdc), "
          f"{len(cells) - published - primary} complementary; checked against sdc")  # fmt: skip
    print(f"blind nodes, start to written result (3 processes) {t_nodes:8.2f} s")
    print(f"  of which the secure computation (node 0)         {t_mpc:8.2f} s")
    print(f"operator-trusted sdc.protect on the plain data       {t_plain:8.2f} s")
    print(f"ratio blind / operator-trusted: {t_nodes / t_plain:.1f}x end to end, "
          f"{t_mpc / t_plain:.1f}x secure computation only")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10 members, 80 cells: smoke test")
    args = parser.parse_args()
    members, sites, processes, regions = (10, 6, 7, 9) if args.small else (30, 60, 39, 49)
    rows = make_rows(members, sites, processes, regions, seed=2026)
    locations: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for member, site, process, region, _ in rows:
        locations[member][location_key(site, process)] = {"process": process, "region": region}
    by = ("process", "region")
    with tempfile.TemporaryDirectory() as tmp:
        cluster = LocalCluster(Path(tmp), timeout=900.0).setup()
        t_client = upload(cluster, rows)
        print(f"members {members}, records {len(rows)}, table {processes + 1} x {regions + 1}")
        print(f"members' clients: share + seal {len(rows)} values: {t_client:.2f} s")
        for checks, target in (("min_contributors", 30), ("all", 300)):
            job = BlindJob(PERIOD, MEASURE, by, dict(locations), checks=checks)
            measure(cluster, rows, job, f"{checks} (target <= {target} s)")


if __name__ == "__main__":
    main()
