"""Infeasibility names each request with the rule that shuts it out; API input errors."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from exchange_testlib import check_solution, random_instance

from osatnet.errors import InputError
from osatnet.exchange import Arc, ClearingOptions, ClearingStatus, Offer, Request, _clear, clear
from osatnet.optim import LinearModel, Solution, Status

OFFERS = [
    Offer(
        "O1", "FT", 10, 100, 50, country="JP", region="KYUSHU", certifications=frozenset({"IATF"})
    ),
    Offer("O2", "FT", 11, 0, 40, country="JP"),
    Offer("O3", "WB", 10, 30, 20, country="MY"),
]


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (Request("r", "MOLD", 5), "no offer of process 'MOLD'"),
        (
            Request("r", "FT", 5, requires=frozenset({"AEC-Q100"})),
            "no offer of process 'FT' holds AEC-Q100",
        ),
        (
            Request("r", "FT", 5, requires=frozenset({"country:US", "region:EU"})),
            "is in an allowed location (country:US, region:EU)",
        ),
        (
            Request("r", "FT", 5, earliest_week=12, due_week=13),
            "is in the week window week 12 to week 13",
        ),
        (Request("r", "FT", 5, due_week=9), "week window up to week 9"),
        (Request("r", "FT", 5, earliest_week=12), "week window from week 12"),
        (
            Request("r", "FT", 5, max_price=30),
            "every eligible offer asks more than the max price 30",
        ),
        (
            Request("r", "FT", 150, splittable=False),
            "not splittable and no eligible offer can take all 150 units (largest: 100)",
        ),
        (
            Request("r", "WB", 50, min_split=40),
            "no eligible offer has room for the minimum split 40 (largest: 30)",
        ),
        (Request("r", "FT", 5, earliest_week=11), "every eligible offer has zero capacity left"),
        (Request("r", "WB", 50), "eligible offers hold only 30 of the 50 units requested"),
    ],
)
def test_each_rule_is_named(request_: Request, reason: str) -> None:
    result = clear(OFFERS, [request_])
    assert result.status is ClearingStatus.INFEASIBLE
    assert [i.request_id for i in result.infeasible] == ["r"]
    assert reason in result.infeasible[0].reason
    assert result.summary()["bound"] is None


def test_uniform_pricing_mentions_the_market_price() -> None:
    result = clear(
        OFFERS, [Request("r", "FT", 5, max_price=30)], options=ClearingOptions(pricing="uniform")
    )
    assert "uniform price" in result.infeasible[0].reason


def test_arcs_without_a_pair_and_competition() -> None:
    requests = [Request("a", "WB", 20), Request("b", "WB", 20), Request("c", "FT", 5)]
    arcs = [Arc("a", "O3"), Arc("b", "O3"), Arc("c", "O3")]
    result = clear(OFFERS, requests, arcs)
    assert result.status is ClearingStatus.INFEASIBLE
    reasons = {i.request_id: i.reason for i in result.infeasible}
    assert reasons["c"] == "arcs.csv lists no offer of process 'FT'"
    # 'a' and 'b' need 40 of O3's 30: one of them is left 10 short, the other is served.
    short = set(reasons) - {"c"}
    assert len(short) == 1
    assert "needed by other must-serve requests" in reasons[short.pop()]
    assert result.served_total == pytest.approx(30)


def test_infeasible_plan_still_prices_the_rest() -> None:
    requests = [Request("must", "MOLD", 5), Request("opt", "FT", 10, unserved_penalty=100)]
    result = clear(OFFERS, requests)
    assert result.status is ClearingStatus.INFEASIBLE
    assert result.served[1] == 10
    assert result.objective == pytest.approx(500)


def test_time_limit_falls_back_to_the_greedy_plan() -> None:
    offers, requests, arcs, options = random_instance(7, max_requests=8, max_offers=8)
    requests = [
        dataclasses.replace(r, unserved_penalty=r.unserved_penalty or 9.0) for r in requests
    ]
    options = dataclasses.replace(options, time_limit=1e-9)
    result = clear(offers, requests, arcs, options)
    assert result.status in (ClearingStatus.FEASIBLE, ClearingStatus.OPTIMAL)
    check_solution(offers, requests, arcs, options, result)


@pytest.mark.parametrize(
    ("offers", "requests", "arcs", "message"),
    [
        ([OFFERS[0], OFFERS[0]], [], None, "duplicate offer_id 'O1'"),
        ([], [Request("r", "FT", 1), Request("r", "FT", 2)], None, "duplicate request_id 'r'"),
        ([dataclasses.replace(OFFERS[0], capacity=-1)], [], None, "capacity must be >= 0"),
        ([dataclasses.replace(OFFERS[0], unit_price=-1)], [], None, "unit_price must be >= 0"),
        ([], [Request("r", "FT", 0)], None, "quantity must be > 0"),
        ([], [Request("r", "FT", 5, min_split=6)], None, "min_split must be between 0 and"),
        (OFFERS, [Request("r", "FT", 5)], [Arc("x", "O1")], "unknown request_id 'x'"),
        (OFFERS, [Request("r", "FT", 5)], [Arc("r", "O9")], "unknown offer_id 'O9'"),
        (OFFERS, [Request("r", "FT", 5)], [Arc("r", "O1")] * 2, "duplicate arc 'r' -> 'O1'"),
        (OFFERS, [Request("r", "FT", 5)], [Arc("r", "O1", capacity_per_unit=0)], "must be > 0"),
    ],
)
def test_api_input_errors(
    offers: list[Offer], requests: list[Request], arcs: list[Arc] | None, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        clear(offers, requests, arcs)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fairness_share", 1.5),
        ("mip_gap", 1.0),
        ("time_limit", 0.0),
        ("pricing", "vickrey"),
        ("logistics_cost_per_unit_km", -1.0),
        ("lateness_penalty", -1.0),
        ("max_lateness_weeks", -1),
        ("fairness_penalty", -1.0),
    ],
)
def test_options_are_checked(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        ClearingOptions(**{field: value})  # type: ignore[arg-type]


def test_empty_market() -> None:
    result = clear([], [])
    assert result.status is ClearingStatus.OPTIMAL
    assert result.objective == 0
    assert result.matches() == []


def _out_of_time(model: object, **_: object) -> Solution:
    """A solver that gives up at once, as HiGHS does when the time limit has already passed."""
    assert isinstance(model, LinearModel)
    n = model.num_cols
    return Solution(
        Status.TIME_LIMIT, np.zeros(n), math.nan, math.nan, math.inf, None, 0.0, "Time limit"
    )


def test_solver_out_of_time_keeps_the_greedy_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    offers, requests, arcs, options = random_instance(11, max_requests=6, max_offers=6)
    requests = [
        dataclasses.replace(r, unserved_penalty=r.unserved_penalty or 9.0) for r in requests
    ]
    options = dataclasses.replace(options, pricing="pay-as-offered", time_limit=None)
    monkeypatch.setattr(_clear, "solve", _out_of_time)
    result = clear(offers, requests, arcs, options)
    assert result.status is ClearingStatus.FEASIBLE
    assert result.summary()["gap"] is None
    assert result.objective == pytest.approx(result.greedy_objective)
    check_solution(offers, requests, arcs, options, result)


def test_must_serve_undecided_at_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # The greedy serves 'a' first (both have one option), so 'b' is short; only the solver
    # could tell whether a better plan exists, and it is out of time.
    offers = [Offer("o", "FT", 1, 10, 5)]
    requests = [Request("a", "FT", 6), Request("b", "FT", 6)]
    monkeypatch.setattr(_clear, "solve", _out_of_time)
    result = clear(offers, requests)
    assert result.status is ClearingStatus.TIME_LIMIT
    assert [(i.request_id, i.reason) for i in result.infeasible] == [
        ("b", "could not be placed within the time limit")
    ]
    assert result.summary()["status"] == "time_limit"


def test_feasibility_phase_repairs_a_greedy_miss() -> None:
    # The greedy gives 'a' the cheap offer o1, leaving 'b' (o1 or the small o3) 5 short; the
    # feasibility phase finds a -> o2, b -> o1, and the cost phase starts from there.
    offers = [Offer("o1", "FT", 1, 10, 1), Offer("o2", "FT", 1, 10, 5), Offer("o3", "FT", 1, 5, 1)]
    requests = [Request("a", "FT", 10), Request("b", "FT", 10)]
    arcs = [Arc("a", "o1"), Arc("a", "o2"), Arc("b", "o1"), Arc("b", "o3")]
    result = clear(offers, requests, arcs)
    assert result.status is ClearingStatus.OPTIMAL
    assert math.isnan(result.greedy_objective)
    assert result.served_total == 20
    # b: 5 on o3 and 5 on o1 (cost 10), a: 5 on o1 and 5 on o2 (cost 30).
    assert result.objective == pytest.approx(40)
