"""Blind mode: three MPyC nodes on loopback (separate processes, TLS) compute a table's sums,
contributor counts and disclosure checks on secret-shared values, next to the
operator-trusted path on the same data. Targets on the 2-core machine, 30 members, 2,000
cells: sums and counts (minimum-contributors rule) 30 s or less; the full checks
(dominance and p%-rule need each cell's two largest contributions) 300 s or less; and, on a
smaller table (30 members, 9 processes x 9 regions: 100 cells with margins), the quartiles
p25 / median / p75 of every published cell (full checks first) 60 s or less.

    python benchmarks/blind.py [--small] [--quartiles]

Synthetic data (seed 2026): 30 members, each reporting weekly capacity for 60 sites spread
over 39 processes x 49 regions, so the table by process x region has 40 x 50 = 2,000 cells
with margins. Timed: the members' clients (shares + sealing); the three node processes from
start to written result (including Python start-up and TLS); the secure computation inside
node 0; and, on the same plain data in the same run, the operator-trusted computation
(``osatnet.vault.sdc.protect`` with the same rules, heuristic secondary suppression). Every
cell blind mode publishes is checked against the operator-trusted figures, and its primary
verdicts must equal the operator-trusted ones. The quartiles are checked against the
operator-trusted release's own statistics (``vault._cellstats``), timed with ``sdc.protect``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from osatnet.blind.client import BlindValue, share_values
from osatnet.blind.cluster import LocalCluster
from osatnet.blind.job import BlindJob, location_key
from osatnet.blind.store import ShareStore
from osatnet.vault._cellstats import cell_contributions, statistic
from osatnet.vault._gather import Record
from osatnet.vault.sdc import protect

PERIOD, MEASURE = "2026Q2", "weekly_capacity"
QUARTILE_PERIOD = "2026Q3"  # the quartile table's own data, in the same store
QUARTILES = ("p25", "median", "p75")
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


def upload(cluster: LocalCluster, rows: list[Row], period: str = PERIOD) -> float:
    t0 = time.perf_counter()
    store = ShareStore(cluster.store)
    by_member: dict[str, list[BlindValue]] = defaultdict(list)
    for member, site, process, _, value in rows:
        by_member[member].append(BlindValue(MEASURE, value, site, process))
    for member, values in by_member.items():
        for bundle in share_values(member, period, values, cluster.public_keys):
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


def _run(cluster: LocalCluster, job: BlindJob, name: str) -> tuple[float, float, list[Any]]:
    cluster.reconfigure()  # fresh ports for this run
    t0 = time.perf_counter()
    logs = cluster.run(job, name)
    took = time.perf_counter() - t0
    found = re.search(r"in ([0-9.]+) s", logs[0])
    cells = json.loads(cluster.result_path(0, name).read_text())["cells"]
    return took, float(found.group(1)) if found else float("nan"), cells


def _statistic(stat: str, members: dict[str, float]) -> float:
    # As Releases publishes it: an empty cell is 0.
    return statistic(stat, list(members.values())) if members else 0.0


def quartiles(cluster: LocalCluster, rows: list[Row], by: tuple[str, ...], target: int) -> None:
    """p25 / median / p75 of every published cell, against the operator-trusted release."""
    locations: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for member, site, process, region, _ in rows:
        locations[member][location_key(site, process)] = {"process": process, "region": region}
    upload(cluster, rows, QUARTILE_PERIOD)
    job = BlindJob(QUARTILE_PERIOD, MEASURE, by, dict(locations))
    t_rules, mpc_rules, _ = _run(cluster, job, "rules")  # the same job without quartiles
    job = dataclasses.replace(job, stats=("sum", "count", *QUARTILES))
    t_nodes, t_mpc, cells = _run(cluster, job, "quartiles")

    # Operator-trusted: the rules and suppression (sdc.protect), then each statistic per
    # published cell as Releases computes it (a member's sites in a cell summed).
    t0 = time.perf_counter()
    records = [Record(m, v, {"process": p, "region": r}) for m, _, p, r, v in rows]
    per_cell = cell_contributions(records, list(by), intensive=False)
    per: dict[tuple[str, str, str], float] = defaultdict(float)
    for member, _, process, region, value in rows:
        per[(member, process, region)] += value
    columns: dict[str, list[str | float]] = {
        "contributor": [k[0] for k in per], "value": list(per.values()),
        "process": [k[1] for k in per], "region": [k[2] for k in per],
    }  # fmt: skip
    reference = protect(columns, list(by), job.rules, method="heuristic")
    expected = {
        cell.labels: {s: _statistic(s, per_cell.get(cell.labels, {})) for s in QUARTILES}
        for cell in reference.cells() if cell.status == "published"
    }  # fmt: skip
    t_plain = time.perf_counter() - t0

    published = 0
    for i, cell in enumerate(cells):
        assert (cell["status"] == "primary") == bool(reference.primary.sensitive[i]), i
        if cell["status"] == "published":
            published += 1
            labels = tuple(cell["labels"].values())
            # (blind mode's complementary cells are chosen without values: its published set
            # may differ from sdc's; a cell sdc withholds is computed here the same way)
            want = expected.get(labels) or {
                s: _statistic(s, per_cell.get(labels, {})) for s in QUARTILES
            }
            for s in QUARTILES:
                assert abs(cell[s] - want[s]) <= 1e-3, (labels, s, cell[s], want[s])
        else:
            assert all(cell[s] is None for s in QUARTILES)
    print(f"\n== quartiles for {len(cells)} cells (target <= {target} s)")
    print(f"blind: p25 / median / p75 of {published} published cells of {len(cells)}; "
          "checked against the operator-trusted release")  # fmt: skip
    print(f"blind nodes, start to written result (3 processes) {t_nodes:8.2f} s")
    print(f"  of which the secure computation (node 0)         {t_mpc:8.2f} s")
    print(f"  the same job without quartiles: {t_rules:.2f} s ({mpc_rules:.2f} s secure): "
          f"the quartile step {t_mpc - mpc_rules:.2f} s")  # fmt: skip
    print(f"operator-trusted sdc.protect + quartiles (plain)    {t_plain:8.2f} s")
    print(f"quartile ratio blind / operator-trusted: {t_nodes / t_plain:.1f}x end to end, "
          f"{t_mpc / t_plain:.1f}x secure computation only")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10 members, 80 cells: smoke test")
    parser.add_argument("--quartiles", action="store_true", help="the quartile step only")
    args = parser.parse_args()
    members, sites, processes, regions = (10, 6, 7, 9) if args.small else (30, 60, 39, 49)
    rows = make_rows(members, sites, processes, regions, seed=2026)
    locations: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for member, site, process, region, _ in rows:
        locations[member][location_key(site, process)] = {"process": process, "region": region}
    by = ("process", "region")
    with tempfile.TemporaryDirectory() as tmp:
        cluster = LocalCluster(Path(tmp), timeout=900.0).setup()
        if not args.quartiles:
            t_client = upload(cluster, rows)
            print(f"members {members}, records {len(rows)}, table {processes + 1} x {regions + 1}")
            print(f"members' clients: share + seal {len(rows)} values: {t_client:.2f} s")
            for checks, target in (("min_contributors", 30), ("all", 300)):
                job = BlindJob(PERIOD, MEASURE, by, dict(locations), checks=checks)
                measure(cluster, rows, job, f"{checks} (target <= {target} s)")
        # 30 members (10 with --small) on a 10 x 10 (5 x 5) table with margins.
        members, sites, size = (10, 4, 4) if args.small else (30, 30, 9)
        quartile_rows = make_rows(members, sites, size, size, seed=2027)
        quartiles(cluster, quartile_rows, by, target=60)


if __name__ == "__main__":
    main()
