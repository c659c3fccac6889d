"""Small random procurement rounds and games shared by the procurement tests."""

from __future__ import annotations

import itertools
import math

import numpy as np

from osatnet.procurement import Demand, Discount, PriceBreak, Quote, ResilienceRules


def random_quotes(
    rng: np.random.Generator, suppliers: int, category: str = "c", discount: Discount | None = None
) -> list[Quote]:
    out = []
    for j in range(suppliers):
        k = int(rng.integers(1, 4))
        mins = np.sort(rng.choice(np.arange(0, 20), size=k, replace=False)).astype(float)
        prices = np.sort(rng.integers(5, 20, size=k))[::-1].astype(float)
        cap = float(rng.integers(10, 40)) if rng.random() < 0.5 else None
        disc = discount or (Discount.ALL_UNITS if rng.random() < 0.5 else Discount.INCREMENTAL)
        out.append(
            Quote(
                f"s{j}",
                category,
                tuple(PriceBreak(float(a), float(b)) for a, b in zip(mins, prices, strict=True)),
                disc,
                cap,
                f"C{j % 2}",
            )
        )
    return out


def brute_force_cost(quotes: list[Quote], qty: int, rules: ResilienceRules) -> float:
    """Least cost over every integer split of ``qty`` between the quotes."""
    best = math.inf
    for split in itertools.product(range(qty + 1), repeat=len(quotes)):
        if sum(split) != qty:
            continue
        share = rules.max_supplier_share
        if share is not None and any(s > share * qty + 1e-9 for s in split):
            continue
        if rules.max_country_share is not None:
            by: dict[str | None, int] = {}
            for q, s in zip(quotes, split, strict=True):
                by[q.country] = by.get(q.country, 0) + s
            if any(v > rules.max_country_share * qty + 1e-9 for v in by.values()):
                continue
        if sum(1 for s in split if s >= 1) < rules.min_suppliers:
            continue
        best = min(best, sum(q.cost(s) for q, s in zip(quotes, split, strict=True)))
    return best


def random_round(
    rng: np.random.Generator, members: int, categories: int, suppliers: int = 2
) -> tuple[list[Demand], list[Quote]]:
    demands = [
        Demand(f"m{i:02d}", f"cat{k}", float(rng.integers(0, 60)))
        for i in range(members)
        for k in range(categories)
    ]
    quotes = []
    for k in range(categories):
        for j in range(suppliers):
            first = float(rng.integers(12, 20))
            quotes.append(
                Quote(
                    f"s{j}",
                    f"cat{k}",
                    (
                        PriceBreak(0.0, first),
                        PriceBreak(float(rng.integers(40, 120)), first * 0.85),
                        PriceBreak(float(rng.integers(200, 400)), first * 0.7),
                    ),
                )
            )
    return demands, quotes


def shapley_brute(v: np.ndarray, n: int) -> np.ndarray:
    """Shapley values by averaging marginal costs over all n! orders."""
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        mask = 0
        for i in order:
            phi[i] += v[mask | 1 << i] - v[mask]
            mask |= 1 << i
    return phi / math.factorial(n)
