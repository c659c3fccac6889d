"""Mean and quartiles in blind mode equal the operator-trusted release's on the same data.

The reference is the operator-trusted path's own code (``vault._cellstats``: a member's
records in a cell are one contribution, summed, or averaged for rates; numpy's linear
percentiles over every member in the cell, zero values included). Blind figures are checked
in one process (MPyC with a single party: fast, the same secure code paths) and with three
node processes over TLS.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from osatnet.blind._mpyc import mpyc_argv
from osatnet.blind.client import BlindValue, share_values
from osatnet.blind.cluster import LocalCluster
from osatnet.blind.field import ONE, encode_fixed, value_modulus
from osatnet.blind.job import BlindJob
from osatnet.blind.layout import Layout
from osatnet.blind.protocol import Revealed, compute
from osatnet.blind.stats import cell_groups, merge_exchange, pruned, quantile_weights
from osatnet.blind.store import ShareStore
from osatnet.errors import ConfigError, InputError
from osatnet.vault._cellstats import cell_contributions, statistic
from osatnet.vault._gather import Record

from .conftest import PERIOD, Row, job_for, make_rows

QUARTILES = ("p25", "median", "p75")
ALL = ("sum", "count", "mean", *QUARTILES)
# weekly_capacity is additive (a member's sites are summed); utilisation_pct is a rate (the
# operator-trusted path takes the mean of a member's sites in a cell).
MEASURES = {"weekly_capacity": 1.0, "utilisation_pct": 1 / 50}


# -- pure helpers ----------------------------------------------------------------------------
def _apply(network: list[tuple[Any, Any]], keys: list[float]) -> list[float]:
    out = list(keys)
    for low, high in network:
        for i, j in zip(low.tolist(), high.tolist(), strict=True):
            if out[j] < out[i]:
                out[i], out[j] = out[j], out[i]
    return out


@pytest.mark.parametrize("n", range(1, 13))
def test_the_network_sorts_every_zero_one_input(n: int) -> None:
    # The 0-1 principle: a comparator network that sorts every 0/1 input sorts everything.
    network = merge_exchange(n)
    for bits in itertools.product((0, 1), repeat=n):
        assert _apply(network, list(bits)) == sorted(bits)


def test_the_network_sorts_wider_rows_and_rounds_are_disjoint() -> None:
    rng = random.Random(1)
    for n in (13, 17, 30, 33, 60):
        network = merge_exchange(n)
        for low, high in network:
            touched = np.concatenate([low, high])
            assert len(set(touched.tolist())) == touched.size  # one round: disjoint pairs
            assert np.all(low < high)
        keys = [rng.choice([0.0, rng.uniform(0, 100)]) for _ in range(n)]
        assert _apply(network, keys) == sorted(keys)


@pytest.mark.parametrize("n", [2, 5, 9, 16, 30, 31])
def test_a_pruned_network_still_gets_the_quartiles_positions_right(n: int) -> None:
    rng = random.Random(n)
    needed = {int(j) for q in (0.25, 0.5, 0.75) for j in np.flatnonzero(quantile_weights(n, q))}
    network = pruned(merge_exchange(n), needed)
    full = sum(low.size for low, _ in merge_exchange(n))
    assert sum(low.size for low, _ in network) <= full
    for _ in range(200):
        keys = [rng.choice([0.0, float(rng.randrange(10))]) for _ in range(n)]
        out, want = _apply(network, keys), sorted(keys)
        assert [out[j] for j in sorted(needed)] == [want[j] for j in sorted(needed)]
        assert sorted(out) == want  # comparators only swap: the row's sum is kept


@pytest.mark.parametrize("n", range(1, 41))
def test_quantile_weights_give_numpys_linear_percentile(n: int) -> None:
    values = np.sort(np.random.default_rng(n).uniform(0, 1000, n))
    for q in (0.25, 0.5, 0.75):
        w = quantile_weights(n, q)
        assert w.sum() == 4 and np.all(w >= 0) and np.count_nonzero(w) <= 2
        assert float(w @ values) / 4 == pytest.approx(float(np.percentile(values, 100 * q)))


def test_cell_groups_gathers_each_cells_members_by_count() -> None:
    pair_cell = np.array([4, 0, 4, 2, 0, 4, 7], dtype=np.int64)
    groups = cell_groups(pair_cell, np.array([0, 2, 3, 4, 7], dtype=np.int64))
    assert [(n, cells.tolist()) for n, cells, _ in groups] == [(1, [2, 7]), (2, [0]), (3, [4])]
    for _, cells, pairs in groups:
        for cell, row in zip(cells, pairs, strict=True):
            assert sorted(row.tolist()) == np.flatnonzero(pair_cell == cell).tolist()


def test_the_job_validates_and_keeps_its_stats() -> None:
    rows = make_rows(4, seed=1)
    job = job_for(rows)
    assert job.stats == ("sum", "count")
    asked = BlindJob(job.period, job.measure, job.by, job.locations, stats=("median", "p25"))
    again = BlindJob.from_json(asked.to_json())
    assert again == asked and again.digest() != job.digest()
    for bad in (("mode",), ("mean", "mean"), "median"):
        with pytest.raises(InputError, match="stats takes different names among"):
            BlindJob(job.period, job.measure, job.by, job.locations, stats=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        BlindJob.from_json('{"period": "2026Q2", "measure": "x", "by": ["process"], "stats": 3}')


# -- the reference -----------------------------------------------------------------------------
def _rows(measure: str, seed: int, members: int = 10) -> list[Row]:
    scale = MEASURES[measure]
    return [
        Row(r.member, r.site, r.process, r.region, round(r.value * scale, 2))
        for r in make_rows(members, seed=seed)
    ]


def _reference(rows: list[Row], job: BlindJob) -> dict[tuple[str, ...], dict[str, float]]:
    """cell labels -> statistic, exactly as ``Releases._cells`` computes it."""
    records = [Record(r.member, r.value, {"process": r.process, "region": r.region}) for r in rows]
    per_cell = cell_contributions(records, list(job.by), intensive=job.measure != "weekly_capacity")
    return {
        labels: {s: statistic(s, list(members.values())) for s in ("mean", *QUARTILES)}
        for labels, members in per_cell.items()
    }


def _check(cells: list[dict[str, Any]], rows: list[Row], job: BlindJob) -> int:
    """Compare every published cell; return how many carry quartiles of 4+ members."""
    reference = _reference(rows, job)
    members = {
        labels: {r.member for r in rows if _in(r, labels)} for labels in reference
    }  # fmt: skip
    wide = 0
    for cell in cells:
        labels = tuple(cell["labels"].values())
        if cell["status"] != "published":
            assert all(cell[s] is None for s in ("mean", *QUARTILES)), cell
            continue
        expected = reference.get(labels, dict.fromkeys(("mean", *QUARTILES), 0.0))
        for s in ("mean", *QUARTILES):
            # Fixed point: each input rounded to 2**-16, a rate's mean to about 2**-16 more.
            assert cell[s] == pytest.approx(expected[s], rel=1e-9, abs=1e-3), (labels, s)
        wide += len(members.get(labels, ())) >= 4
    return wide


def _in(r: Row, labels: tuple[str, ...]) -> bool:
    return labels[0] in (r.process, "TOTAL") and labels[1] in (r.region, "TOTAL")


# -- in one process: MPyC with a single party ----------------------------------------------
@pytest.fixture(scope="module")
def runtime() -> Iterator[Any]:
    with mpyc_argv([]):
        from mpyc import runtime as mpyc_runtime  # type: ignore[import-untyped]
    with mpyc_argv([]):
        yield mpyc_runtime.setup()


def _run_alone(rt: Any, rows: list[Row], job: BlindJob) -> tuple[Layout, Revealed]:
    p = value_modulus()
    layout = Layout.build(job.by, [r.member for r in rows], [(r.process, r.region) for r in rows])
    # One party: its share of a value is the value's encoding itself.
    values = np.array([encode_fixed(r.value) % p for r in rows], dtype=object)
    present = np.array([ONE * (r.value > 0) for r in rows], dtype=object)

    async def main() -> Revealed:
        await rt.start()
        try:
            return await compute(rt, layout, values, present, job)
        finally:
            await rt.shutdown()

    return layout, rt.run(main())


def _cells(layout: Layout, job: BlindJob, rev: Revealed) -> list[dict[str, Any]]:
    return [
        {
            "labels": dict(zip(job.by, layout.cell_labels(i), strict=True)),
            "status": "withheld" if rev.withheld[i] else "published",
            **{s: rev.stats.get(s, {}).get(i) for s in ("mean", *QUARTILES)},
        }
        for i in range(layout.num_cells)
    ]


@pytest.mark.parametrize("measure", list(MEASURES))
@pytest.mark.parametrize("seed", [3, 8])
def test_one_party_stats_match_operator_trusted(runtime: Any, measure: str, seed: int) -> None:
    rows = _rows(measure, seed, members=14)
    base = job_for(rows, min_contributors=3, checks="min_contributors")
    job = BlindJob(PERIOD, measure, base.by, base.locations, min_contributors=3,
                   checks="min_contributors", stats=ALL)  # fmt: skip
    layout, rev = _run_alone(runtime, rows, job)
    assert set(rev.stats) == {"mean", *QUARTILES}
    published = set(np.flatnonzero(~rev.withheld).tolist())
    assert all(set(v) == published for v in rev.stats.values())  # withheld: nothing
    assert _check(_cells(layout, job, rev), rows, job) >= 4
    # the data has what the semantics are about: several sites of a member in one cell
    assert any(np.bincount(layout.record_pairs.reshape(-1)) > 1)


def test_one_party_asks_only_for_what_the_job_names(runtime: Any) -> None:
    rows = _rows("weekly_capacity", 5)
    base = job_for(rows, checks="min_contributors")
    job = BlindJob(PERIOD, base.measure, base.by, base.locations, checks="min_contributors",
                   min_contributors=3, stats=("sum", "median"))  # fmt: skip
    _, rev = _run_alone(runtime, rows, job)
    assert set(rev.stats) == {"median"}
    _, plain = _run_alone(runtime, rows, base)
    assert plain.stats == {}


# -- three node processes ---------------------------------------------------------------------
def _upload(cluster: LocalCluster, rows: list[Row], measure: str) -> None:
    store = ShareStore(cluster.store)
    for member in sorted({r.member for r in rows}):
        values = [
            BlindValue(measure, r.value, r.site, r.process) for r in rows if r.member == member
        ]
        for bundle in share_values(member, PERIOD, values, cluster.public_keys):
            store.put(bundle)


@pytest.mark.parametrize("measure", list(MEASURES))
def test_three_nodes_stats_match_operator_trusted(cluster: LocalCluster, measure: str) -> None:
    rows = _rows(measure, seed=7)
    base = job_for(rows, min_contributors=3)
    job = BlindJob(PERIOD, measure, base.by, base.locations, min_contributors=3, stats=ALL)
    _upload(cluster, rows, measure)
    cluster.run(job)
    results = [json.loads(cluster.result_path(i).read_text()) for i in range(3)]
    assert results[0]["cells"] == results[1]["cells"] == results[2]["cells"]
    cells = results[0]["cells"]
    assert sum(c["status"] == "published" for c in cells) >= 4
    assert any(c["status"] != "published" for c in cells)  # withheld cells: None checked
    assert _check(cells, rows, job) >= 3
