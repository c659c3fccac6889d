"""The optimal method against brute force, and the audit against hand-checked patterns."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from osatnet.vault.sdc import (
    DisclosureRules,
    Table,
    audit,
    build_table,
    optimal_pattern,
    primary_suppression,
    suppression_cost,
)

RULES = DisclosureRules(min_contributors=3, protection_pct=20.0)
# Stricter on the 3-D case, so that few cells are left to choose from (2^12 patterns at most).
RULES_3D = DisclosureRules(min_contributors=5, protection_pct=20.0)


def _random_table(seed: int, shape: tuple[int, ...]) -> Table:
    rng = np.random.default_rng(seed)
    n = 30
    data: dict[str, object] = {
        "contributor": rng.integers(0, 8, n),
        "value": np.round(rng.lognormal(2.0, 1.0, n), 1),
    }
    for d, size in enumerate(shape):
        data[f"d{d}"] = rng.integers(0, size, n)
    return build_table(data, [f"d{d}" for d in range(len(shape))])


def _brute_force(table: Table, primary: np.ndarray, protection: np.ndarray) -> float:
    """Least cost over every pattern that passes the attacker-LP audit."""
    cost = suppression_cost(table)
    cand = np.flatnonzero(~table.empty & ~primary)
    subsets = [s for k in range(cand.size + 1) for s in itertools.combinations(cand.tolist(), k)]
    subsets.sort(key=lambda s: float(cost[list(s)].sum()))
    for s in subsets:
        pattern = primary.copy()
        pattern[list(s)] = True
        if audit(table, pattern, protection, exact=False).ok:
            return float(cost[list(s)].sum())
    raise AssertionError("hiding every cell always passes")


CASES = [(seed, shape) for seed in range(4) for shape in ((5,), (2, 3), (3, 2))] + [(9, (2, 2, 2))]


@pytest.mark.parametrize(("seed", "shape"), CASES)
def test_optimal_matches_brute_force(seed: int, shape: tuple[int, ...]) -> None:
    table = _random_table(seed, shape)
    rules = RULES_3D if len(shape) == 3 else RULES
    primary = primary_suppression(table, rules).sensitive
    protection = np.where(primary, rules.protection(table.value), 0.0)
    candidates = int((~table.empty & ~primary).sum())
    assert candidates <= 12, "keep the enumeration small"
    result = optimal_pattern(table, primary, protection, mip_gap=0.0)
    assert result.optimal
    assert audit(table, result.suppressed, protection, exact=True).ok
    cost = suppression_cost(table)
    found = float(cost[result.suppressed & ~primary].sum())
    assert found == pytest.approx(_brute_force(table, primary, protection), rel=1e-6, abs=1e-9)


def test_audit_intervals_by_hand() -> None:
    # 1-D: x = 30, y = 70, total 100. Hide x and y: each can be anything in [0, 100].
    table = build_table({"contributor": ["a", "b"], "k": ["x", "y"], "value": [30.0, 70.0]}, ["k"])
    hidden = np.array([True, True, False])
    need = np.array([3.0, 0.0, 0.0])
    for exact in (True, False):
        result = audit(table, hidden, need, exact=exact)
        assert result.ok and result.failures == []
        x = result.rows[0]
        assert (x.cell, x.value, x.protection, x.ok) == (0, 30.0, 3.0, True)
        assert x.attacker_min == pytest.approx(0.0, abs=1e-9)
        assert x.attacker_max == pytest.approx(100.0)
    # Hiding x alone gives it away: x = 100 - 70.
    result = audit(table, np.array([True, False, False]), need)
    assert not result.ok
    (fail,) = result.failures
    assert fail.attacker_min == pytest.approx(30.0) and fail.attacker_max == pytest.approx(30.0)
    # Hiding x and the total: x has no upper bound.
    result = audit(table, np.array([True, False, True]), need)
    assert result.ok and np.isinf(result.attacker_max[0])
    assert result.runtime_s >= 0.0


def test_audit_of_nothing_hidden() -> None:
    table = build_table({"contributor": ["a"], "k": ["x"], "value": [1.0]}, ["k"])
    result = audit(table, np.zeros(2, dtype=bool), 0.0)
    assert result.ok and result.rows == []
