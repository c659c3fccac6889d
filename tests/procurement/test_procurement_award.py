"""The award MILP: brute force on small cases, agreement with the vectorised cost, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from osatnet.errors import InputError
from osatnet.procurement import (
    Demand,
    Discount,
    InfeasibleDemand,
    PriceBreak,
    Quote,
    ResilienceRules,
    award,
    solve_category,
)
from osatnet.procurement._costfn import MAX_COMBINATIONS, category_cost, combinations
from osatnet.procurement._options import build_options

from .procurement_data import brute_force_cost, random_quotes

# Share caps times these quantities are whole numbers, so integer splits reach the optimum.
RULES = [
    ResilienceRules(),
    ResilienceRules(max_supplier_share=0.5),
    ResilienceRules(max_country_share=0.5, min_suppliers=2),
    ResilienceRules(max_supplier_share=0.8, min_suppliers=2),
]


@pytest.mark.parametrize("case", range(48))
def test_award_matches_brute_force(case: int) -> None:
    rng = np.random.default_rng(case)
    quotes = random_quotes(rng, int(rng.integers(1, 4)))
    qty = 10 * int(rng.integers(1, 4))
    rules = RULES[case % len(RULES)]
    expected = brute_force_cost(quotes, qty, rules)
    table = build_options("c", quotes, rules, max_qty=qty)
    vectorised = category_cost(table, rules, np.array([float(qty)]), surplus=False)[0]
    if math.isinf(expected):
        assert math.isinf(vectorised)
        with pytest.raises(InfeasibleDemand) as info:
            solve_category("c", quotes, float(qty), rules)
        assert info.value.category == "c"
        return
    res = solve_category("c", quotes, float(qty), rules)
    assert math.isclose(res.cost, expected, rel_tol=1e-7)
    assert math.isclose(vectorised, expected, rel_tol=1e-9)
    assert math.isclose(sum(x.quantity for x in res.lines), qty, rel_tol=1e-9)
    for line in res.lines:
        quote = next(q for q in quotes if q.supplier_id == line.supplier_id)
        assert math.isclose(line.cost, quote.cost(line.quantity), rel_tol=1e-6)


def _q(
    supplier: str,
    breaks: list[tuple[float, float]],
    *,
    cap: float | None = None,
    country: str | None = None,
    discount: Discount = Discount.ALL_UNITS,
    category: str = "wire",
) -> Quote:
    return Quote(
        supplier, category, tuple(PriceBreak(a, b) for a, b in breaks), discount, cap, country
    )


def test_all_units_and_incremental_pricing() -> None:
    au = _q("a", [(10, 5.0), (100, 4.0)])
    inc = _q("b", [(10, 5.0), (100, 4.0)], discount=Discount.INCREMENTAL)
    assert au.cost(0) == 0
    assert math.isinf(au.cost(5))
    assert au.cost(100) == 400
    assert au.cost(99) == 495
    assert inc.cost(150) == 100 * 5 + 50 * 4
    assert _q("c", [(0, 2.0)], cap=10).cost(11) == math.inf


def test_capacity_shortfall_names_category_and_amount() -> None:
    quotes = [_q("a", [(0, 5.0)], cap=300), _q("b", [(0, 6.0)], cap=120)]
    demands = [Demand("m1", "wire", 400), Demand("m2", "wire", 100)]
    with pytest.raises(InfeasibleDemand) as info:
        award(demands, quotes)
    assert info.value.category == "wire"
    assert info.value.shortfall == pytest.approx(80)
    assert "category wire: not enough capacity: shortfall 80" in str(info.value)


def test_rules_that_cannot_be_met_are_named() -> None:
    quotes = [_q("a", [(0, 5.0)]), _q("b", [(0, 6.0)])]
    rules = ResilienceRules(min_suppliers=3)
    with pytest.raises(InfeasibleDemand, match="resilience rules cannot be met"):
        solve_category("wire", quotes, 50.0, rules)


def test_minimum_orders_that_cannot_fit_are_named() -> None:
    quotes = [_q("a", [(100, 5.0)], cap=150), _q("b", [(100, 6.0)], cap=150)]
    with pytest.raises(InfeasibleDemand, match="minimum orders"):
        solve_category("wire", quotes, 160.0)


def test_no_quotes_for_a_category() -> None:
    with pytest.raises(InfeasibleDemand, match="no supplier quotes it"):
        award([Demand("m", "emc", 5)], [_q("a", [(0, 1.0)])])


def test_zero_demand_buys_nothing() -> None:
    res = award([Demand("m", "wire", 0)], [_q("a", [(0, 1.0)])])
    assert res.total_cost == 0 and res.lines == ()


def test_shadow_prices_and_rule_costs() -> None:
    # a is cheap but capped at 60; b fills the rest. More capacity at a saves 2 per unit.
    quotes = [_q("a", [(0, 4.0)], cap=60, country="JP"), _q("b", [(0, 6.0)], country="MY")]
    res = award([Demand("m", "wire", 100)], quotes, ResilienceRules(max_supplier_share=0.5))
    assert res.total_cost == pytest.approx(50 * 4 + 50 * 6)
    prices = {(p.constraint, p.subject): p for p in res.prices}
    assert prices["demand", "wire"].saving == pytest.approx(-6.0)
    # The share cap (50) binds before capacity (60): one more point of share = 1 unit.
    assert prices["max_supplier_share", "a"].saving == pytest.approx(2.0)
    assert prices["max_supplier_share", "a"].per == "percentage point"
    costs = {r.rule: r.cost for r in res.rule_costs}
    assert costs["max_supplier_share"] == pytest.approx(20.0)  # 60 at a instead of 50
    assert costs["capacity"] == pytest.approx(0.0)
    no_share = award([Demand("m", "wire", 100)], quotes)
    prices = {(p.constraint, p.subject): p for p in no_share.prices}
    assert prices["capacity", "a"].saving == pytest.approx(2.0)
    assert {r.rule: r.cost for r in no_share.rule_costs}["capacity"] == pytest.approx(80.0)


def test_country_share_price() -> None:
    quotes = [
        _q("a", [(0, 4.0)], country="JP"),
        _q("b", [(0, 4.5)], country="JP"),
        _q("c", [(0, 6.0)], country="TW"),
    ]
    rules = ResilienceRules(max_country_share=0.6, min_suppliers=2)
    res = award([Demand("m", "wire", 100)], quotes, rules)
    assert res.total_cost == pytest.approx(60 * 4 + 40 * 6)
    prices = {(p.constraint, p.subject): p.saving for p in res.prices}
    assert prices["max_country_share", "JP"] == pytest.approx(2.0)
    costs = {r.rule: r.cost for r in res.rule_costs}
    # Without it: 99 at a and the minimum lot of 1 at b (min_suppliers=2) = 400.5.
    assert costs["max_country_share"] == pytest.approx(79.5)
    assert costs["min_suppliers"] == pytest.approx(0.0)


def test_too_many_combinations_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    quotes = [_q(f"s{j}", [(0, 5.0), (10, 4.0), (20, 3.0)]) for j in range(4)]
    table = build_options("wire", quotes, ResilienceRules())
    assert combinations(table, 1).shape == (4**4 - 1, 4)
    monkeypatch.setattr("osatnet.procurement._costfn.MAX_COMBINATIONS", 100)
    with pytest.raises(InputError, match="combinations"):
        combinations(table, 1)
    assert MAX_COMBINATIONS > 100


def test_surplus_buys_the_minimum_order() -> None:
    quotes = [_q("a", [(50, 2.0), (100, 1.5)])]
    table = build_options("wire", quotes, ResilienceRules())
    cost = category_cost(table, ResilienceRules(), np.array([0.0, 10.0, 60.0]))
    assert list(cost) == [0.0, 100.0, 120.0]
    exact = category_cost(table, ResilienceRules(), np.array([10.0]), surplus=False)
    assert math.isinf(exact[0])


def test_invalid_quotes_and_rules() -> None:
    with pytest.raises(InputError, match="prices must not rise"):
        _q("a", [(0, 5.0), (10, 6.0)])
    with pytest.raises(InputError, match="repeats"):
        _q("a", [(10, 5.0), (10, 4.0)])
    with pytest.raises(InputError, match="at least one price break"):
        _q("a", [])
    with pytest.raises(InputError, match="capacity > 0"):
        _q("a", [(0, 1.0)], cap=0)
    with pytest.raises(InputError, match="fraction"):
        ResilienceRules(max_supplier_share=60)
    with pytest.raises(InputError, match="at least 1"):
        ResilienceRules(min_suppliers=0)
    with pytest.raises(InputError, match="quantity"):
        Demand("m", "wire", -1)
    with pytest.raises(ValueError, match="unknown rule"):
        ResilienceRules().without("speed")


@pytest.mark.parametrize("seed", range(12))
def test_fast_path_matches_the_general_fill(seed: int) -> None:
    # A share cap of 100% changes nothing but takes the general (greedy fill) path.
    rng = np.random.default_rng(100 + seed)
    quotes = random_quotes(rng, int(rng.integers(1, 5)))
    table = build_options("c", quotes, ResilienceRules())
    q = np.concatenate([rng.uniform(0, 80, size=200), np.arange(0.0, 80.0)])
    fast = category_cost(table, ResilienceRules(), q)
    general = category_cost(table, ResilienceRules(max_supplier_share=1.0), q)
    assert np.array_equal(np.isinf(fast), np.isinf(general))
    finite = np.isfinite(fast)
    assert np.allclose(fast[finite], general[finite], rtol=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_surplus_milp_matches_the_cost_function(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    quotes = random_quotes(rng, int(rng.integers(1, 4)))
    table = build_options("c", quotes, ResilienceRules())
    for qty in (1.0, 7.0, 25.0):
        expected = category_cost(table, ResilienceRules(), np.array([qty]))[0]
        if math.isinf(expected):
            continue
        got = solve_category("c", quotes, qty, with_prices=False, surplus=True).cost
        assert math.isclose(got, expected, rel_tol=1e-7)
    with pytest.raises(ValueError, match="share caps"):
        solve_category("c", quotes, 5.0, ResilienceRules(max_supplier_share=0.5), surplus=True)
