"""The magnitude table: cells with all margins, per-cell contributor statistics, additivity.

A table over ``n`` dimensions (1 ≤ n ≤ 4) has, per dimension, its category levels plus a last
level ``TOTAL``. Cells are numbered in C order over the shape ``(L_0 + 1, …, L_{n-1} + 1)``.

Contributors are members. A member's contribution to a cell is the sum of all its records in
the cell (a member with several sites in one cell is one contributor), and only a positive
contribution counts as a contributor: a member reporting 0 hides nobody.

Empty cells (no contributor) have value 0 and are *structural zeros*: the release publishes
their contributor count (0), so an attacker knows they are 0. They are never suppressed and
enter the attacker's LP as known zeros.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from osatnet.errors import InputError

__all__ = ["TOTAL", "Table", "build_table"]

TOTAL = "TOTAL"
MAX_DIMS = 4

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Table:
    """Cell statistics of one table, margins included (arrays indexed by flat cell number)."""

    dims: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]  # per dimension, its levels then "TOTAL"
    value: FloatArray  # sum of the contributions
    contributors: IntArray  # number of members with a positive contribution
    largest: FloatArray
    second: FloatArray
    top_n: FloatArray  # sum of the n largest contributions
    dominance_n: int
    relations: sp.csr_array  # rows: TOTAL cell minus its terms, = 0

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(lv) for lv in self.labels)

    @property
    def num_cells(self) -> int:
        return int(self.value.shape[0])

    @property
    def coords(self) -> IntArray:
        """``(num_cells, n_dims)`` level index of every cell (the last index is ``TOTAL``)."""
        grid = np.unravel_index(np.arange(self.num_cells), self.shape)
        return np.stack(grid, axis=1).astype(np.int64)

    @property
    def empty(self) -> BoolArray:
        return np.asarray(self.contributors == 0, dtype=np.bool_)

    def cell_labels(self, cell: int) -> tuple[str, ...]:
        idx = np.unravel_index(cell, self.shape)
        return tuple(self.labels[d][int(i)] for d, i in enumerate(idx))

    def cell_index(self, *labels: str) -> int:
        """Flat number of the cell with these labels (one per dimension)."""
        if len(labels) != len(self.dims):
            raise InputError(f"expected {len(self.dims)} labels, got {len(labels)}")
        idx = []
        for d, lab in enumerate(labels):
            if lab not in self.labels[d]:
                raise InputError(f"unknown level {lab!r}", column=self.dims[d])
            idx.append(self.labels[d].index(lab))
        return int(np.ravel_multi_index(tuple(idx), self.shape))


def build_table(
    contributions: Mapping[str, Any],
    dims: Sequence[str],
    *,
    levels: Mapping[str, Sequence[str]] | None = None,
    dominance_n: int = 2,
) -> Table:
    """Build the table from columns ``contributor``, ``value`` and one per dimension.

    Columns are anything ``numpy.asarray`` accepts (arrays, lists), all of one length.

    ``levels`` optionally lists the categories of a dimension (in order), so that categories
    without any record still get (empty) cells; otherwise the levels are the sorted distinct
    codes. Codes are compared as strings.
    """
    dims = tuple(dims)
    if not 1 <= len(dims) <= MAX_DIMS:
        raise InputError(f"a table has 1 to {MAX_DIMS} dimensions, got {len(dims)}")
    if len(set(dims)) != len(dims):
        raise InputError(f"dimensions repeat: {', '.join(dims)}")
    if dominance_n < 1:
        raise InputError("dominance_n must be at least 1")
    for col in ("contributor", "value", *dims):
        if col not in contributions:
            raise InputError("missing column", column=col)
    value = np.asarray(contributions["value"], dtype=np.float64).reshape(-1)
    n_rec = value.shape[0]
    if not np.all(np.isfinite(value)) or np.any(value < 0):
        bad = int(np.flatnonzero(~np.isfinite(value) | (value < 0))[0])
        raise InputError(f"record {bad}: value must be finite and >= 0", column="value")
    _, who = np.unique(
        _strings(contributions["contributor"], n_rec, "contributor"), return_inverse=True
    )
    labels, codes = [], []
    for d in dims:
        lab, code = _encode(_strings(contributions[d], n_rec, d), d, (levels or {}).get(d))
        labels.append(lab)
        codes.append(code)
    shape = tuple(len(lv) for lv in labels)
    cell, contrib = _expand(codes, who.reshape(-1).astype(np.int64), value, shape)
    value_sum, count, largest, second, top_n = _cell_stats(
        cell, contrib, int(np.prod(shape)), dominance_n
    )
    return Table(
        dims=dims,
        labels=tuple(labels),
        value=value_sum,
        contributors=count,
        largest=largest,
        second=second,
        top_n=top_n,
        dominance_n=dominance_n,
        relations=additivity(shape),
    )


def _strings(values: Any, n: int, column: str) -> npt.NDArray[np.str_]:
    arr = np.asarray(values).reshape(-1).astype(str)
    if arr.shape[0] != n:
        raise InputError(f"has {arr.shape[0]} entries, value has {n}", column=column)
    return arr


def _encode(
    codes: npt.NDArray[np.str_], dim: str, declared: Sequence[str] | None
) -> tuple[tuple[str, ...], IntArray]:
    """Level labels (``TOTAL`` last) and the level index of every record."""
    if declared is None:
        levels, index = np.unique(codes, return_inverse=True)
        names = tuple(str(v) for v in levels)
    else:
        names = tuple(str(v) for v in declared)
        if not names:
            raise InputError("dimension has no level", column=dim)
        if len(set(names)) != len(names):
            raise InputError("declared levels repeat", column=dim)
        order = np.argsort(np.asarray(names, dtype=str), kind="stable")
        sorted_names = np.asarray(names, dtype=str)[order]
        pos = np.searchsorted(sorted_names, codes)
        pos_c = np.minimum(pos, len(names) - 1)
        known = (pos < len(names)) & (sorted_names[pos_c] == codes)
        if not np.all(known):
            raise InputError(f"undeclared level {str(codes[~known][0])!r}", column=dim)
        index = order[pos_c]
    if TOTAL in names:
        raise InputError(f"{TOTAL!r} is reserved for margins", column=dim)
    if not names:
        raise InputError("dimension has no level", column=dim)
    return (*names, TOTAL), np.asarray(index, dtype=np.int64).reshape(-1)


def _expand(
    codes: list[IntArray], who: IntArray, value: FloatArray, shape: tuple[int, ...]
) -> tuple[IntArray, FloatArray]:
    """Per (cell, contributor) pair, the summed contribution, margins included.

    Every record is counted in its own cell and in each of its 2^n - 1 margin cells (some
    coordinates replaced by ``TOTAL``); pairs are then merged by one ``np.unique``.
    """
    n_contrib = int(who.max()) + 1 if who.size else 1
    cells = []
    for mask in product((False, True), repeat=len(shape)):
        coords = tuple(
            np.full_like(c, size - 1) if m else c
            for c, m, size in zip(codes, mask, shape, strict=True)
        )
        cells.append(np.ravel_multi_index(coords, shape).astype(np.int64))
    cell = np.concatenate(cells) if cells else np.zeros(0, dtype=np.int64)
    key = cell * n_contrib + np.tile(who, len(cells))
    pairs, inverse = np.unique(key, return_inverse=True)
    sums = np.bincount(
        inverse.reshape(-1), weights=np.tile(value, len(cells)), minlength=pairs.size
    )
    positive = sums > 0
    return (pairs // n_contrib)[positive].astype(np.int64), np.asarray(sums[positive], np.float64)


def _cell_stats(
    cell: IntArray, contrib: FloatArray, num_cells: int, top: int
) -> tuple[FloatArray, IntArray, FloatArray, FloatArray, FloatArray]:
    """Value, contributors, largest, second and sum of the ``top`` largest per cell."""
    order = np.lexsort((-contrib, cell))
    cell, contrib = cell[order], contrib[order]
    starts = np.searchsorted(cell, cell, side="left")
    rank = np.arange(cell.size) - starts
    count = np.bincount(cell, minlength=num_cells).astype(np.int64)
    value = np.bincount(cell, weights=contrib, minlength=num_cells)
    largest = np.zeros(num_cells)
    second = np.zeros(num_cells)
    largest[cell[rank == 0]] = contrib[rank == 0]
    second[cell[rank == 1]] = contrib[rank == 1]
    keep = rank < top
    top_n = np.bincount(cell[keep], weights=contrib[keep], minlength=num_cells)
    return np.asarray(value, np.float64), count, largest, second, np.asarray(top_n, np.float64)


def additivity(shape: tuple[int, ...]) -> sp.csr_array:
    """Rows ``cell(…, TOTAL, …) - Σ_v cell(…, v, …) = 0`` for every dimension and line."""
    num_cells = int(np.prod(shape))
    coords = np.unravel_index(np.arange(num_cells), shape)
    rows, cols, vals = [], [], []
    offset = 0
    for d, size in enumerate(shape):
        total_coords = tuple(
            np.full_like(c, size - 1) if e == d else c for e, c in enumerate(coords)
        )
        total_cell = np.ravel_multi_index(total_coords, shape)
        # Number each line by its TOTAL cell, compacted to 0..lines-1.
        line_ids, line = np.unique(total_cell, return_inverse=True)
        is_total = coords[d] == size - 1
        rows.append(offset + line.reshape(-1))
        cols.append(np.arange(num_cells))
        vals.append(np.where(is_total, 1.0, -1.0))
        offset += line_ids.size
    return sp.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(offset, num_cells),
    )
