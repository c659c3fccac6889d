"""Shared data and reference for the blind-mode tests: members, their values, the same
table computed by the operator-trusted path (``osatnet.vault.sdc``) on the plain data."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from osatnet.blind.client import BlindValue, share_values
from osatnet.blind.cluster import LocalCluster
from osatnet.blind.job import BlindJob, location_key
from osatnet.blind.store import ShareStore
from osatnet.vault.sdc import ProtectedTable, protect

PERIOD = "2026Q2"
MEASURE = "weekly_capacity"


@dataclass(frozen=True)
class Row:
    member: str
    site: str
    process: str
    region: str
    value: float


def make_rows(members: int, seed: int, processes: int = 3, regions: int = 3) -> list[Row]:
    """Each member reports 1–4 sites; some values are 0, some members have two sites in one
    cell (counted once), some cells get few members (so the rule withholds them)."""
    rng = random.Random(seed)
    rows = []
    for m in range(members):
        member = f"M{m:02d}"
        for s in range(rng.randint(1, 4)):
            value = 0.0 if rng.random() < 0.1 else round(rng.uniform(10.0, 5000.0), 2)
            rows.append(
                Row(member, f"{member}-S{s}", f"P{rng.randrange(processes)}",
                    f"R{rng.randrange(regions)}", value)
            )  # fmt: skip
    return rows


def job_for(rows: list[Row], min_contributors: int = 3, checks: str = "all") -> BlindJob:
    locations: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for r in rows:
        locations[r.member][location_key(r.site, r.process)] = {
            "process": r.process, "region": r.region,
        }  # fmt: skip
    return BlindJob(
        PERIOD, MEASURE, ("process", "region"), dict(locations),
        min_contributors=min_contributors, checks=checks,
    )  # fmt: skip


def upload(cluster: LocalCluster, rows: list[Row]) -> None:
    """What each member's client does: share, seal, upload to the platform's store."""
    by_member: dict[str, list[BlindValue]] = defaultdict(list)
    for r in rows:
        by_member[r.member].append(BlindValue(MEASURE, r.value, r.site, r.process))
    store = ShareStore(cluster.store)
    for member, values in by_member.items():
        for bundle in share_values(member, PERIOD, values, cluster.public_keys):
            store.put(bundle)


def operator_trusted(rows: list[Row], job: BlindJob) -> ProtectedTable:
    """The same table on the plain data, as ``Releases`` builds it (member = one contribution
    per cell, its records summed)."""
    per: dict[tuple[str, str, str], float] = defaultdict(float)
    for r in rows:
        per[(r.member, r.process, r.region)] += r.value
    columns: dict[str, list[str | float]] = {
        "contributor": [], "value": [], "process": [], "region": [],
    }  # fmt: skip
    for (member, process, region), value in per.items():
        columns["contributor"].append(member)
        columns["value"].append(value)
        columns["process"].append(process)
        columns["region"].append(region)
    return protect(columns, list(job.by), job.rules, method="heuristic")


@pytest.fixture
def cluster(tmp_path: Path) -> LocalCluster:
    return LocalCluster(tmp_path, timeout=60.0).setup()
