"""The public layout and the local, linear steps, checked on plain numbers (no MPC)."""

from __future__ import annotations

import numpy as np

from osatnet.blind.layout import Layout, value_free_pattern
from osatnet.vault.sdc import DisclosureRules

from .conftest import job_for, make_rows, operator_trusted

P = 2**61 - 1  # any prime: these checks use the values themselves as "shares"


def _layout(seed: int) -> tuple[Layout, list[float], list[int]]:
    rows = make_rows(12, seed=seed)
    layout = Layout.build(
        ("process", "region"), [r.member for r in rows], [(r.process, r.region) for r in rows]
    )
    cents = [round(r.value * 100) for r in rows]
    return layout, [r.value for r in rows], cents


def test_sums_and_counts_equal_the_sdc_table() -> None:
    for seed in range(5):
        rows = make_rows(12, seed=seed)
        layout, _, cents = _layout(seed)
        table = operator_trusted(rows, job_for(rows)).table
        assert layout.labels == table.labels
        sums = layout.cell_sums(np.array(cents, dtype=object), P)
        assert np.allclose(np.array(sums, dtype=float) / 100, table.value, atol=1e-6)
        present = np.array([int(r.value > 0) for r in rows], dtype=object)
        counts = layout.single_counts(present, P)
        for cells, records in layout.or_groups:
            absent = layout.absent_matrix(present, records, P, 1)
            ors = np.asarray(1 - np.prod(absent, axis=1), dtype=object)
            counts = (counts + layout.scatter(cells, ors, P)) % P
        assert list(counts) == list(table.contributors)


def test_or_groups_are_padded_to_a_power_of_two() -> None:
    layout = Layout.build(("process",), ["A", "A", "A", "B"], [("x",), ("x",), ("y",), ("x",)])
    # A has two records in cell x (0) and three in the total (2); B is alone everywhere.
    assert [(list(c), r.tolist()) for c, r in layout.or_groups] == [
        ([0], [[0, 1]]),
        ([2], [[0, 1, 2, -1]]),
    ]


def test_value_free_pattern_leaves_no_withheld_cell_recomputable() -> None:
    rules = DisclosureRules(min_contributors=3, dominance_k=100.0, p_percent=0.0)
    for seed in range(5):
        rows = make_rows(12, seed=seed, processes=4, regions=4)
        layout = Layout.build(
            ("process", "region"), [r.member for r in rows], [(r.process, r.region) for r in rows]
        )
        table = operator_trusted(rows, job_for(rows)).table
        passing = (table.contributors == 0) | (table.contributors >= 3)
        withheld = value_free_pattern(layout, passing, rules)
        assert np.all(withheld[~passing])
        # A withheld cell is recomputable iff its unit vector lies in the row space of the
        # relations restricted to the withheld cells: rank test, no value involved.
        rel = table.relations.toarray()[:, withheld]
        rank = np.linalg.matrix_rank(rel)
        for j in range(int(withheld.sum())):
            unit = np.zeros((1, rel.shape[1]))
            unit[0, j] = 1.0
            assert np.linalg.matrix_rank(np.vstack([rel, unit])) > rank
