"""Shapley values of a cost game: exact over all coalitions, or by permutation sampling.

Exact: member i pays ``sum over S not containing i of w(|S|) * (c(S+i) - c(S))`` with
``w(s) = s! (n-s-1)! / n!``. With ``v`` indexed by bitmask, the pairs (S, S+i) are the two
halves of axis i when ``v`` is reshaped to ``(2^(n-1-i), 2, 2^i)``, so each member is one
vectorised pass over the table.

Sampled: each random order of the members charges every member its marginal cost when it
joins; the Shapley value is the mean over orders. Each order is paired with its reverse
(antithetic sampling): early and late joiners swap, which cancels much of the variance of
economies of scale. The standard error of each member's mean is reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["SampledShapley", "shapley_exact", "shapley_sampled", "shapley_weights"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def shapley_weights(n: int) -> FloatArray:
    """``w[s] = s! (n-s-1)! / n!`` for coalition sizes ``s = 0..n-1``."""
    s = np.arange(n)
    # lgamma keeps the weights exact enough for n far beyond what the table allows.
    logs = np.array(
        [math.lgamma(k + 1) + math.lgamma(n - k) - math.lgamma(n + 1) for k in s.tolist()]
    )
    out: FloatArray = np.exp(logs)
    return out


def _scale(mean: FloatArray) -> FloatArray:
    """What each member's standard error is measured against: its own value, or the mean
    value for members whose value is about zero (a relative error of ~0 is meaningless)."""
    avg = float(np.abs(mean).mean()) + 1e-12
    out: FloatArray = np.where(np.abs(mean) > 1e-6 * avg, np.abs(mean), avg)
    return out


def _popcount(n: int) -> IntArray:
    pc = np.zeros(1, dtype=np.int64)
    for _ in range(n):
        pc = np.concatenate([pc, pc + 1])
    return pc


def shapley_exact(v: FloatArray) -> FloatArray:
    """Exact Shapley values of the game tabulated by bitmask in ``v`` (``len(v) == 2**n``)."""
    size = int(v.shape[0])
    n = size.bit_length() - 1
    if size != 1 << n:
        raise ValueError(f"a game table needs 2**n entries, got {size}")
    w = shapley_weights(n)[np.minimum(_popcount(n), max(n - 1, 0))] if n else np.zeros(1)
    phi = np.zeros(n)
    for i in range(n):
        vv = v.reshape(size >> (i + 1), 2, 1 << i)
        ww = w.reshape(size >> (i + 1), 2, 1 << i)[:, 0, :]
        phi[i] = float(np.sum(ww * (vv[:, 1, :] - vv[:, 0, :])))
    return phi


@dataclass(frozen=True)
class SampledShapley:
    values: FloatArray
    std_error: FloatArray
    permutations: int
    target_reached: bool


def shapley_sampled(
    n: int,
    prefix_costs: Callable[[IntArray], FloatArray],
    *,
    samples: int | None = None,
    target_rel_se: float = 0.005,
    max_samples: int = 200_000,
    batch: int = 256,
    seed: int = 0,
) -> SampledShapley:
    """Shapley values by antithetic permutation sampling.

    ``prefix_costs(perms)`` returns the cost of each prefix (perms x n+1). With ``samples``
    the run uses that many permutations (rounded up to even); otherwise it stops once every
    member's standard error is at most ``target_rel_se`` of its value (members whose value
    is ~0 are held to ``target_rel_se`` of the mean value), or at ``max_samples``.
    """
    rng = np.random.default_rng(seed)
    pair_values: list[FloatArray] = []
    pairs_done = 0
    goal_pairs = (samples + 1) // 2 if samples is not None else None
    max_pairs = max(2, max_samples // 2)
    step = batch
    while True:
        want = step if goal_pairs is None else min(step, goal_pairs - pairs_done)
        perms = np.argsort(rng.random((want, n)), axis=1)
        both = np.concatenate([perms, perms[:, ::-1]])
        marg_ordered = np.diff(prefix_costs(both), axis=1)
        marg = np.empty_like(marg_ordered)
        np.put_along_axis(marg, both, marg_ordered, axis=1)
        pair_values.append(0.5 * (marg[:want] + marg[want:]))
        pairs_done += want
        data = np.concatenate(pair_values)
        mean = data.mean(axis=0)
        se = data.std(axis=0, ddof=1) / math.sqrt(pairs_done) if pairs_done > 1 else None
        if goal_pairs is not None:
            if pairs_done >= goal_pairs:
                break
            continue
        assert se is not None
        scale = _scale(mean)
        ratio = float(np.max(se / scale))
        if ratio <= target_rel_se or pairs_done >= max_pairs:
            break
        # Standard error falls like 1/sqrt(samples): aim straight at the target, with margin.
        need = math.ceil(pairs_done * (ratio / target_rel_se) ** 2 * 1.1) - pairs_done
        step = int(min(max(need, batch), max_pairs - pairs_done))
    if se is None:
        se = np.full(n, np.nan)
    scale = _scale(mean)
    return SampledShapley(
        values=mean,
        std_error=se,
        permutations=2 * pairs_done,
        target_reached=bool(np.all(se <= target_rel_se * scale)),
    )
