"""Independent reference for the exchange tests: rules in plain Python, brute force, checker.

Nothing here imports the optimiser's internals: eligibility, costs and fairness floors are
re-derived from ``docs/exchange.md`` with loops, so that the tests compare two implementations.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from osatnet.exchange import Arc, ClearingOptions, ClearingResult, Offer, Request

TOL = 1e-6


def _km(r: Request, o: Offer) -> float:
    if None in (r.latitude, r.longitude, o.latitude, o.longitude):
        return 0.0
    assert r.latitude is not None and r.longitude is not None
    assert o.latitude is not None and o.longitude is not None
    p1, p2 = math.radians(r.latitude), math.radians(o.latitude)
    dl = math.radians(o.longitude - r.longitude)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))


@dataclass(frozen=True)
class RefPair:
    r: int
    o: int
    cost: float
    cpu: float
    ub: float


def reference_pairs(
    offers: list[Offer], requests: list[Request], arcs: list[Arc] | None, options: ClearingOptions
) -> list[RefPair]:
    arc_map = None if arcs is None else {(a.request_id, a.offer_id): a for a in arcs}
    out = []
    for i, r in enumerate(requests):
        for j, o in enumerate(offers):
            arc = None
            if arc_map is not None:
                arc = arc_map.get((r.request_id, o.offer_id))
                if arc is None:
                    continue
            if o.process != r.process:
                continue
            if not r.certifications <= o.certifications:
                continue
            locs = r.locations
            if locs and f"country:{o.country}" not in locs and f"region:{o.region}" not in locs:
                continue
            if r.earliest_week is not None and o.week < r.earliest_week:
                continue
            if r.due_week is not None and o.week > r.due_week + options.max_lateness_weeks:
                continue
            if r.max_price is not None and o.unit_price > r.max_price:
                continue
            cpu = arc.capacity_per_unit if arc else 1.0
            avail = o.capacity / cpu
            if not r.splittable:
                if avail < r.quantity - 1e-9:
                    continue
            elif avail < max(r.min_split, 1e-9) - 1e-12:
                continue
            if arc is not None and arc.unit_cost is not None:
                cost = arc.unit_cost
            else:
                cost = o.unit_price + options.logistics_cost_per_unit_km * _km(r, o)
            late = max(0, o.week - r.due_week) if r.due_week is not None else 0
            cost += options.lateness_penalty * late
            out.append(RefPair(i, j, cost, cpu, min(r.quantity, avail)))
    return out


def reference_floors(
    offers: list[Offer], requests: list[Request], pairs: list[RefPair], options: ClearingOptions
) -> dict[tuple[str, str], tuple[float, list[int]]]:
    """(member, process) -> (floor, request indices) for the groups under the fairness rule."""
    share = options.fairness_share or 0.0
    if share <= 0:
        return {}
    demand: dict[str, float] = defaultdict(float)
    cap: dict[str, float] = defaultdict(float)
    for r in requests:
        demand[r.process] += r.quantity
    for o in offers:
        cap[o.process] += o.capacity
    available = defaultdict(float)
    for p in pairs:
        available[p.r] += p.ub
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(requests):
        if cap[r.process] < demand[r.process] * (1 - 1e-9):
            groups[(r.member_id or r.request_id, r.process)].append(i)
    out = {}
    for key, idx in groups.items():
        fill = cap[key[1]] / demand[key[1]]
        d = sum(requests[i].quantity for i in idx)
        servable = sum(min(requests[i].quantity, available[i]) for i in idx)
        out[key] = (min(share * fill * d, servable), idx)
    return out


def brute_force(
    offers: list[Offer],
    requests: list[Request],
    arcs: list[Arc] | None,
    options: ClearingOptions,
    max_combos: int = 400,
) -> float | None:
    """Exact optimum: enumerate every discrete choice, solve the LP left by each; None if none.

    Returns ``nan`` when the instance has too many combinations to enumerate.
    """
    pairs = reference_pairs(offers, requests, arcs, options)
    floors = reference_floors(offers, requests, pairs, options)
    by_req: dict[int, list[int]] = defaultdict(list)
    for k, p in enumerate(pairs):
        by_req[p.r].append(k)
    modes: list[list[tuple[str, tuple[int, ...]]]] = []
    for i, r in enumerate(requests):
        ks = by_req[i]
        if not r.splittable:
            opts = [("one", (k,)) for k in ks] + [("none", ())]
        elif r.min_split > 0:
            opts = [
                ("some", sub) for n in range(len(ks) + 1) for sub in itertools.combinations(ks, n)
            ]
        else:
            opts = [("free", tuple(ks))]
        modes.append(opts)
    if math.prod(len(m) for m in modes) > max_combos:
        return math.nan
    fpen = options.fairness_penalty if options.fairness_penalty is not None else 0.0
    group_list = list(floors.items())
    n_pairs, n_req, n_grp = len(pairs), len(requests), len(group_list)
    n = n_pairs + n_req + n_grp
    c = np.concatenate(
        [
            [p.cost for p in pairs],
            [r.unserved_penalty or 0.0 for r in requests],
            [fpen] * n_grp,
        ]
    )
    a_eq = np.zeros((n_req, n))
    for k, p in enumerate(pairs):
        a_eq[p.r, k] = 1
    for i in range(n_req):
        a_eq[i, n_pairs + i] = 1
    b_eq = np.array([r.quantity for r in requests])
    a_ub = np.zeros((len(offers) + n_grp, n))
    b_ub = np.zeros(len(offers) + n_grp)
    for k, p in enumerate(pairs):
        a_ub[p.o, k] = p.cpu
    b_ub[: len(offers)] = [o.capacity for o in offers]
    for g, (_key, (floor, idx)) in enumerate(group_list):
        row = len(offers) + g
        # served_g + f_g >= floor  <=>  sum u_r - f_g <= sum q_r - floor
        for i in idx:
            a_ub[row, n_pairs + i] = 1
        a_ub[row, n_pairs + n_req + g] = -1
        b_ub[row] = sum(requests[i].quantity for i in idx) - floor
    best: float | None = None
    for combo in itertools.product(*modes):
        lo = np.zeros(n)
        hi = np.full(n, np.inf)
        hi[:n_pairs] = 0.0
        for i, (kind, ks) in enumerate(combo):
            r = requests[i]
            hi[n_pairs + i] = 0.0 if r.unserved_penalty is None else r.quantity
            if kind == "one":
                lo[ks[0]] = hi[ks[0]] = r.quantity
            elif kind == "some":
                for k in ks:
                    lo[k], hi[k] = r.min_split, pairs[k].ub
            elif kind == "free":
                for k in ks:
                    hi[k] = pairs[k].ub
        if np.any(lo > hi + 1e-12):
            continue
        res = linprog(
            c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=list(zip(lo, hi, strict=True))
        )
        if res.status == 0 and (best is None or res.fun < best):
            best = float(res.fun)
    return best


def check_solution(
    offers: list[Offer],
    requests: list[Request],
    arcs: list[Arc] | None,
    options: ClearingOptions,
    result: ClearingResult,
) -> None:
    """Assert that ``result`` obeys every rule of the exchange, and its numbers add up."""
    pairs = {(p.r, p.o): p for p in reference_pairs(offers, requests, arcs, options)}
    used = np.zeros(len(offers))
    served = np.zeros(len(requests))
    count = np.zeros(len(requests), dtype=int)
    cost = 0.0
    markets: dict[tuple[str, int], set[float]] = defaultdict(set)
    for r, o, q, uc, price in zip(
        result.match_request,
        result.match_offer,
        result.match_quantity,
        result.match_unit_cost,
        result.match_price,
        strict=True,
    ):
        req, off = requests[r], offers[o]
        assert (int(r), int(o)) in pairs, f"{req.request_id}->{off.offer_id} is not eligible"
        p = pairs[(int(r), int(o))]
        assert q > 0
        assert q <= p.ub * (1 + TOL) + TOL
        assert uc == pytest_approx(p.cost)
        if req.splittable and req.min_split > 0:
            assert q >= req.min_split * (1 - TOL) - TOL, "chunk below the minimum split"
        if req.max_price is not None:
            assert price <= req.max_price * (1 + TOL) + TOL, "requester pays above its max"
        assert price >= off.unit_price * (1 - TOL) - TOL, "host receives below its minimum"
        if options.pricing == "pay-as-offered":
            assert price == pytest_approx(off.unit_price)
        markets[(off.process, off.week)].add(round(price, 6))
        used[o] += q * p.cpu
        served[r] += q
        count[r] += 1
        cost += q * p.cost
    if options.pricing == "uniform":
        assert all(len(prices) == 1 for prices in markets.values()), markets
    for j, o in enumerate(offers):
        assert used[j] <= o.capacity * (1 + TOL) + TOL, f"offer {o.offer_id} over capacity"
    short = {i.request_id for i in result.infeasible}
    for i, r in enumerate(requests):
        assert served[i] <= r.quantity * (1 + TOL) + TOL
        assert result.served[i] == pytest_approx(served[i])
        assert result.unserved[i] == pytest_approx(r.quantity - served[i])
        if not r.splittable:
            assert count[i] <= 1, f"{r.request_id} is not splittable but has {count[i]} matches"
            assert served[i] in (pytest_approx(0.0), pytest_approx(r.quantity))
        if r.unserved_penalty is None and r.request_id not in short:
            assert served[i] == pytest_approx(r.quantity), f"must-serve {r.request_id} short"
    if result.status.value != "infeasible":
        assert not short
    floors = reference_floors(offers, requests, list(pairs.values()), options)
    fair_pen = 0.0
    for key, (floor, idx) in floors.items():
        got = sum(served[i] for i in idx)
        lack = result.fairness_shortfall[key]
        if options.pricing == "uniform":
            # Holding a market to its uniform price shrinks what a requester can get at all,
            # and floors are capped by that.
            assert result.fairness_floor[key] <= floor + TOL
            floor = result.fairness_floor[key]
        else:
            assert result.fairness_floor[key] == pytest_approx(floor)
        assert got + lack >= floor * (1 - TOL) - TOL
        fair_pen += lack
    unserved_pen = sum(
        (r.quantity - served[i]) * (r.unserved_penalty or 0.0) for i, r in enumerate(requests)
    )
    assert result.cost == pytest_approx(cost)
    assert result.unserved_penalty == pytest_approx(unserved_pen)
    if result.status.value in ("optimal", "feasible"):
        assert result.objective == pytest_approx(
            result.cost + unserved_pen + result.fairness_penalty
        )
        assert math.isnan(result.bound) or result.bound <= result.objective * (1 + TOL) + TOL


def pytest_approx(value: float) -> object:
    import pytest

    return pytest.approx(value, rel=1e-6, abs=1e-5)


def random_instance(
    seed: int, *, max_requests: int = 4, max_offers: int = 4, arcs: bool | None = None
) -> tuple[list[Offer], list[Request], list[Arc] | None, ClearingOptions]:
    """A small random market exercising every rule (the options included)."""
    rng = np.random.default_rng(seed)
    n_off = int(rng.integers(1, max_offers + 1))
    n_req = int(rng.integers(1, max_requests + 1))
    procs = ["A", "B"][: int(rng.integers(1, 3))]
    coords = [(35.0, 139.0), (5.4, 100.3), (None, None)]
    offers = []
    for j in range(n_off):
        lat, lon = coords[int(rng.integers(3))]
        offers.append(
            Offer(
                offer_id=f"o{j}",
                process=procs[int(rng.integers(len(procs)))],
                week=int(rng.integers(1, 4)),
                capacity=float(rng.integers(0, 12)),
                unit_price=float(rng.integers(1, 10)),
                country=["JP", "MY"][int(rng.integers(2))],
                region="ASIA",
                certifications=frozenset({"X"}) if rng.random() < 0.5 else frozenset(),
                latitude=lat,
                longitude=lon,
            )
        )
    requests = []
    for i in range(n_req):
        lat, lon = coords[int(rng.integers(3))]
        q = float(rng.integers(1, 9))
        split = rng.random() < 0.7
        requires: set[str] = set()
        if rng.random() < 0.3:
            requires.add("X")
        if rng.random() < 0.3:
            requires.add(["country:JP", "country:MY", "region:ASIA"][int(rng.integers(3))])
        early = int(rng.integers(1, 4)) if rng.random() < 0.5 else None
        due = (early or 1) + int(rng.integers(0, 2)) if rng.random() < 0.6 else None
        requests.append(
            Request(
                request_id=f"r{i}",
                process=procs[int(rng.integers(len(procs)))],
                quantity=q,
                member_id=["m1", "m2", None][int(rng.integers(3))],
                earliest_week=early,
                due_week=due,
                max_price=float(rng.integers(3, 12)) if rng.random() < 0.6 else None,
                splittable=split,
                min_split=float(rng.integers(1, int(q) + 1))
                if split and rng.random() < 0.4
                else 0.0,
                unserved_penalty=None if rng.random() < 0.2 else float(rng.integers(2, 20)),
                requires=frozenset(requires),
                latitude=lat,
                longitude=lon,
            )
        )
    arc_list = None
    if arcs or (arcs is None and rng.random() < 0.3):
        arc_list = [
            Arc(
                request_id=r.request_id,
                offer_id=o.offer_id,
                unit_cost=float(rng.integers(1, 10)) if rng.random() < 0.5 else None,
                capacity_per_unit=[1.0, 2.0, 0.5][int(rng.integers(3))],
            )
            for r in requests
            for o in offers
            if rng.random() < 0.7
        ]
    options = ClearingOptions(
        logistics_cost_per_unit_km=[0.0, 0.001][int(rng.integers(2))],
        lateness_penalty=float(rng.integers(0, 3)),
        max_lateness_weeks=int(rng.integers(0, 2)),
        fairness_share=[None, 0.5, 1.0][int(rng.integers(3))],
        fairness_penalty=30.0,
        mip_gap=0.0,
        time_limit=20.0,
        pricing="uniform" if rng.random() < 0.4 else "pay-as-offered",
    )
    return offers, requests, arc_list, options
