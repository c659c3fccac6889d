"""Monte Carlo: risk measures by hand, loss curves by hand, duration YAML and its errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from risk_testlib import single_tier

from osatnet.errors import InputError
from osatnet.risk import parse_scenario, shipped_scenarios, stress
from osatnet.risk._montecarlo import (
    loss_curve,
    monte_carlo,
    risk_measures,
    sample_losses,
    with_duration,
)

FAILURE = """name: s1-fails
probability: {p}
duration: {duration}
events:
  - type: supplier_failure
    nodes: [S1]
    duration_weeks: 12
"""


def scenario(p: float, duration: str = "{type: fixed, weeks: 12}") -> object:
    return parse_scenario(FAILURE.format(p=p, duration=duration), "s.yaml")


def test_risk_measures_of_two_point_distributions() -> None:
    # 2% of years lose 100: VaR 95% is 0 (95% of years lose nothing); CVaR averages the worst
    # 5% of years: 2 of them lose 100, 3 lose 0 -> 40.
    mean, var, cvar = risk_measures(np.array([0.0] * 98 + [100.0] * 2))
    assert (mean, var, cvar) == pytest.approx((2.0, 0.0, 40.0))
    # 10% lose 100: the worst 5% all lose 100.
    assert risk_measures(np.array([0.0] * 90 + [100.0] * 10)) == pytest.approx((10.0, 100, 100))
    assert risk_measures(np.arange(1.0, 101.0)) == pytest.approx((50.5, 95.0, 98.0))
    with pytest.raises(ValueError):
        risk_measures(np.zeros(0))


def test_loss_curve_of_the_single_tier_rule() -> None:
    # n = 4, a = 1, I = 10: a failure of D weeks loses max(0, 3 D - 10) units at 10 each,
    # with the kink at the TTS 10/3 found exactly.
    net = single_tier(4.0, 10.0, 1.0)
    curve = loss_curve(net, scenario(0.1, "{type: uniform, low: 1, high: 8}"))
    assert 10 / 3 in curve.weeks.tolist()
    for d in (0.5, 1, 3, 10 / 3, 3.5, 4, 5.25, 8):
        assert float(curve(d)) == pytest.approx(max(0.0, 3 * d - 10) * 10, abs=1e-6)
    assert float(curve(20)) == pytest.approx(140.0)  # flat beyond the largest duration
    s12 = stress(net, with_duration(scenario(0.1), 12))
    assert s12.lost_value == pytest.approx(260.0)


def test_expected_loss_var_cvar_of_one_fixed_scenario() -> None:
    net = single_tier(4.0, 10.0, 1.0)  # 12 weeks down: 26 units lost at 10 = 260
    frequent = monte_carlo(net, [scenario(0.2)], samples=20_000, seed=3)
    happened = float((frequent.losses > 0).mean())
    assert frequent.expected_loss == pytest.approx(260.0 * happened)
    assert happened == pytest.approx(0.2, abs=0.02)
    assert frequent.var == pytest.approx(260.0) and frequent.cvar == pytest.approx(260.0)
    rare = monte_carlo(net, [scenario(0.02)], samples=20_000, seed=3)
    assert rare.var == 0.0
    assert rare.cvar == pytest.approx(rare.expected_loss / 0.05)
    assert rare.cvar == pytest.approx(0.4 * 260.0, rel=0.15)
    assert rare.scenarios[0].expected_loss == pytest.approx(rare.expected_loss)
    data = rare.as_dict()
    assert {"expected_loss", "var_95", "cvar_95", "std_error"} <= set(data)


def test_sampling_is_vectorised_reproducible_and_bounded() -> None:
    s = scenario(0.5, "{type: triangular, low: 2, mode: 4, high: 9}")
    net = single_tier(4.0, 10.0, 1.0)
    curve = loss_curve(net, s)
    a = sample_losses([s], [curve], 50_000, seed=9)
    assert a.shape == (50_000, 1)
    assert np.array_equal(a, sample_losses([s], [curve], 50_000, seed=9))
    assert a.max() <= float(curve(9)) + 1e-9
    lognormal = scenario(1.0, "{type: lognormal, median: 6, sigma: 2, max: 10}")
    drawn = lognormal.duration.sample(np.random.default_rng(0), 10_000)  # type: ignore[attr-defined]
    assert drawn.max() == 10.0 and np.median(drawn) == pytest.approx(6, rel=0.1)


def test_with_duration_keeps_the_shorter_events() -> None:
    quake = shipped_scenarios()["kumamoto-earthquake"]  # outage 8 weeks, transport 4
    assert [e.duration_weeks for e in with_duration(quake, 12).events] == [12, 4]
    assert [e.duration_weeks for e in with_duration(quake, 3).events] == [3, 3]
    assert with_duration(quake, 12).ttr_weeks == 12


def test_shipped_scenarios_have_monte_carlo_inputs() -> None:
    for s in shipped_scenarios().values():
        assert s.probability is not None and 0 < s.probability < 1
        assert s.duration is not None and s.duration.upper <= 104


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("probability: 1.5", "s.yaml:2: column probability: Input should be less than or equal"),
        ("duration: {type: triangular, low: 2, high: 9}",
         "s.yaml:2: column duration.mode: Field required"),
        ("duration: {type: triangular, low: 5, mode: 2, high: 9}",
         "s.yaml:2: column duration: need low <= mode <= high"),
        ("duration:\n  type: uniform\n  low: 4\n  hi: 8",
         "s.yaml:5: column duration.hi: Extra inputs are not permitted"),
        ("duration: {type: weibull, weeks: 3}", "s.yaml:2: column duration:"),
        ("duration: {type: lognormal, median: 8, sigma: 0.5, max: 4}",
         "s.yaml:2: column duration: max must be >= median"),
    ],
)  # fmt: skip
def test_duration_yaml_errors_name_line_and_key(text: str, expected: str) -> None:
    body = "name: x\n" + text + "\nevents:\n  - type: supplier_failure\n    nodes: [S1]\n"
    body += "    duration_weeks: 4\n"
    with pytest.raises(InputError) as exc:
        parse_scenario(body, "s.yaml")
    messages = [str(e) for e in exc.value.all_errors]
    assert any(m.startswith(expected) for m in messages), messages


def test_monte_carlo_needs_probabilities() -> None:
    net = single_tier(4.0, 10.0, 1.0)
    bare = parse_scenario(
        "name: bare\nevents:\n  - type: supplier_failure\n    nodes: [S1]\n    duration_weeks: 2\n"
    )
    with pytest.raises(InputError, match="bare have no probability"):
        monte_carlo(net, [bare], samples=10)
    with pytest.raises(InputError, match="at least one scenario"):
        monte_carlo(net, [], samples=10)
    zero = monte_carlo(net, [scenario(0.0)], samples=1_000)
    assert zero.expected_loss == zero.var == zero.cvar == 0.0
    assert math.isfinite(zero.std_error)


def test_loss_curve_equals_the_weekly_lps_on_the_demo_network() -> None:
    # Kumamoto: an 8-week outage with a 4-week transport cut (so the constant stretch starts
    # in week 4); Taiwan Strait: a capacity cut after a 3-week gap.
    from osatnet.demo.generator import generate_registry
    from osatnet.risk import generate_network, lost_need, timeline
    from osatnet.risk._lp import cone_of

    net = generate_network(generate_registry(7), 7)
    compiled = net.compile()
    library = shipped_scenarios()
    for name, durations in (("kumamoto-earthquake", (2, 5, 9, 16)), ("taiwan-strait", (4, 20))):
        s = library[name]
        curve = loss_curve(net, s)
        for d in durations:
            tl = timeline(with_duration(s, d), net)
            cone = cone_of(compiled, tl.seeds(compiled.link_cust_node))
            short = lost_need(compiled, tl, tl.ttr_weeks, cone)
            expected = sum(x.units * x.value_per_unit for x in short)
            assert float(curve(d)) == pytest.approx(expected, rel=1e-6, abs=1e-3), (name, d)
