"""The secure computation of one blind table, run by every node on its own shares.

Steps, batched over all cells with MPyC secure arrays (never lists of secure numbers), all in
MPyC's ``SecFxp(96, 16)`` (:mod:`.field`):

0. **Validity** of every record, on the shares (:mod:`.validity`): one bit revealed.
1. **Sums** — each node adds its shares of the records' values per cell, margins included
   (local: Shamir sharing is linear).
2. **Contributor counts** — a member with one record in a cell adds its 0/1 indicator share
   (local). A member with several records in a cell counts once: ``1 - Π(1 - b)`` over its
   records, by a tree of element-wise secure products (``log2`` rounds for all cells at once).
3. **Minimum contributors** — per cell the secure bit ``c·(c - n) ≥ 0``, true exactly when
   ``c = 0`` or ``c ≥ n`` for integer ``c ≥ 0``.
4. **Dominance and p%** (``checks="all"``) — each cell's two largest member contributions
   (:mod:`.topk`), then ``100·(L1 + L2) - k·S > 0`` and ``100·(S - L1 - L2) - p·L1 < 0``:
   secure comparisons, integer coefficients, exact in fixed point.
5. **Revealed: one bit per cell**, "publishable" (no rule fails), to the nodes. Which rule
   failed, the count, the sum and the largest contributions of a failing cell stay secret.
6. **Complementary cells** — every node derives the same withheld set from the bits and the
   public metadata (:func:`.layout.value_free_pattern`). **Protection** (:mod:`.protection`):
   revealed, the sums of the cells that pattern publishes; every withheld primary cell's
   attacker interval, in the clear; revealed, one bit per such cell, "protected (±q)"; where
   one is not, more cells are withheld (the nodes saw their sums) and checked again.
7. **Revealed: the count of every published cell** (its sum came in 6), nothing about
   withheld ones.
8. **Mean and quartiles** the job asks for, of published cells only (:mod:`.stats`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError, InputError
from ..vault.sdc import DisclosureRules
from .field import FRACTION_BITS, MAX_ABS_VALUE, ONE, VALUE_BITS, comparison_bits, value_modulus
from .job import BlindJob
from .layout import Layout, value_free_pattern
from .protection import protect_withheld
from .stats import published_stats
from .topk import top_two
from .validity import check_inputs

__all__ = ["Revealed", "compute"]

ObjArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Revealed:
    """Everything the nodes learned: one bit per cell, then published cells' figures."""

    passing: BoolArray  # every primary rule passed (count 0 counts as passing), every cell
    withheld: BoolArray  # failing cells and their complementary cells
    counts: dict[int, int]  # published cell -> contributors
    sums: dict[int, float]  # published cell -> sum
    # further statistics of published cells: name ("mean", "p25", …) -> cell -> value
    stats: dict[str, dict[int, float]] = field(default_factory=dict)
    # beyond the release, to the nodes only: protection bits, sums of cells withheld later
    protection_bits: int = 0
    seen_withheld: int = 0


def _secfxp(rt: Any) -> Any:
    secfxp = rt.SecFxp(VALUE_BITS, FRACTION_BITS)
    # The members' clients computed this prime offline; a mismatch would silently garble.
    if int(secfxp.field.modulus) != value_modulus():
        raise ConfigError("MPyC's field differs from the clients' (security parameter -K?)")
    return secfxp


def _whole(percent: float, what: str) -> int:
    # Integer coefficients keep the rules' comparisons exact in fixed point.
    if percent != int(percent):
        raise InputError(f"blind mode takes a whole-number {what}, got {percent:g}")
    return int(percent)


async def _counts(rt: Any, secfxp: Any, layout: Layout, present: ObjArray) -> Any:
    p = int(secfxp.field.modulus)
    counts = layout.single_counts(present, p)
    pending = []
    for cells, records in layout.or_groups:
        # integral=True: products of 0/1 values need no (probabilistic) truncation in MPyC.
        absent = secfxp.array(
            secfxp.field.array(layout.absent_matrix(present, records, p, ONE)), integral=True
        )
        while absent.shape[1] > 1:
            half = absent.shape[1] // 2
            absent = absent[:, :half] * absent[:, half:]
        pending.append((cells, absent[:, 0]))  # every width's tree runs concurrently
    for cells, none_present in pending:
        # Back to this node's own shares for the scatter into cells: a local, linear step.
        shares = await rt.gather(none_present)
        ors = (ONE - np.asarray(shares.value, dtype=object)) % p
        counts = (counts + layout.scatter(cells, ors, p)) % p
    return secfxp.array(secfxp.field.array(counts), integral=True)


async def _magnitude_ok(
    rt: Any, secfxp: Any, layout: Layout, values: ObjArray, sums: ObjArray, rules: DisclosureRules
) -> Any:
    """Secure 0/1 per cell: neither dominance nor the p%-rule fails."""
    if rules.dominance_n not in (1, 2):
        raise InputError("blind mode computes (n, k)-dominance for n = 1 or 2")
    k = _whole(rules.dominance_k, "dominance k")
    p_pct = _whole(rules.p_percent, "p%")
    field = secfxp.field
    largest, second = await top_two(
        rt, secfxp, layout, layout.pair_sums(values, int(field.modulus))
    )
    s = secfxp.array(field.array(sums), integral=False)
    l1 = secfxp.array(field.array(largest), integral=False)
    l2 = secfxp.array(field.array(second), integral=False)
    top = l1 + l2 if rules.dominance_n == 2 else l1
    # |100·top - k·S| and |100·rest - p·L1| are at most (200 + max(k, p)) × S, and S at most
    # (records in the grand total) × the input cap: the public bound MPyC is told.
    widest = (200 + max(k, p_pct)) * len(layout.members) * int(MAX_ABS_VALUE) * ONE
    bits = comparison_bits(widest)
    dominant = rt.np_sgn(s * k - top * 100, l=bits, LT=True)  # 100·top > k·S
    p_rule = rt.np_sgn((s - l1 - l2) * 100 - l1 * p_pct, l=bits, LT=True)
    return (1 - dominant) * (1 - p_rule)


async def compute(
    rt: Any, layout: Layout, values: ObjArray, present: ObjArray, job: BlindJob
) -> Revealed:
    """Run the protocol; ``values``/``present`` are this node's shares, one per record.

    ``job.checks="min_contributors"`` applies that rule only; ``"all"`` adds dominance and p%.
    """
    rules, checks = job.rules, job.checks
    secfxp = _secfxp(rt)
    # Before anything else: every record valid, or every node stops here (one bit revealed).
    await check_inputs(rt, secfxp, layout, values, present, job)
    sums = layout.cell_sums(values, int(secfxp.field.modulus))
    c = await _counts(rt, secfxp, layout, present)
    # c·(c - n) >= 0 with MPyC told its public range: |c·(c - n)| <= max(members, n)**2.
    n = rules.min_contributors
    widest = max(len(set(layout.members)), n) ** 2 * ONE
    ok = 1 - rt.np_sgn(c * (c - n), l=comparison_bits(widest), LT=True)
    if checks == "all":
        ok = ok * await _magnitude_ok(rt, secfxp, layout, values, sums, rules)
    elif checks != "min_contributors":
        raise InputError(f"checks must be 'all' or 'min_contributors', got {checks!r}")
    passing = np.asarray(await rt.output(ok), dtype=np.float64) > 0.5
    withheld = value_free_pattern(layout, passing, rules)
    # Reveals that pattern's published sums, grows it until every primary cell is protected.
    first = withheld
    withheld, figures, bits = await protect_withheld(
        rt, secfxp, layout, sums, passing, withheld, rules
    )
    seen = int(np.count_nonzero(~first & withheld))
    published = np.flatnonzero(~withheld)
    if published.size == 0:
        return Revealed(passing, withheld, {}, {}, protection_bits=bits, seen_withheld=seen)
    counts = await rt.output(c[published])
    totals = figures[published]
    revealed = Revealed(
        passing=passing,
        withheld=withheld,
        counts={int(i): round(float(n)) for i, n in zip(published, counts, strict=True)},
        sums={int(i): float(s) for i, s in zip(published, totals, strict=True)},
        protection_bits=bits,
        seen_withheld=seen,
    )
    # Last: mean and quartiles of the cells published in the end (``revealed.withheld``).
    return await published_stats(rt, secfxp, layout, values, job, revealed)
