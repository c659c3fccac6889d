"""Refuse releases that, with earlier ones, would single out members by subtraction.

Two published cells whose domains are nested (say ``process=final_test`` and
``process=final_test, region=Kyushu``) reveal, by subtraction, the total of their difference
(final test outside Kyushu). If fewer than ``min_contributors`` members have data in that
difference, the pair discloses them: the release is refused. Differences are evaluated on the
actual records, so only real exposures are refused.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ._gather import Record

__all__ = ["Domain", "find_differencing"]

Domain = tuple[str, dict[str, str]]  # (cell description, dimension -> label; margins omitted)
Key = frozenset[tuple[str, str]]


class _Masks:
    """Which records fall in a domain; cached per domain."""

    def __init__(self, records: Sequence[Record]) -> None:
        dims = sorted({d for r in records for d in r.dims})
        self.columns = {d: np.array([r.dims.get(d, "") for r in records]) for d in dims}
        _, self.member = np.unique([r.member_id for r in records], return_inverse=True)
        self.n = len(records)
        self._cache: dict[Key, npt.NDArray[np.bool_]] = {}

    def __call__(self, key: Key) -> npt.NDArray[np.bool_]:
        if key not in self._cache:
            mask = np.ones(self.n, dtype=np.bool_)
            for dim, label in key:
                column = self.columns.get(dim)
                mask &= column == label if column is not None else False
            self._cache[key] = mask
        return self._cache[key]

    def members(self, mask: npt.NDArray[np.bool_]) -> int:
        return int(np.unique(self.member[mask]).size)


def find_differencing(
    records: Sequence[Record], new: Sequence[Domain], old: Sequence[Domain], min_contributors: int
) -> tuple[str, str, int] | None:
    """The first (new cell, earlier cell, members in their difference) that isolates fewer than
    ``min_contributors`` members. Cells of the new table are not compared with each other:
    within a table, secondary suppression already covers every additive relation."""
    if not new or not old or not records:
        return None
    masks = _Masks(records)
    exact: dict[Key, list[str]] = defaultdict(list)  # old cells by their domain
    within: dict[Key, list[tuple[Key, str]]] = defaultdict(list)  # old cells under a domain
    for description, labels in old:
        key = frozenset(labels.items())
        exact[key].append(description)
        for size in range(len(key)):
            for sub in itertools.combinations(sorted(key), size):
                within[frozenset(sub)].append((key, description))
    for description, labels in new:
        key = frozenset(labels.items())
        pairs: list[tuple[Key, Key, str]] = []
        for size in range(len(key)):  # earlier cells containing this one
            for sub in itertools.combinations(sorted(key), size):
                pairs += [(frozenset(sub), key, d) for d in exact.get(frozenset(sub), [])]
        pairs += [(key, inner, d) for inner, d in within.get(key, [])]  # earlier cells inside it
        for big, small, other in pairs:
            gap = masks.members(masks(big) & ~masks(small))
            if 0 < gap < min_contributors:
                return description, other, gap
    return None
