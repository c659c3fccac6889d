"""Time to survive for every node of a 5,000-node network and a 100,000-year Monte Carlo,
each against plain baselines in the same run.

    python benchmarks/risk.py [--small] [--nodes 5000] [--sample 40] [--samples 100000]

Part 1 builds a synthetic four-tier network (raw-material makers, two tiers of component
makers, member sites; about 4.5 links per non-raw node, bills of materials and stock at every
tier) and times:

1. osatnet ``node_risks``: every node down in turn. A node that ships to nobody needs no LP
   (``I / n``); every other node gets one aggregate LP for its TTS and, when TTR > TTS, one
   warm re-solve for its losses, in one LPSession over the node's downstream reach;
2. baseline "node loop": the plain method, a Python loop over the nodes with week-by-week
   LPs (``time_to_survive`` and ``lost_need`` over min(TTR, 26) weeks) built afresh for each
   node; timed on a sample of nodes stratified by tier and extrapolated to every node. TTS
   and losses must agree with (1) on the sample;
3. baseline "loop build": a week-by-week LP of the whole network assembled with a Python loop
   per variable and constraint entry, against the vectorised build; the matrices must agree.

Part 2 runs the Monte Carlo on the demo alliance's network and shipped scenarios:

4. osatnet ``monte_carlo``: the loss curves (LPs on a duration grid), then the samples, all
   drawn and interpolated with numpy;
5. baseline "sample loop": the same years drawn and evaluated one by one in Python (random
   module, bisect); and a check that the Python evaluation of numpy's own draws gives the
   same losses as the vectorised one;
6. baseline "LP per event": solving the scenario afresh for every sampled event, timed on a
   few events and extrapolated.

``--small`` runs a reduced version in a few seconds (used by a smoke test).
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import time
from collections import defaultdict

import numpy as np
import scipy.sparse as sp

from osatnet.demo.generator import generate_registry
from osatnet.risk import (
    BomLine,
    Link,
    Need,
    Network,
    Node,
    NodeKind,
    Scenario,
    generate_network,
    node_outage,
    node_risks,
    shipped_scenarios,
    stress,
)
from osatnet.risk._duration import FixedDuration
from osatnet.risk._lp import build_lp, cone_of, whole
from osatnet.risk._montecarlo import (
    LossCurve,
    loss_curve,
    monte_carlo,
    risk_measures,
    with_duration,
)
from osatnet.risk._tts import _caps, lost_need, time_to_survive

HORIZON = 26


def synthetic(n_nodes: int, seed: int = 1) -> Network:
    """Four tiers in proportions 1:2:3:4; every node beyond tier 0 makes one item from 1-3
    items of the tier above, each from 2-3 of that item's makers (one in ten of them a second
    source, idle at plan)."""
    rng = np.random.default_rng(seed)
    sizes = [max(2, n_nodes * k // 10) for k in (1, 2, 3, 4)]
    kinds = [NodeKind.TIER2_PLUS, NodeKind.TIER2_PLUS, NodeKind.TIER1, NodeKind.MEMBER_SITE]
    n_items = [max(1, s // 5) for s in sizes]
    nodes: list[Node] = []
    makers: list[dict[str, list[str]]] = []
    made: dict[str, str] = {}
    for tier, (size, kind) in enumerate(zip(sizes, kinds, strict=True)):
        by_item: dict[str, list[str]] = defaultdict(list)
        for i in range(size):
            node_id = f"N{tier}-{i}"
            country = str(rng.choice(["JP", "TW", "KR", "CN", "MY", "SG", "DE"]))
            nodes.append(Node(node_id, node_id, kind, country, f"R{int(rng.integers(20))}",
                              float(rng.uniform(0, 50)), float(rng.uniform(90, 150))))  # fmt: skip
            item = f"I{tier}-{i % n_items[tier]}"
            by_item[item].append(node_id)
            made[node_id] = item
        makers.append(by_item)
    need_of: dict[str, float] = defaultdict(float)  # planned output per node
    needs: list[Need] = []
    for node in nodes:
        if node.kind is NodeKind.MEMBER_SITE:
            out = float(rng.uniform(500, 5_000))
            need_of[node.node_id] = out
            needs.append(Need(node.node_id, made[node.node_id], out, out * rng.uniform(0, 2), 50.0))
    links: dict[tuple[str, str, str], list[float]] = {}
    bom: list[BomLine] = []
    for tier in (3, 2, 1):  # downstream first, so that upstream output is known
        for node in (n for n in nodes if n.node_id.startswith(f"N{tier}-")):
            out = need_of[node.node_id]
            if out <= 0:
                out = need_of[node.node_id] = float(rng.uniform(100, 500))
            upstream = list(makers[tier - 1])
            for item in rng.choice(upstream, size=min(len(upstream), int(rng.integers(1, 4))),
                                   replace=False):  # fmt: skip
                qty = float(rng.uniform(0.5, 2.0))
                bom.append(BomLine(node.node_id, made[node.node_id], str(item), qty))
                use = out * qty
                needs.append(Need(node.node_id, str(item), 0.0, use * rng.uniform(1, 4), 0.0))
                options = makers[tier - 1][str(item)]
                chosen = rng.choice(options, size=min(len(options), int(rng.integers(2, 4))),
                                    replace=False)  # fmt: skip
                # One maker in ten is a qualified second source shipping nothing at plan.
                idle = rng.random(len(chosen)) < 0.1
                idle[0] = False
                split = rng.dirichlet(np.ones(len(chosen))) * ~idle
                split /= split.sum()
                for sup, share, spare in zip(chosen, split, idle, strict=True):
                    vol = use * float(share)
                    cap = use * 0.3 if spare else vol * 1.3
                    links[(str(sup), node.node_id, str(item))] = [vol, cap]
                    need_of[str(sup)] += vol
    for node in nodes:
        if not node.node_id.startswith(("N0-", "N3-")):
            needs.append(Need(node.node_id, made[node.node_id], 0.0, need_of[node.node_id], 0.0))
    return Network(
        nodes=nodes,
        links=[Link(s, c, i, v, m) for (s, c, i), (v, m) in links.items()],
        needs=needs,
        bom=bom,
    ).validate()


def loop_build(net: Network, weeks: int) -> sp.csr_array:
    """The whole network's lost-value LP matrix, one Python step per entry (the baseline)."""
    c = net.compile()
    cone = whole(c)
    local = {int(k): i for i, k in enumerate(cone.pairs)}
    nl, nr, npairs = cone.links.size, cone.recipes.size, cone.pairs.size
    block = nl + nr + 2 * npairs
    rec_local = {int(r): i for i, r in enumerate(cone.recipes)}
    entries: dict[tuple[int, int], float] = {}
    for w in range(weeks):
        base_row, base_col = w * npairs, w * block
        for j, link in enumerate(cone.links):
            entries[(base_row + local[int(c.link_cust[link])], base_col + j)] = -1.0
            sup = local.get(int(c.link_sup[link]))
            if sup is not None:
                entries[(base_row + sup, base_col + j)] = 1.0
            row = weeks * npairs + w * nl + j
            entries[(row, base_col + j)] = 1.0
            entries[(row, weeks * block + w)] = -float(c.link_cap[link])
        for j, r in enumerate(cone.recipes):
            entries[(base_row + local[int(c.recipe_out[r])], base_col + nl + j)] = -1.0
        for e in range(c.input_recipe.size):
            j = rec_local[int(c.input_recipe[e])]
            row = base_row + local[int(c.input_pair[e])]
            entries[(row, base_col + nl + j)] = float(c.input_qty[e])
        for k, pair in enumerate(cone.pairs):
            entries[(base_row + k, base_col + nl + nr + k)] = 1.0
            if w > 0:
                entries[(base_row + k, base_col - block + nl + nr + k)] = -1.0
            entries[(base_row + k, base_col + nl + nr + npairs + k)] = -1.0
            if c.need[pair] > 0:
                entries[(base_row + k, weeks * block + w)] = float(c.need[pair])
    rows, cols = zip(*entries, strict=True)
    return sp.csr_array(
        (list(entries.values()), (rows, cols)), shape=(weeks * (npairs + nl), weeks * block + weeks)
    )


def _same(a: float, b: float, rel: float = 1e-5, abs_: float = 1e-6) -> bool:
    return (math.isinf(a) and math.isinf(b)) or math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def bench_nodes(n_nodes: int, sample: int, build_weeks: int) -> None:
    t0 = time.perf_counter()
    net = synthetic(n_nodes)
    print(f"network: {len(net.nodes)} nodes, {len(net.links)} links, {len(net.bom)} BOM lines"
          f" (built in {time.perf_counter() - t0:.2f} s)")  # fmt: skip

    t0, c0 = time.perf_counter(), time.process_time()
    risks = node_risks(net, HORIZON)
    fast, cpu = time.perf_counter() - t0, time.process_time() - c0
    at_risk = sum(r.at_risk for r in risks)
    # CPU time too: on a shared machine the wall clock also counts other jobs' turns.
    print(f"osatnet: TTS/TTR of all {len(risks)} nodes in {fast:.2f} s (CPU {cpu:.2f} s; "
          f"{at_risk} with TTS < TTR)")  # fmt: skip

    compiled = net.compile()
    by_id = {r.node_id: r for r in risks}
    # Stratified by tier: the upstream nodes have far bigger reaches (and LPs).
    rng = np.random.default_rng(2)
    tiers: dict[str, list[str]] = defaultdict(list)
    for n in net.nodes:
        tiers[n.node_id.split("-")[0]].append(n.node_id)
    slow = 0.0
    timed = 0
    for members in tiers.values():
        k = max(1, round(sample * len(members) / len(net.nodes)))
        picked = rng.choice(members, size=min(k, len(members)), replace=False)
        t0 = time.perf_counter()
        for node_id in picked:
            tl = node_outage(net, str(node_id))
            cone = cone_of(compiled, tl.seeds(compiled.link_cust_node))
            tts = time_to_survive(compiled, tl, cone)
            units = value = 0.0
            if tl.ttr_weeks > tts:
                short = lost_need(compiled, tl, min(tl.ttr_weeks, HORIZON), cone)
                units = sum(s.units for s in short)
                value = sum(s.units * s.value_per_unit for s in short)
            mine = by_id[str(node_id)]
            assert _same(tts, mine.tts_weeks), (node_id, tts, mine.tts_weeks)
            assert _same(value, mine.lost_value, abs_=1e-3), (node_id, value, mine.lost_value)
            assert _same(units, mine.lost_units, abs_=1e-3), (node_id, units, mine.lost_units)
        slow += (time.perf_counter() - t0) / len(picked) * len(members)
        timed += len(picked)
    print(f"baseline node loop (week-by-week LPs per node): {timed} nodes timed by tier, "
          f"{slow:.1f} s for all, extrapolated (same TTS and losses); "
          f"ratio {slow / fast:.1f}x")  # fmt: skip

    t0 = time.perf_counter()
    looped = loop_build(net, build_weeks)
    t_loop = time.perf_counter() - t0
    everything = whole(compiled)
    tl = node_outage(net, net.nodes[0].node_id)
    t0 = time.perf_counter()
    cap, on = _caps(compiled, everything, tl, [0] * build_weeks)
    cap[:] = compiled.link_cap[everything.links, None]  # both matrices without the outage
    model, _ = build_lp(compiled, everything, cap, on, allow_unmet=True, tau_hi=1.0)
    t_vec = time.perf_counter() - t0
    diff = abs(model.A - looped).max() if looped.nnz else 0.0
    assert diff < 1e-9 and model.A.nnz == looped.nnz, diff
    print(f"LP build, whole network x {build_weeks} weeks ({model.num_cols:,} columns, "
          f"{model.A.nnz:,} entries): vectorised {t_vec * 1000:.1f} ms, Python loop "
          f"{t_loop * 1000:.1f} ms (same matrix); ratio {t_loop / t_vec:.1f}x")  # fmt: skip
    reach = [r.reach for r in risks]
    print(f"reach: mean {np.mean(reach):.1f} nodes, max {max(reach)} of {len(net.nodes)}; "
          f"{sum(r == 1 for r in reach)} nodes ship to nobody (no LP)")  # fmt: skip


def _python_year(rnd: random.Random, scenarios: list[Scenario], curves: list[LossCurve]) -> float:
    """One simulated year, the plain way."""
    total = 0.0
    for s, curve in zip(scenarios, curves, strict=True):
        if rnd.random() >= (s.probability or 0.0):
            continue
        d = s.duration
        if d is None or d.type == "fixed":
            weeks = d.weeks if d is not None else float(max(e.duration_weeks for e in s.events))
        elif d.type == "uniform":
            weeks = rnd.uniform(d.low, d.high)
        elif d.type == "triangular":
            weeks = rnd.triangular(d.low, d.high, d.mode)
        else:
            weeks = min(rnd.lognormvariate(math.log(d.median), d.sigma), d.max)
        total += _python_interp(weeks, curve)
    return total


def _python_interp(weeks: float, curve: LossCurve) -> float:
    xs, ys = curve.weeks.tolist(), curve.lost_value.tolist()
    if weeks >= xs[-1]:
        return ys[-1]
    i = bisect.bisect_right(xs, weeks)
    x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
    return y0 + (y1 - y0) * (weeks - x0) / (x1 - x0)


def bench_montecarlo(samples: int, names: list[str], lp_events: int) -> None:
    registry = generate_registry(7)
    net = generate_network(registry, 7)
    library = shipped_scenarios()
    scenarios = [library[n] for n in names]
    t0 = time.perf_counter()
    curves = [loss_curve(net, s) for s in scenarios]
    t_curves = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = monte_carlo(net, scenarios, samples, seed=1, curves=curves)
    t_sample = time.perf_counter() - t0
    grid = sum(c.weeks.size - 1 for c in curves)
    print(f"osatnet Monte Carlo: {samples:,} years x {len(scenarios)} scenarios "
          f"({len(net.nodes)} nodes): loss curves {t_curves:.2f} s ({grid} durations), "
          f"sampling {t_sample * 1000:.1f} ms, total {t_curves + t_sample:.2f} s; expected "
          f"{result.expected_loss:,.0f}, VaR95 {result.var:,.0f}, "
          f"CVaR95 {result.cvar:,.0f}")  # fmt: skip

    rnd = random.Random(1)
    t0 = time.perf_counter()
    years = [_python_year(rnd, scenarios, curves) for _ in range(samples)]
    t_loop = time.perf_counter() - t0
    mean, _, _ = risk_measures(np.asarray(years))
    # Different random streams: the means must agree within the sampling error.
    assert abs(mean - result.expected_loss) <= 6 * result.std_error * math.sqrt(2) + 1e-6
    # Same draws: numpy's durations evaluated one by one in Python give the same losses.
    rng = np.random.default_rng(1)
    check = min(samples, 2_000)
    for s, curve in zip(scenarios, curves, strict=True):
        dist = s.duration or FixedDuration(
            type="fixed", weeks=max(e.duration_weeks for e in s.events)
        )
        happens = rng.random(samples) < (s.probability or 0.0)
        weeks = dist.sample(rng, samples)
        mine = np.where(happens, curve(weeks), 0.0)[:check]
        plain = [_python_interp(float(w), curve) if h else 0.0
                 for w, h in zip(weeks[:check], happens[:check], strict=True)]  # fmt: skip
        assert np.allclose(mine, plain, rtol=1e-9, atol=1e-6)
    print(f"baseline sample loop (Python, one year at a time): {t_loop:.2f} s for the sampling "
          f"(same losses on the same draws; expected {mean:,.0f} on its own draws); "
          f"ratio {t_loop / t_sample:.0f}x on the sampling")  # fmt: skip

    events = [(s, d) for s in scenarios for d in (4, 8, 12)][:lp_events]
    t0 = time.perf_counter()
    for s, d in events:
        stress(net, with_duration(s, d))
    per_event = (time.perf_counter() - t0) / len(events)
    expected_events = samples * sum(s.probability or 0.0 for s in scenarios)
    naive = per_event * expected_events
    print(f"baseline LP per event: {per_event * 1000:.0f} ms per sampled event "
          f"({len(events)} timed), {expected_events:,.0f} events expected in {samples:,} years: "
          f"{naive:,.0f} s, extrapolated; ratio {naive / (t_curves + t_sample):.0f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick run for the smoke test")
    parser.add_argument("--nodes", type=int, default=5_000)
    parser.add_argument("--sample", type=int, default=100, help="nodes timed for baseline 2")
    parser.add_argument("--samples", type=int, default=100_000, help="Monte Carlo years")
    args = parser.parse_args()
    if args.small:
        bench_nodes(80, 5, 4)
        bench_montecarlo(10_000, ["malaysia-flood", "kumamoto-earthquake"], 2)
    else:
        bench_nodes(args.nodes, args.sample, 8)
        bench_montecarlo(args.samples, list(shipped_scenarios()), 6)


if __name__ == "__main__":
    main()
