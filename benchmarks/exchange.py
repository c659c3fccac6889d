"""Benchmark of the capacity-exchange clearing (``osatnet.exchange``).

Clears a random market of 10,000 requests x 600 offers with about 10% eligible pairs and
compares, in the same run:

* the osatnet model build (numpy / scipy.sparse) + HiGHS solve to a 0.1% gap;
* the same model built with PuLP (one Python object per variable and constraint) and solved
  through PuLP with HiGHS (capped by a time limit);
* the greedy baseline.

Usage::

    python benchmarks/exchange.py            # the full benchmark (figures in docs/benchmarks.md)
    python benchmarks/exchange.py --small    # a quick version (the smoke test runs this)
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from osatnet.exchange import ClearingOptions, Offer, Request, clear
from osatnet.exchange._eligibility import eligible_pairs
from osatnet.exchange._formulate import fairness_floors, formulate
from osatnet.exchange._greedy import greedy
from osatnet.exchange._instance import build_instance
from osatnet.optim import LinearModel

PROCESSES = ("WB", "FC", "MOLD", "FT")
WEEKS = (1, 2, 3, 4)
# (name, latitude, longitude, country, region) of the host / requester sites.
SITES = (
    ("kumamoto", 32.8, 130.7, "JP", "KYUSHU"),
    ("oita", 33.2, 131.6, "JP", "KYUSHU"),
    ("iwate", 39.7, 141.1, "JP", "TOHOKU"),
    ("niigata", 37.9, 139.0, "JP", "CHUBU"),
    ("penang", 5.4, 100.3, "MY", "ASEAN"),
    ("cebu", 10.3, 123.9, "PH", "ASEAN"),
    ("kaohsiung", 22.6, 120.3, "TW", "TW"),
    ("wuxi", 31.5, 120.3, "CN", "CN"),
)


def make_instance(n_requests: int, n_offers: int, seed: int) -> tuple[list[Offer], list[Request]]:
    """A random market with about 10% eligible (request, offer) pairs.

    Process match keeps 1/4 of the pairs, the two-week window about 1/2, certifications and
    location rules about 0.85: 0.25 x 0.5 x 0.85 ~ 0.1. Capacity is about 90% of demand, so
    the penalties and the fairness rule matter.
    """
    rng = np.random.default_rng(seed)
    offers = []
    for i in range(n_offers):
        site = SITES[int(rng.integers(len(SITES)))]
        certs = frozenset({"IATF16949"}) if rng.random() < 0.6 else frozenset()
        offers.append(
            Offer(
                offer_id=f"O{i:04d}",
                process=PROCESSES[i % len(PROCESSES)],
                week=int(rng.choice(WEEKS)),
                capacity=float(rng.integers(200, 1300)) * n_requests / n_offers / 3.0,
                unit_price=float(rng.integers(80, 160)),
                site_id=site[0],
                country=site[3],
                region=site[4],
                certifications=certs,
                latitude=site[1],
                longitude=site[2],
            )
        )
    requests = []
    for j in range(n_requests):
        site = SITES[int(rng.integers(len(SITES)))]
        requires: set[str] = set()
        if rng.random() < 0.3:
            requires.add("IATF16949")
        if rng.random() < 0.15:
            requires.add("country:JP")
        earliest = int(rng.choice(WEEKS[:-1]))
        kind = rng.random()
        must = rng.random() < 0.05
        quantity = float(rng.integers(20, 200)) if must else float(rng.integers(50, 500))
        requests.append(
            Request(
                request_id=f"R{j:05d}",
                process=PROCESSES[int(rng.integers(len(PROCESSES)))],
                quantity=quantity,
                member_id=f"M{int(rng.integers(40)):02d}",
                earliest_week=earliest,
                due_week=earliest + 1,
                max_price=float(rng.integers(130, 220)),
                splittable=kind >= 0.1,
                min_split=float(rng.integers(20, 50)) if 0.1 <= kind < 0.15 else 0.0,
                unserved_penalty=None if must else float(rng.integers(200, 400)),
                requires=frozenset(requires),
                site_id=site[0],
                latitude=site[1],
                longitude=site[2],
            )
        )
    return offers, requests


def _pulp_model(m: LinearModel, time_limit: float) -> tuple[float, float, float, str]:
    """Build the same model with PuLP, solve it; (build s, solve s, objective, status)."""
    import pulp

    t0 = time.perf_counter()
    prob = pulp.LpProblem("exchange", pulp.LpMinimize)
    integ = m.integrality if m.integrality is not None else np.zeros(m.num_cols, dtype=bool)
    xs = [
        pulp.LpVariable(
            f"c{j}",
            lowBound=float(m.col_lo[j]),
            upBound=None if math.isinf(m.col_hi[j]) else float(m.col_hi[j]),
            cat=pulp.LpInteger if integ[j] else pulp.LpContinuous,
        )
        for j in range(m.num_cols)
    ]
    prob += pulp.lpSum(float(m.c[j]) * xs[j] for j in range(m.num_cols) if m.c[j] != 0)
    csr = m.A.tocsr()
    for i in range(m.num_rows):
        lo, hi = float(m.row_lo[i]), float(m.row_hi[i])
        s, e = csr.indptr[i], csr.indptr[i + 1]
        expr = pulp.LpAffineExpression(
            [(xs[int(j)], float(v)) for j, v in zip(csr.indices[s:e], csr.data[s:e], strict=True)]
        )
        if lo == hi:
            prob += expr == lo
        else:
            if not math.isinf(lo):
                prob += expr >= lo
            if not math.isinf(hi):
                prob += expr <= hi
    build = time.perf_counter() - t0
    solver = (
        pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=1e-3)
        if pulp.HiGHS().available()
        else pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=1e-3)
    )
    t1 = time.perf_counter()
    prob.solve(solver)
    solve_s = time.perf_counter() - t1
    objective = pulp.value(prob.objective)
    status = f"{pulp.LpStatus[prob.status]} via {type(solver).__name__}"
    return build, solve_s, float(objective) if objective is not None else math.nan, status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick 500 x 60 version")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--pulp-time-limit", type=float, default=120.0)
    parser.add_argument("--no-pulp", action="store_true", help="skip the PuLP comparison")
    args = parser.parse_args(argv)
    n_req, n_off = (500, 60) if args.small else (10_000, 600)

    t = time.perf_counter()
    offers, requests = make_instance(n_req, n_off, args.seed)
    print(
        f"instance: {n_req:,} requests x {n_off:,} offers"
        f" (generated in {time.perf_counter() - t:.1f} s)"
    )
    options = ClearingOptions(
        logistics_cost_per_unit_km=0.01,
        fairness_share=0.5,
        mip_gap=1e-3,
        time_limit=args.time_limit,
    )
    result = clear(offers, requests, options=options)
    total = result.build_s + result.solve_s
    density = result.eligible_pairs / (n_req * n_off)
    print(
        f"eligible pairs: {result.eligible_pairs:,} ({density:.1%}), binaries: {result.binaries:,}"
    )
    print(
        f"osatnet  build {result.build_s:7.2f} s  solve {result.solve_s:7.2f} s"
        f"  total {total:7.2f} s"
        f"  status {result.status.value}  objective {result.objective:,.0f}  gap {result.gap:.3%}"
    )

    # Greedy alone, on the same eligible pairs (its time includes the eligibility step).
    t = time.perf_counter()
    inst = build_instance(offers, requests)
    pairs, diag = eligible_pairs(inst, options)
    t_elig = time.perf_counter() - t
    t = time.perf_counter()
    qty = greedy(inst, pairs)
    t_greedy = time.perf_counter() - t
    print(
        f"greedy   eligibility {t_elig:5.2f} s  greedy {t_greedy:5.2f} s"
        f"  objective {result.greedy_objective:,.0f}"
        f"  (served {qty.sum():,.0f} vs optimiser {result.served_total:,.0f})"
    )
    print(
        f"ratio    optimiser cost / greedy cost = {result.objective / result.greedy_objective:.4f}"
        f"  (saves {1 - result.objective / result.greedy_objective:.2%})"
    )
    if args.no_pulp:
        return 0
    scale = max(1.0, float(pairs.cost.max()), 400.0)
    form = formulate(inst, pairs, fairness_floors(inst, diag.available, options, scale))
    t = time.perf_counter()
    formulate(inst, pairs, fairness_floors(inst, diag.available, options, scale))
    t_form = time.perf_counter() - t
    p_build, p_solve, p_obj, p_status = _pulp_model(form.cost_model(), args.pulp_time_limit)
    print(
        f"pulp     build {p_build:7.2f} s  solve {p_solve:7.2f} s  status {p_status}"
        f"  objective {p_obj:,.0f}"
    )
    print(
        f"ratio    PuLP / osatnet: model build {p_build / t_form:.0f}x the scipy.sparse assembly"
        f" ({t_form:.2f} s), {p_build / result.build_s:.1f}x osatnet's whole build"
        f" (eligibility + greedy + assembly, {result.build_s:.2f} s);"
        f" solve {p_solve / result.solve_s:.1f}x; objective {p_obj / result.objective:.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
