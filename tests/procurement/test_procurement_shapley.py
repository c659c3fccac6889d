"""Shapley values: exact against brute force, the axioms, and sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osatnet.procurement import CostGame, shapley_exact, shapley_sampled
from osatnet.procurement._shapley import shapley_weights

from .procurement_data import random_round, shapley_brute


def _random_game(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.uniform(0, 100, size=1 << n)
    v[0] = 0.0
    return v


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_exact_matches_permutation_enumeration(n: int) -> None:
    v = _random_game(n, n)
    assert np.allclose(shapley_exact(v), shapley_brute(v, n))


def test_weights_sum_to_one_per_member() -> None:
    n = 7
    w = shapley_weights(n)
    # Each member sees C(n-1, s) groups of size s; the weights over them add up to 1.
    assert math.isclose(sum(math.comb(n - 1, s) * w[s] for s in range(n)), 1.0)


def test_table_size_must_be_power_of_two() -> None:
    with pytest.raises(ValueError, match="2\\*\\*n"):
        shapley_exact(np.zeros(6))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 8))
def test_efficiency(seed: int, n: int) -> None:
    v = _random_game(seed, n)
    assert math.isclose(shapley_exact(v).sum(), v[-1], rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 7))
def test_symmetry(seed: int, n: int) -> None:
    # Members 0 and 1 have identical demand: their Shapley values must be equal.
    rng = np.random.default_rng(seed)
    d = rng.uniform(1, 50, size=n)
    d[1] = d[0]
    sums = np.zeros(1)
    for x in d:
        sums = np.concatenate([sums, sums + x])
    v = np.sqrt(sums) * 10 + (sums > 0) * 5  # economies of scale plus a fixed cost
    phi = shapley_exact(v)
    assert math.isclose(phi[0], phi[1], rel_tol=1e-9)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 7), null=st.integers(0, 6))
def test_null_player(seed: int, n: int, null: int) -> None:
    null %= n
    v = _random_game(seed, n)
    masks = np.arange(1 << n)
    # Make member ``null`` add nothing: c(S + null) = c(S).
    without = masks & ~(1 << null)
    v = v[without]
    phi = shapley_exact(v)
    assert abs(phi[null]) < 1e-9
    assert math.isclose(phi.sum(), v[-1], rel_tol=1e-9)


def test_cost_game_shapley_matches_brute_force() -> None:
    demands, quotes = random_round(np.random.default_rng(3), members=5, categories=2)
    game = CostGame(demands, quotes)
    v = game.all_costs()
    assert np.allclose(shapley_exact(v), shapley_brute(v, game.n))


def test_sampling_converges_to_exact_and_reports_error() -> None:
    demands, quotes = random_round(np.random.default_rng(4), members=8, categories=2)
    game = CostGame(demands, quotes)
    exact = shapley_exact(game.all_costs())
    res = shapley_sampled(game.n, game.prefix_costs, target_rel_se=0.01, seed=1)
    assert res.target_reached
    assert res.permutations % 2 == 0
    assert math.isclose(res.values.sum(), exact.sum(), rel_tol=1e-9)
    # Within 5 standard errors (plus float noise) of the exact values.
    assert np.all(np.abs(res.values - exact) <= 5 * res.std_error + 1e-6)


def test_fixed_sample_count() -> None:
    demands, quotes = random_round(np.random.default_rng(5), members=6, categories=1)
    game = CostGame(demands, quotes)
    res = shapley_sampled(game.n, game.prefix_costs, samples=101, seed=2)
    assert res.permutations == 102
    assert res.std_error.shape == (6,)
