"""Time to survive for every node of a supply network, against two plain baselines.

    python benchmarks/risk.py [--small] [--nodes 500] [--sample 5]

Builds a synthetic four-tier network (raw-material makers, two tiers of component makers,
member sites; about 4 links per non-raw node, bills of materials at every tier, stock at
every tier) of about 500 nodes and 2,000 links, then times:

1. osatnet: every node down in turn; TTS by one LP over the node's downstream reach, and when
   TTR > TTS the weekly lost-value LP over min(TTR, 26) weeks, both built from index arrays;
2. baseline "whole network": the same LPs over the whole network instead of the reach, for a
   sample of nodes (per-node time x number of nodes); the TTS and losses must agree;
3. baseline "loop build": the 26-week LP of the whole network assembled with a Python loop
   per variable and constraint entry, against the vectorised build; the matrices must agree.

``--small`` runs a reduced version in a few seconds (used by a smoke test).
"""

from __future__ import annotations

import argparse
import math
import time
from collections import defaultdict

import numpy as np
import scipy.sparse as sp

from osatnet.risk import BomLine, Link, Need, Network, Node, NodeKind, node_outage, node_risks
from osatnet.risk._lp import build_lp, cone_of, whole
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick run for the smoke test")
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--sample", type=int, default=5, help="nodes timed for baseline 1")
    args = parser.parse_args()
    n_nodes, sample = (80, 5) if args.small else (args.nodes, args.sample)
    t0 = time.perf_counter()
    net = synthetic(n_nodes)
    print(f"network: {len(net.nodes)} nodes, {len(net.links)} links, {len(net.bom)} BOM lines"
          f" (built in {time.perf_counter() - t0:.2f} s)")  # fmt: skip

    t0 = time.perf_counter()
    risks = node_risks(net, HORIZON)
    fast = time.perf_counter() - t0
    at_risk = sum(r.at_risk for r in risks)
    print(f"osatnet: TTS/TTR of all {len(risks)} nodes in {fast:.2f} s "
          f"({at_risk} with TTS < TTR)")  # fmt: skip

    compiled = net.compile()
    everything = whole(compiled)
    by_id = {r.node_id: r for r in risks}
    rng = np.random.default_rng(2)
    picked = rng.choice(len(net.nodes), size=min(sample, len(net.nodes)), replace=False)
    t0 = time.perf_counter()
    for i in picked:
        node_id = net.nodes[int(i)].node_id
        tl = node_outage(net, node_id)
        tts = time_to_survive(compiled, tl, everything)
        lost = 0.0
        if tl.ttr_weeks > tts:
            weeks = min(tl.ttr_weeks, HORIZON)
            short = lost_need(compiled, tl, weeks, everything)
            lost = sum(s.units * s.value_per_unit for s in short)
        mine = by_id[node_id]
        same_tts = (math.isinf(tts) and math.isinf(mine.tts_weeks)) or math.isclose(
            tts, mine.tts_weeks, rel_tol=1e-5, abs_tol=1e-6
        )
        assert same_tts, (node_id, tts, mine.tts_weeks)
        assert math.isclose(lost, mine.lost_value, rel_tol=1e-5, abs_tol=1e-3), node_id
    per_node = (time.perf_counter() - t0) / len(picked)
    slow = per_node * len(net.nodes)
    print(f"baseline whole network: {per_node * 1000:.1f} ms per node on {len(picked)} nodes, "
          f"{slow:.1f} s for all (same TTS and losses); ratio {slow / fast:.1f}x")  # fmt: skip

    t0 = time.perf_counter()
    looped = loop_build(net, HORIZON)
    t_loop = time.perf_counter() - t0
    tl = node_outage(net, net.nodes[0].node_id)
    t0 = time.perf_counter()
    cap, on = _caps(compiled, everything, tl, [0] * HORIZON)
    cap[:] = compiled.link_cap[everything.links, None]  # both matrices without the outage
    model, _ = build_lp(compiled, everything, cap, on, allow_unmet=True, tau_hi=1.0)
    t_vec = time.perf_counter() - t0
    diff = abs(model.A - looped).max() if looped.nnz else 0.0
    assert diff < 1e-9 and model.A.nnz == looped.nnz, diff
    print(f"LP build, whole network x {HORIZON} weeks ({model.num_cols:,} columns, "
          f"{model.A.nnz:,} entries): vectorised {t_vec * 1000:.1f} ms, Python loop "
          f"{t_loop * 1000:.1f} ms (same matrix); ratio {t_loop / t_vec:.1f}x")  # fmt: skip
    cone_sizes = [cone_of(compiled, node_outage(net, n.node_id).seeds(compiled.link_cust_node))
                  for n in net.nodes[:: max(1, len(net.nodes) // 50)]]  # fmt: skip
    print(f"mean reach: {np.mean([c.nodes.sum() for c in cone_sizes]):.1f} nodes "
          f"of {len(net.nodes)}")  # fmt: skip


if __name__ == "__main__":
    main()
