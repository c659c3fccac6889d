"""The public structure of a blind release, and the linear work every node does on its shares.

Which member has a value for which site and process is public metadata (the operator-trusted
database stores it in clear too); the values, and whether a value is zero, are secret. From
the metadata alone every node derives the same :class:`Layout`: the table's cells with all
margins (numbered as :func:`osatnet.vault.sdc.build_table` numbers them), the cells each
record falls in, and the (member, cell) groups holding several records of one member, whose
contributor indicators must be OR-ed (a member counts once per cell).

Sums are linear, so each node adds its own shares locally (:meth:`Layout.cell_sums`): Shamir
sharing is linear and the result is a share of the cell's sum. Nothing here talks to anyone.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import InputError
from ..vault.sdc import TOTAL, DisclosureRules, audit, build_table, heuristic_pattern

__all__ = ["Layout", "value_free_pattern"]

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Layout:
    dims: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]  # per dimension, sorted levels then TOTAL
    members: tuple[str, ...]  # member of each record
    coords: tuple[tuple[str, ...], ...]  # dimension labels of each record
    record_cells: IntArray  # (records, 2**dims): every cell a record counts in
    single_record: IntArray  # record of each (member, cell) pair holding exactly one
    single_cell: IntArray  # … and that pair's cell
    # (member, cell) pairs holding several records, grouped by their number of records
    # rounded up to a power of two K: (cell of each pair, (pairs, K) records padded with -1).
    or_groups: tuple[tuple[IntArray, IntArray], ...]
    record_pairs: IntArray  # (records, 2**dims): the (member, cell) pair of each record's cell
    pair_cell: IntArray  # cell of every (member, cell) pair
    # Cells grouped by their number of member pairs rounded up to a power of two K:
    # (cells, (cells, K) pair numbers padded with -1), for the largest-contribution search.
    buckets: tuple[tuple[IntArray, IntArray], ...]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(lv) for lv in self.labels)

    @property
    def num_cells(self) -> int:
        return int(np.prod(self.shape))

    def cell_labels(self, cell: int) -> tuple[str, ...]:
        idx = np.unravel_index(cell, self.shape)
        return tuple(self.labels[d][int(i)] for d, i in enumerate(idx))

    @classmethod
    def build(
        cls, dims: Sequence[str], members: Sequence[str], coords: Sequence[Sequence[str]]
    ) -> Layout:
        if not members:
            raise InputError("no record to compute on")
        if not 1 <= len(dims) <= 4:
            raise InputError("a table has 1 to 4 dimensions")
        levels = [sorted({c[d] for c in coords}) for d in range(len(dims))]
        if any(TOTAL in lv for lv in levels):
            raise InputError(f"{TOTAL!r} is reserved for margins")
        labels = tuple((*lv, TOTAL) for lv in levels)
        shape = tuple(len(lv) for lv in labels)
        index = [{name: i for i, name in enumerate(lv)} for lv in levels]
        codes = np.array(
            [[index[d][c[d]] for d in range(len(dims))] for c in coords], dtype=np.int64
        ).reshape(len(coords), len(dims))
        columns = []
        for mask in itertools.product((False, True), repeat=len(dims)):
            cols = tuple(
                np.full(len(coords), size - 1) if m else codes[:, d]
                for d, (m, size) in enumerate(zip(mask, shape, strict=True))
            )
            columns.append(np.ravel_multi_index(cols, shape))
        record_cells = np.stack(columns, axis=1).astype(np.int64)
        pairs: dict[tuple[str, int], list[int]] = defaultdict(list)
        record_pairs = np.zeros_like(record_cells)
        pair_id: dict[tuple[str, int], int] = {}
        for r, member in enumerate(members):
            for col, cell in enumerate(record_cells[r]):
                key = (member, int(cell))
                pairs[key].append(r)
                record_pairs[r, col] = pair_id.setdefault(key, len(pair_id))
        pair_cell = np.array([cell for _, cell in pair_id], dtype=np.int64)
        singles = [(rs[0], cell) for (_, cell), rs in pairs.items() if len(rs) == 1]
        by_width: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)
        for (_, cell), rs in pairs.items():
            if len(rs) > 1:
                by_width[1 << (len(rs) - 1).bit_length()].append((cell, rs))
        or_groups = []
        for width, groups in sorted(by_width.items()):
            padded = np.full((len(groups), width), -1, dtype=np.int64)
            for g, (_, rs) in enumerate(groups):
                padded[g, : len(rs)] = rs
            or_groups.append((np.array([c for c, _ in groups], dtype=np.int64), padded))
        return cls(
            dims=tuple(dims), labels=labels, members=tuple(members),
            coords=tuple(tuple(c) for c in coords), record_cells=record_cells,
            single_record=np.array([s[0] for s in singles], dtype=np.int64),
            single_cell=np.array([s[1] for s in singles], dtype=np.int64),
            or_groups=tuple(or_groups), record_pairs=record_pairs, pair_cell=pair_cell,
            buckets=_buckets(pair_cell),
        )  # fmt: skip

    # -- local, linear work on one node's shares --------------------------------------------
    def cell_sums(self, shares: ObjArray, modulus: int) -> ObjArray:
        """Share of every cell's sum, from this node's shares of the records' values."""
        out = np.zeros(self.num_cells, dtype=object)
        for column in self.record_cells.T:
            np.add.at(out, column, shares)
        return np.asarray(out % modulus, dtype=object)

    def single_counts(self, present: ObjArray, modulus: int) -> ObjArray:
        """Share of every cell's number of contributors among single-record pairs."""
        out = np.zeros(self.num_cells, dtype=object)
        np.add.at(out, self.single_cell, present[self.single_record])
        return np.asarray(out % modulus, dtype=object)

    @staticmethod
    def absent_matrix(present: ObjArray, records: IntArray, modulus: int, one: int) -> ObjArray:
        """Shares of ``1 - b`` for the ``records`` matrix of an OR group (padding: 1).

        ``one`` is the encoding of 1. ``one - share`` is a share of ``1 - b`` because the
        constant polynomial ``one`` takes that value at every node's point; the padding is
        that constant itself.
        """
        absent = np.concatenate([(one - present) % modulus, np.array([one], dtype=object)])
        return np.asarray(absent[records], dtype=object)  # -1 picks the padding

    def pair_sums(self, shares: ObjArray, modulus: int) -> ObjArray:
        """Share of every member's contribution to every cell it is in (its records' sum)."""
        out = np.zeros(self.pair_cell.size, dtype=object)
        for col in range(self.record_pairs.shape[1]):
            np.add.at(out, self.record_pairs[:, col], shares)
        return np.asarray(out % modulus, dtype=object)

    def scatter(self, cells: IntArray, shares: ObjArray, modulus: int) -> ObjArray:
        """Shares added into their cells (a cell may repeat), zero elsewhere."""
        out = np.zeros(self.num_cells, dtype=object)
        np.add.at(out, cells, shares)
        return np.asarray(out % modulus, dtype=object)


def _buckets(pair_cell: IntArray) -> tuple[tuple[IntArray, IntArray], ...]:
    order = np.argsort(pair_cell, kind="stable")
    cells, starts, counts = np.unique(pair_cell[order], return_index=True, return_counts=True)
    width = np.array([1 << max(int(n) - 1, 0).bit_length() for n in counts])
    out = []
    for k in sorted(set(width.tolist())):
        chosen = np.flatnonzero(width == k)
        matrix = np.full((chosen.size, k), -1, dtype=np.int64)
        for row, c in enumerate(chosen):
            matrix[row, : counts[c]] = order[starts[c] : starts[c] + counts[c]]
        out.append((cells[chosen].astype(np.int64), matrix))
    return tuple(out)


def value_free_pattern(layout: Layout, passing: BoolArray, rules: DisclosureRules) -> BoolArray:
    """Cells to withhold: those failing the revealed rule, plus complementary cells.

    Chosen without any value: the sdc heuristic runs on a proxy table where every record
    weighs 1 (the public metadata), then the attacker's LP audits the proxy. A proxy interval
    of positive width proves the withheld cell is not a linear function of the published
    ones, and that does not depend on the values: no withheld cell can be recomputed exactly
    from the real release. The ±protection_pct interval of the operator-trusted mode is NOT
    guaranteed by this pattern alone (it needs the real magnitudes): :mod:`.protection`
    checks it on the secret sums and grows the pattern; see ``docs/firewall.md``.
    """
    columns: dict[str, list[str | float]] = {
        "contributor": list(layout.members),
        "value": [1.0] * len(layout.members),
        **{d: [c[i] for c in layout.coords] for i, d in enumerate(layout.dims)},
    }
    proxy = build_table(columns, layout.dims, dominance_n=rules.dominance_n)
    if proxy.shape != layout.shape:
        raise InputError("proxy table and layout disagree")  # same sorting: cannot happen
    sensitive = ~np.asarray(passing, dtype=np.bool_) & ~proxy.empty
    protection = np.where(sensitive, rules.protection(proxy.value), 0.0)
    suppressed = heuristic_pattern(proxy, sensitive, protection)
    if not audit(proxy, suppressed, protection).ok:
        suppressed = ~proxy.empty  # always safe: nothing but structural zeros published
    return np.asarray(suppressed | sensitive, dtype=np.bool_)
