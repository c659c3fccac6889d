"""Differential privacy for released counts, sums and means (Laplace mechanism, via OpenDP).

Each member's contributions are scaled down so that their total over the table's finest cells
is at most ``bound``. A finest cell feeds itself and its margins, 2**d cells in a d-dimensional
table, so adding or removing one member moves the published vector by at most 2**d * bound
(L1): that is the sensitivity the noise is calibrated to. Means are noisy sums divided by the
published contributor counts. For counts, ``bound`` is the number of finest cells a member may
count in (its largest ones); the sensitivity is then 2**d * bound.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from ..errors import OsatnetError
from ._cellstats import TOTAL

if TYPE_CHECKING:
    from .releases import ReleaseCell

__all__ = ["add_noise"]

CellKey = tuple[str, ...]


def _clamped_sums(
    per_cell: dict[CellKey, dict[str, float]], dims: int, bound: float
) -> dict[CellKey, float]:
    finest = {k: v for k, v in per_cell.items() if TOTAL not in k}
    totals: dict[str, float] = defaultdict(float)
    for members in finest.values():
        for m, v in members.items():
            totals[m] += abs(v)
    scale = {m: min(1.0, bound / t) if t > 0 else 1.0 for m, t in totals.items()}
    sums: dict[CellKey, float] = defaultdict(float)
    for key, members in finest.items():
        clamped = sum(v * scale[m] for m, v in members.items())
        for mask in itertools.product((False, True), repeat=dims):
            sums[tuple(TOTAL if t else c for t, c in zip(mask, key, strict=True))] += clamped
    return sums


def _truncated_counts(
    per_cell: dict[CellKey, dict[str, float]], dims: int, bound: float
) -> dict[CellKey, float]:
    """Contributor counts where each member counts in at most ``bound`` finest cells (its
    largest), so one member moves at most 2**d * bound counts."""
    finest = {k: v for k, v in per_cell.items() if TOTAL not in k}
    cells_of: dict[str, list[tuple[float, CellKey]]] = defaultdict(list)
    for key, members in finest.items():
        for m, v in members.items():
            cells_of[m].append((abs(v), key))
    counts: dict[CellKey, float] = defaultdict(float)
    for entries in cells_of.values():
        for _, key in sorted(entries, reverse=True)[: int(bound)]:
            for mask in itertools.product((False, True), repeat=dims):
                counts[tuple(TOTAL if t else c for t, c in zip(mask, key, strict=True))] += 1.0
    return counts


def add_noise(
    cells: list[ReleaseCell],
    per_cell: dict[CellKey, dict[str, float]],
    by: list[str],
    stat: str,
    epsilon: float,
    bound: float,
) -> list[ReleaseCell]:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    if stat == "count":
        bound = float(max(1, int(bound)))  # for counts the bound is a number of cells
        sums = _truncated_counts(per_cell, len(by), bound)
    else:
        sums = _clamped_sums(per_cell, len(by), bound)
    sensitivity = float(2 ** len(by)) * bound
    shown = [i for i, c in enumerate(cells) if c.value is not None]
    exact = [sums.get(tuple(cells[i].labels[d] for d in by), 0.0) for i in shown]
    space = (dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l1_distance(T=float))
    mechanism = dp.m.make_laplace(*space, scale=sensitivity / epsilon)
    spent = float(mechanism.map(sensitivity))  # type: ignore[no-untyped-call]
    if spent > epsilon * (1 + 1e-9):
        raise OsatnetError("the Laplace mechanism would spend more than the requested epsilon")
    noisy = np.asarray(mechanism(exact), dtype=np.float64) if exact else np.zeros(0)
    out = list(cells)
    for i, value in zip(shown, noisy, strict=True):
        cell = cells[i]
        # Clipping at zero is post-processing: it costs no privacy and avoids negative totals.
        total = max(0.0, float(value))
        if stat == "mean":
            published = total / max(cell.contributors or 1, 1)
        else:
            published = round(total) if stat == "count" else total
        out[i] = cell.model_copy(update={"value": published})
    return out
