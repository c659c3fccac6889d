"""Blind mode keeps the firewall's ±protection_pct guarantee (``osatnet.blind.protection``).

Unit: the nodes' clear-text bounds plus a plain (no MPC) evaluation of the secure predicate
give exactly sdc's audit verdict, and the rounds end in a pattern sdc's audit passes.
Cluster: on data where the value-free pattern leaves a primary cell narrowable within 10%,
three node processes publish a table the independent attacker LP cannot narrow.
"""

from __future__ import annotations

import json
import random
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osatnet.blind.cluster import LocalCluster
from osatnet.blind.field import ONE, encode_fixed
from osatnet.blind.layout import Layout, value_free_pattern
from osatnet.blind.protection import Check, Guard, _agreed, whole_percent
from osatnet.errors import InputError, OsatnetError
from osatnet.vault.releases import ReleaseCell, ReleaseTable
from osatnet.vault.sdc import DisclosureRules, Table, audit, build_table
from tests.oracle import assert_protected, attacker_intervals

from .conftest import Row, job_for, operator_trusted, upload

RULES = DisclosureRules(min_contributors=3)
BIG = 2**400  # a modulus no cell sum reaches: the "shares" below are the encoded sums


def holds(check: Check, encoded: npt.NDArray[np.object_], pct: int) -> npt.NDArray[np.bool_]:
    """The secure step's predicate, in the clear: what the nodes' comparisons compute."""
    return np.array(
        [
            (100 - pct) * int(encoded[c]) >= 100 * lo
            and (hi is None or 100 * hi >= (100 + pct) * int(encoded[c]))
            for c, lo, hi in zip(check.cells, check.low, check.high, strict=True)
        ],
        dtype=np.bool_,
    )


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, ...]], list[float], list[bool]]:
    n_dims = draw(st.integers(1, 3))
    levels = [draw(st.integers(1, 3)) for _ in range(n_dims)]
    n = draw(st.integers(3, 20))
    members = [f"M{draw(st.integers(0, 7))}" for _ in range(n)]
    coords = [tuple(f"L{draw(st.integers(0, k - 1))}" for k in levels) for _ in range(n)]
    # Whole numbers: exact in fixed point, and never within the 1e-6 tolerance of a limit.
    # Some 50 times larger: a big value among small partners is what narrows a cell.
    scale = [draw(st.sampled_from([1, 1, 50])) for _ in range(n)]
    values = [float(draw(st.integers(0, 1000)) * k) for k in scale]
    flags = draw(st.lists(st.booleans(), min_size=64, max_size=64))
    return members, coords, values, flags


def _setup(
    members: list[str], coords: list[tuple[str, ...]], values: list[float], flags: list[bool]
) -> tuple[Layout, Table, npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.object_]]:
    dims = tuple(f"d{i}" for i in range(len(coords[0])))
    layout = Layout.build(dims, members, coords)
    columns = {d: [c[i] for c in coords] for i, d in enumerate(dims)}
    table = build_table({"contributor": members, "value": values, **columns}, dims)
    assert table.labels == layout.labels
    encoded = layout.cell_sums(np.array([encode_fixed(v) for v in values], dtype=object), BIG)
    bits = np.resize(np.array(flags, dtype=np.bool_), table.num_cells)
    primary = bits & (table.value > 0)
    # A few more withheld cells than the heuristic picks, for other shapes of pattern.
    extra = np.roll(bits, 1) & np.roll(bits, 2) & np.roll(bits, 3) & ~table.empty
    withheld = value_free_pattern(layout, ~primary, RULES) | extra
    return layout, table, primary, withheld, encoded


@settings(max_examples=150, deadline=None)
@given(tables())
def test_bounds_and_predicate_give_the_sdc_audit_verdict(
    case: tuple[list[str], list[tuple[str, ...]], list[float], list[bool]],
) -> None:
    layout, table, primary, withheld, encoded = _setup(*case)
    figures = np.array([int(x) / ONE for x in encoded])
    guard = Guard(layout, ~primary, withheld, np.where(withheld, 0.0, figures), RULES)
    protection = np.where(primary, RULES.protection(table.value), 0.0)
    truth = audit(table, withheld, protection)
    verdict = dict(zip(truth.cells.tolist(), truth.passed.tolist(), strict=True))
    check = guard.propose()
    if check is None:  # no primary cell, or only zeros published: nothing to check
        assert truth.ok
        return
    assert sorted(check.cells.tolist()) == np.flatnonzero(primary).tolist()
    plain = holds(check, encoded, int(RULES.protection_pct))
    assert plain.tolist() == [verdict[int(c)] for c in check.cells]


@settings(max_examples=150, deadline=None)
@given(tables())
def test_rounds_end_in_a_pattern_the_audit_passes(
    case: tuple[list[str], list[tuple[str, ...]], list[float], list[bool]],
) -> None:
    layout, table, primary, withheld, encoded = _setup(*case)
    figures = np.array([int(x) / ONE for x in encoded])
    guard = Guard(layout, ~primary, withheld, np.where(withheld, 0.0, figures), RULES)
    while (check := guard.propose()) is not None:
        guard.settle(holds(check, encoded, int(RULES.protection_pct)))
        assert guard.rounds <= table.num_cells + 1
    final = guard.withheld
    assert np.all(final[withheld & ~table.empty])  # only grows
    protection = np.where(primary, RULES.protection(table.value), 0.0)
    assert audit(table, final, protection).ok


def test_nodes_that_disagree_stop_and_fractional_percentages_are_refused() -> None:
    mine = Check(np.array([3]), (100,), (None,))
    same = ("p", (100,), (None,))
    assert _agreed(mine, [same, ("p", (101,), (None,)), same], tol=1).low == (100,)
    for other in [("p", (110,), (None,)), ("p", (100,), (5,)), ("q", (100,), (None,))]:
        with pytest.raises(OsatnetError):
            _agreed(mine, [same, same, other], tol=1)
    with pytest.raises(InputError, match="whole-number"):
        whole_percent(DisclosureRules(protection_pct=7.5))


# -- three node processes ------------------------------------------------------------------


def big_member_rows(seed: int = 18) -> list[Row]:
    """Ten members on a 3 × 3 table; two report one site 40 times larger than the others.
    With this seed the value-free pattern leaves three primary cells narrowable (asserted)."""
    rng = random.Random(seed)
    rows = []
    for m in range(10):
        member = f"M{m:02d}"
        for s in range(rng.randint(1, 3)):
            value = float(rng.randint(50, 400) * (40 if m < 2 and s == 0 else 1))
            rows.append(
                Row(member, f"{member}-S{s}", f"P{rng.randrange(3)}", f"R{rng.randrange(3)}", value)
            )
    return rows


def _release(cells: list[dict[str, Any]], dims: list[str]) -> ReleaseTable:
    return ReleaseTable(
        id=0, periods=["2026Q2"], measure="weekly_capacity", stat="sum", dims=dims,
        created_by="test", created_at=None, epsilon=None,
        cells=[ReleaseCell.model_validate(c) for c in cells],
    )  # fmt: skip


def test_three_nodes_publish_what_the_attacker_cannot_narrow(cluster: LocalCluster) -> None:
    rows = big_member_rows()
    job = job_for(rows, min_contributors=3, checks="all")
    reference = operator_trusted(rows, job)
    table, dims = reference.table, list(job.by)
    truth = {table.cell_labels(i): float(table.value[i]) for i in range(table.num_cells)}
    primary = reference.primary.sensitive

    # The old pattern, published as is: the independent attacker narrows a primary cell.
    layout = Layout.build(job.by, [r.member for r in rows], [(r.process, r.region) for r in rows])
    old = value_free_pattern(layout, ~primary, job.rules)
    old_cells = [
        {"labels": dict(zip(dims, table.cell_labels(i), strict=True)),
         "value": None if old[i] else truth[table.cell_labels(i)], "contributors": None,
         "status": "primary" if primary[i] else "secondary" if old[i] else "published"}
        for i in range(table.num_cells)
    ]  # fmt: skip
    with pytest.raises(AssertionError):
        assert_protected(_release(old_cells, dims), truth, job.rules.protection_pct)

    upload(cluster, rows)
    cluster.run(job)
    results = [json.loads(cluster.result_path(i).read_text()) for i in range(3)]
    assert results[0]["cells"] == results[1]["cells"] == results[2]["cells"]
    cells = results[0]["cells"]
    assert [c["status"] == "primary" for c in cells] == primary.tolist()
    withheld = np.array([c["status"] != "published" for c in cells])
    assert np.all(withheld[old]) and np.any(withheld & ~old)  # grown, not replaced
    assert withheld.sum() < (~table.empty).sum()  # and not by the withhold-everything fallback

    # The independent attacker, on the true values, for every primary cell.
    release = _release(cells, dims)
    assert assert_protected(release, truth, job.rules.protection_pct) == primary.sum()
    intervals = attacker_intervals(release)
    assert len(intervals) == withheld.sum()

    # The secure comparisons gave the plain predicate's bits: same final pattern.
    encoded = layout.cell_sums(np.array([encode_fixed(r.value) for r in rows], dtype=object), BIG)
    figures = np.array([int(x) / ONE for x in encoded])
    guard = Guard(layout, ~primary, old, np.where(old, 0.0, figures), job.rules)
    while (check := guard.propose()) is not None:
        guard.settle(holds(check, encoded, int(job.rules.protection_pct)))
    assert guard.withheld.tolist() == withheld.tolist()
