"""Disclosure-control speed: a 3-dimension release of about 2,000 cells from 30 members.

    python benchmarks/sdc.py [--small]

Builds a synthetic alliance: 30 members of very different sizes (lognormal), each with 1-3
sites; each site sits in one region (a few regions hold most sites) and runs 6-14 of the 16
process families (common ones more often), with a weekly capacity per (site, process) that
drifts over 10 quarters. The table is process x region x quarter (16 x 11 x 10 levels;
17 x 12 x 11 = 2,244 cells with margins). Employee band is not used as the third dimension:
with 30 members in 10 bands every cell of a band would hold 3 members and be sensitive. Times:

1. building the table and the primary rules;
2. secondary suppression, optimal method (MILP with constraint generation, target: all of
   primary + secondary + audit in 5 s or less);
3. the audit of the result with the attacker's LP (witnessed, as ``protect`` runs it).

Baselines in the same run: the hypercube heuristic (time, and how many cells / how much value
it hides compared to the optimal pattern), and the exact audit (two LPs per hidden cell).

``--small`` runs a 6 x 5 x 4 table in about a second (used by a smoke test).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from osatnet.vault.sdc import (
    DisclosureRules,
    audit,
    build_table,
    heuristic_pattern,
    optimal_pattern,
    primary_suppression,
    suppression_cost,
)

RULES = DisclosureRules()


def contributions(
    members: int, processes: int, regions: int, periods: int, seed: int
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0.0, 1.2, members)
    rows: dict[str, list[object]] = {k: [] for k in ("contributor", "p", "r", "q", "value")}
    # Skewed popularity: most sites sit in a few regions and run the common processes.
    p_region = 1.0 / np.arange(1, regions + 1) ** 2
    p_proc = 1.0 / np.sqrt(np.arange(1, processes + 1))
    for m in range(members):
        for _ in range(int(rng.integers(1, 4))):
            region = int(rng.choice(regions, p=p_region / p_region.sum()))
            count = min(int(rng.integers(6, 15)), processes)
            procs = rng.choice(processes, size=count, replace=False, p=p_proc / p_proc.sum())
            for p in procs:
                base = size[m] * rng.lognormal(8.0, 0.8)
                # Quarterly capacity drifts; a site sometimes reports no line in a quarter.
                for q in range(periods):
                    if rng.random() < 0.1:
                        continue
                    rows["contributor"].append(f"m{m:02d}")
                    rows["p"].append(f"proc{int(p):02d}")
                    rows["r"].append(f"reg{region:02d}")
                    rows["q"].append(f"q{q:02d}")
                    rows["value"].append(round(float(base * rng.lognormal(0.0, 0.15)), 1))
    return {k: np.asarray(v) for k, v in rows.items()}


def levels(processes: int, regions: int, periods: int) -> dict[str, list[str]]:
    return {
        "p": [f"proc{i:02d}" for i in range(processes)],
        "r": [f"reg{i:02d}" for i in range(regions)],
        "q": [f"q{i:02d}" for i in range(periods)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="quick smoke run")
    args = parser.parse_args()
    dims = (6, 5, 4) if args.small else (16, 11, 10)
    members = 12 if args.small else 30
    data = contributions(members, *dims, seed=7)

    t0 = time.perf_counter()
    table = build_table(data, ("p", "r", "q"), levels=levels(*dims))
    primary = primary_suppression(table, RULES)
    protection = np.where(primary.sensitive, RULES.protection(table.value), 0.0)
    t_primary = time.perf_counter() - t0
    nonempty = int((~table.empty).sum())
    print(
        f"table: {table.num_cells} cells, {nonempty} non-empty, {len(data['value'])} records, "
        f"{members} members; primary-sensitive: {int(primary.sensitive.sum())}"
    )

    t0 = time.perf_counter()
    result = optimal_pattern(table, primary.sensitive, protection, time_limit=60.0)
    t_optimal = time.perf_counter() - t0
    t0 = time.perf_counter()
    checked = audit(table, result.suppressed, protection, exact=False)
    t_audit = time.perf_counter() - t0
    total = t_primary + t_optimal + t_audit
    print(f"primary rules (incl. table): {t_primary:.3f} s")
    print(
        f"optimal secondary: {t_optimal:.3f} s ({result.rounds} rounds, {result.cuts} cuts, "
        f"optimal: {result.optimal})"
    )
    print(f"audit (witnessed): {t_audit:.3f} s, passed: {checked.ok}")
    print(f"total primary + secondary + audit: {total:.3f} s (target <= 5 s)")

    t0 = time.perf_counter()
    heuristic = heuristic_pattern(table, primary.sensitive, protection)
    t_heur = time.perf_counter() - t0
    heur_audit = audit(table, heuristic, protection, exact=False)
    t0 = time.perf_counter()
    exact = audit(table, result.suppressed, protection, exact=True)
    t_exact = time.perf_counter() - t0

    cost = suppression_cost(table)
    secondary_opt = result.suppressed & ~primary.sensitive
    secondary_heur = heuristic & ~primary.sensitive
    value_opt = float(table.value[secondary_opt].sum())
    value_heur = float(table.value[secondary_heur].sum())
    print(f"heuristic secondary: {t_heur:.3f} s, passed: {heur_audit.ok}")
    print(
        f"secondary cells: optimal {int(secondary_opt.sum())}, heuristic "
        f"{int(secondary_heur.sum())}; value hidden: optimal {value_opt:,.0f}, heuristic "
        f"{value_heur:,.0f}; cost: optimal {cost[secondary_opt].sum():.4f}, heuristic "
        f"{cost[secondary_heur].sum():.4f}"
    )
    ratio_value = value_heur / value_opt if value_opt else float("nan")
    print(
        f"ratios: optimal/heuristic time {t_optimal / t_heur:.1f}x; heuristic hides "
        f"{ratio_value:.2f}x the value of the optimal pattern"
    )
    print(
        f"exact audit: {t_exact:.3f} s ({exact.cells.size} hidden cells, passed: {exact.ok}); "
        f"witnessed audit {t_exact / t_audit:.1f}x faster, same verdict: {exact.ok == checked.ok}"
    )


if __name__ == "__main__":
    main()
