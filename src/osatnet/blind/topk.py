"""Each cell's largest and second-largest member contribution, computed securely.

Needed by (n, k)-dominance and the p%-rule. A cell's member contributions (public: which
members are in the cell; secret: how much) are padded with zeros to a power of two ``K`` and
reduced by a tournament: first the two of each adjacent pair (one secure comparison), then
merges of two top-two lists ``(a1 ≥ a2)``, ``(b1 ≥ b2)`` into the top two of all four::

    t1 = max(a1, b1)                 c = [a1 ≥ b1]
    t2 = max(min(a1, b1), c ? a2 : b2)

two secure comparisons and three secure products per merge, ``log2 K`` rounds. Comparisons
are told the public bound on a contribution (records per member and cell × the input cap),
which makes them cheaper than MPyC's default full-width ones. Cells are
bucketed by ``K`` and every bucket is one secure array, so the work is batched over cells and
all buckets run concurrently (MPyC schedules secure operations as soon as their inputs are
ready). Padding zeros change nothing: contributions are never negative.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .field import MAX_ABS_VALUE, ONE, comparison_bits
from .layout import Layout

__all__ = ["top_two"]

ObjArray = npt.NDArray[np.object_]


def _tournament(rt: Any, m: Any, bits: int) -> tuple[Any, Any]:
    def at_least(a: Any, b: Any) -> Any:
        # a >= b as 1 - [a - b < 0], with MPyC told the true range of a - b (cheaper).
        return 1 - rt.np_sgn(a - b, l=bits, LT=True)

    x, y = m[:, 0::2], m[:, 1::2]
    c = at_least(x, y)
    a1 = c * (x - y) + y
    a2 = x + y - a1
    while a1.shape[1] > 1:
        l1, r1, l2, r2 = a1[:, 0::2], a1[:, 1::2], a2[:, 0::2], a2[:, 1::2]
        c = at_least(l1, r1)
        t1 = c * (l1 - r1) + r1
        low = l1 + r1 - t1
        partner = c * (l2 - r2) + r2
        d = at_least(low, partner)
        a1, a2 = t1, d * (low - partner) + partner
    return a1[:, 0], a2[:, 0]


async def top_two(
    rt: Any, secfxp: Any, layout: Layout, pair_values: ObjArray
) -> tuple[ObjArray, ObjArray]:
    """This node's shares of every cell's largest and second-largest contribution."""
    field = secfxp.field
    # A contribution is at most (records in its pair) x MAX_ABS_VALUE, in fixed point: every
    # compared difference fits in that many bits plus the sign (public bound, from metadata).
    per_pair = int(np.bincount(layout.record_pairs.reshape(-1)).max())
    bits = comparison_bits(per_pair * int(MAX_ABS_VALUE) * ONE)
    largest = np.zeros(layout.num_cells, dtype=object)
    second = np.zeros(layout.num_cells, dtype=object)
    padded = np.concatenate([pair_values, np.zeros(1, dtype=object)])  # -1: a shared zero
    pending = []
    for cells, index in layout.buckets:
        values = padded[index]
        if index.shape[1] == 1:
            largest[cells] = values[:, 0]  # one member: it is the largest, nobody second
            continue
        m = secfxp.array(field.array(values), integral=False)
        pending.append((cells, *_tournament(rt, m, bits)))
    for cells, a1, a2 in pending:
        largest[cells] = (await rt.gather(a1)).value
        second[cells] = (await rt.gather(a2)).value
    return largest, second
