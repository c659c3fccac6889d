"""Core check and least core of a cost game.

An allocation ``x`` (what each member pays) is in the *core* when no group S pays more in
total than it would buying alone: ``x(S) <= c(S)`` for every S. The *excess* of S is
``x(S) - c(S)``; a positive excess means S has a reason to leave.

* Small alliances (n <= 20): the excess of all 2^n groups is one vectorised subtraction
  (subset sums of ``x`` minus the game table), so the most violated group is exact.
* Large alliances: a separation heuristic — a local search over groups that adds or drops
  the one member improving the excess most, started from every single member, every
  "all but one" group and random groups. It can miss a violated group (then the answer
  says ``exact=False``), but a group it reports is really violated.
* Least core: ``min eps  s.t.  x(S) - eps <= c(S) for all proper S,  x(N) = total``, an LP
  in HiGHS grown by constraint generation (start with singletons and complements, add the
  most violated groups, repeat). If ``eps <= 0`` the core is non-empty. ``total`` is the
  awarded cost, which can exceed c(N) when the round's resilience rules cost something.
  With the heuristic separation (large alliances) the result is a lower bound on ``eps``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from ..optim import LinearModel, Status, solve
from ._coalition import subset_sums

__all__ = [
    "CoreCheck",
    "LeastCore",
    "check_core",
    "exact_separator",
    "least_core",
    "most_violated",
    "search_violated",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
CostFn = Callable[[BoolArray], FloatArray]


@dataclass(frozen=True)
class LeastCore:
    epsilon: float  # <= 0: the core is non-empty
    allocation: FloatArray

    @property
    def core_empty(self) -> bool:
        return self.epsilon > 1e-6 * max(1.0, float(np.abs(self.allocation).sum()))


@dataclass(frozen=True)
class CoreCheck:
    in_core: bool
    max_excess: float  # largest x(S) - c(S) found
    coalition: tuple[int, ...]  # members of that group
    exact: bool  # False when found by the heuristic (a violation may have been missed)
    least_core: LeastCore | None = None


def _tolerance(x: FloatArray) -> float:
    return 1e-7 * max(1.0, float(np.abs(x).sum()))


def _bits(mask: int, n: int) -> tuple[int, ...]:
    return tuple(i for i in range(n) if mask >> i & 1)


def most_violated(v: FloatArray, x: FloatArray) -> tuple[float, int]:
    """Largest excess over all proper non-empty groups (exact) and the mask of that group."""
    excess = subset_sums(np.asarray(x, dtype=np.float64)) - v
    if excess.size <= 2:
        return 0.0, 0  # one member: no proper group can object
    # The empty group and the whole alliance are not objections (x(N) is fixed by the award).
    excess[0] = excess[-1] = -np.inf
    mask = int(np.argmax(excess))
    return float(excess[mask]), mask


def search_violated(
    cost: CostFn, x: FloatArray, *, restarts: int = 20, seed: int = 0
) -> tuple[float, BoolArray]:
    """Heuristic search for a group with large excess (see module docstring)."""
    found = _local_search(cost, x, restarts=restarts, seed=seed)
    return found[0]


def _local_search(
    cost: CostFn, x: FloatArray, *, restarts: int, seed: int, top: int = 1
) -> list[tuple[float, BoolArray]]:
    """The ``top`` best distinct local optima of the excess, best first."""
    n = x.shape[0]
    rng = np.random.default_rng(seed)
    starts = np.concatenate(
        [np.eye(n, dtype=bool), ~np.eye(n, dtype=bool), rng.random((restarts, n)) < 0.5]
    )
    starts = starts[starts.any(axis=1) & ~starts.all(axis=1)]
    current = starts
    value = current @ x - cost(current)
    flip = np.eye(n, dtype=bool)
    active = np.ones(current.shape[0], dtype=bool)
    for _ in range(2 * n):
        if not active.any():
            break
        idx = np.flatnonzero(active)
        # Every one-member change of every still-improving group, priced in one batch.
        neigh = current[idx][:, None, :] ^ flip[None, :, :]
        flat = neigh.reshape(-1, n)
        valid = flat.any(axis=1) & ~flat.all(axis=1)
        vals = np.full(flat.shape[0], -np.inf)
        if valid.any():
            vals[valid] = flat[valid] @ x - cost(flat[valid])
        grid = vals.reshape(idx.size, n)
        j = np.argmax(grid, axis=1)
        gain = grid[np.arange(idx.size), j] > value[idx] + _tolerance(x)
        active[idx[~gain]] = False
        moved = idx[gain]
        current[moved] = neigh[gain, j[gain]]
        value[moved] = grid[gain, j[gain]]
    out: list[tuple[float, BoolArray]] = []
    seen: set[bytes] = set()
    for i in np.argsort(-value, kind="stable"):
        key = current[i].tobytes()
        if key not in seen:
            seen.add(key)
            out.append((float(value[i]), current[i].copy()))
        if len(out) >= top:
            break
    return out


def least_core(
    n: int,
    grand: float,
    separate: Callable[[FloatArray], list[tuple[float, BoolArray]]],
    cost: CostFn,
    *,
    target: FloatArray | None = None,
    max_rounds: int = 200,
) -> LeastCore:
    """Least-core allocation by constraint generation.

    ``separate(x)`` returns violated groups as ``(excess, mask)``; ``cost`` prices masks.
    The least core is usually a set; with ``target`` (the split on the table) a second LP
    picks its point nearest to ``target`` (least sum of absolute changes), so members see the
    smallest correction of the split that removes the worst objection.
    """
    groups = [m for m in np.eye(n, dtype=bool)]
    if n > 2:
        groups += [m for m in ~np.eye(n, dtype=bool)]
    seen = {m.tobytes() for m in groups}
    x = np.full(n, grand / n)
    eps = 0.0
    stages: list[FloatArray | None] = [None] if target is None else [None, target]
    for stage_target in stages:
        fixed = None if stage_target is None else eps
        for _ in range(max_rounds):
            masks = np.array(groups)
            x, found = _least_core_lp(masks, cost(masks), grand, fixed, stage_target)
            eps = found if fixed is None else eps
            added = 0
            for excess, mask in separate(x):
                if excess - eps > _tolerance(x) and mask.tobytes() not in seen:
                    seen.add(mask.tobytes())
                    groups.append(mask)
                    added += 1
            if added == 0:
                break
    return LeastCore(epsilon=eps, allocation=x)


def _least_core_lp(
    masks: BoolArray,
    costs: FloatArray,
    grand: float,
    eps: float | None = None,
    target: FloatArray | None = None,
) -> tuple[FloatArray, float]:
    """Columns: x (n), epsilon, and with ``target`` the distances d (n) >= |x - target|."""
    m, n = masks.shape
    blocks = [
        [sp.csr_array(masks.astype(np.float64)), sp.csr_array(-np.ones((m, 1)))],
        [sp.csr_array(np.ones((1, n))), sp.csr_array((1, 1))],
    ]
    lo: list[FloatArray] = [np.full(m, -np.inf), np.array([grand])]
    hi: list[FloatArray] = [costs, np.array([grand])]
    c = np.concatenate([np.zeros(n), [1.0]])
    col_lo = np.full(n + 1, -np.inf)
    col_hi = np.full(n + 1, np.inf)
    if eps is not None:
        # Stage two: epsilon fixed (with a hair of slack for the LP's own tolerance).
        col_lo[n] = col_hi[n] = eps + _tolerance(np.array([grand])) / 10
    if target is not None:
        eye = sp.eye_array(n, format="csr")
        for row in blocks:
            row.append(sp.csr_array((row[0].shape[0], n)))
        # d - x >= -target and d + x >= target
        blocks.append([-eye, sp.csr_array((n, 1)), eye])
        blocks.append([eye, sp.csr_array((n, 1)), eye])
        lo += [-target, target]
        hi += [np.full(n, np.inf), np.full(n, np.inf)]
        c = np.concatenate([np.zeros(n + 1), np.ones(n)])
        col_lo = np.concatenate([col_lo, np.zeros(n)])
        col_hi = np.concatenate([col_hi, np.full(n, np.inf)])
    model = LinearModel(
        c=c,
        A=sp.block_array(blocks, format="csr"),
        row_lo=np.concatenate(lo),
        row_hi=np.concatenate(hi),
        col_lo=col_lo,
        col_hi=col_hi,
    )
    sol = solve(model)
    if sol.status is not Status.OPTIMAL:
        raise RuntimeError(f"least-core LP failed: {sol.message}")
    return sol.x[:n], float(sol.x[n])


def exact_separator(
    v: FloatArray, top: int = 32
) -> Callable[[FloatArray], list[tuple[float, BoolArray]]]:
    """Separation over the full table ``v``: the ``top`` groups of largest excess."""
    size = v.shape[0]
    n = size.bit_length() - 1
    bits = (np.arange(size)[:, None] >> np.arange(n)[None, :]) & 1 if size <= 1 << 12 else None

    def separate(x: FloatArray) -> list[tuple[float, BoolArray]]:
        excess = subset_sums(x) - v
        excess[0] = excess[-1] = -np.inf
        k = min(top, size - 2) if size > 2 else 0
        if k <= 0:
            return []
        pick = np.argpartition(excess, -k)[-k:]
        out = []
        for p in pick.tolist():
            mask = (
                bits[p].astype(bool)
                if bits is not None
                else np.array([(p >> i) & 1 for i in range(n)], dtype=bool)
            )
            out.append((float(excess[p]), mask))
        return out

    return separate


def _table_cost(table: FloatArray) -> CostFn:
    n = table.shape[0].bit_length() - 1
    weights = 1 << np.arange(n, dtype=np.int64)

    def cost(m: BoolArray) -> FloatArray:
        out: FloatArray = table[m.astype(np.int64) @ weights]
        return out

    return cost


def check_core(
    x: FloatArray,
    *,
    v: FloatArray | None = None,
    cost: CostFn | None = None,
    grand: float | None = None,
    seed: int = 0,
    tol: float | None = None,
) -> CoreCheck:
    """Is ``x`` in the core? Exact with the table ``v``, heuristic with ``cost`` alone.

    When ``x`` is not in the core, the least core is computed too (so the answer says
    whether the core is empty, and offers an allocation that minimises the worst excess).
    ``tol`` is the excess still counted as "in the core" (e.g. cent rounding).
    """
    n = x.shape[0]
    cost_fn: CostFn
    if v is not None:
        excess, mask = most_violated(v, x)
        members = _bits(mask, n)
        exact = True
        cost_fn = _table_cost(v)
        separate = exact_separator(v)
        total = float(v[-1]) if grand is None else grand
    else:
        if cost is None or grand is None:
            raise ValueError("check_core needs the table v, or cost and grand")
        cost_fn = cost
        excess, best = search_violated(cost, x, seed=seed)
        members = tuple(int(i) for i in np.flatnonzero(best))
        exact = False
        total = grand

        def separate(xx: FloatArray) -> list[tuple[float, BoolArray]]:
            # Several distinct local optima per round: fewer rounds of LP and search.
            return _local_search(cost_fn, xx, restarts=20, seed=seed, top=16)

    in_core = excess <= (_tolerance(x) if tol is None else tol)
    lc = None if in_core else least_core(n, total, separate, cost_fn, target=x)
    return CoreCheck(in_core, excess, members, exact, lc)
