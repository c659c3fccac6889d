"""Per-cell statistics over member contributions, margins (``TOTAL``) included."""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np

from ._gather import Record

__all__ = ["TOTAL", "CellContributions", "cell_contributions", "statistic"]

TOTAL = "TOTAL"
CellKey = tuple[str, ...]
CellContributions = dict[CellKey, dict[str, float]]


def cell_contributions(
    records: list[Record], dims: list[str], *, intensive: bool
) -> CellContributions:
    """Each member's contribution to every cell: the sum of its records there (the mean for
    intensive measures such as percentages and unit costs, so a member counts once)."""
    sums: dict[CellKey, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        coords = [r.dims[d] for d in dims]
        for mask in itertools.product((False, True), repeat=len(dims)):
            key = tuple(TOTAL if m else c for m, c in zip(mask, coords, strict=True))
            sums[key][r.member_id].append(r.value)
    reduce = np.mean if intensive else np.sum
    return {key: {m: float(reduce(v)) for m, v in members.items()} for key, members in sums.items()}


def statistic(stat: str, values: list[float]) -> float:
    arr = np.asarray(values, dtype=np.float64)
    if stat == "sum":
        return float(arr.sum())
    if stat == "mean":
        return float(arr.mean())
    if stat == "count":
        return float(arr.size)
    quantile = {"median": 50.0, "p25": 25.0, "p75": 75.0}[stat]
    return float(np.percentile(arr, quantile))
