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

import math
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

    Numerics: the LPs are solved in units of the game's scale (the largest of the total and
    the costs of the starting groups), so that HiGHS sees magnitudes near 1 whatever the
    currency; a group counts as violated beyond ``tol = _LP_TOL * scale``. Stage one stops
    with every group within ``tol`` of its epsilon, so its point is strictly feasible for
    stage two, which fixes epsilon at the stage-one optimum plus ``2 * tol``: stage two is
    never infeasible by construction. The epsilon reported is stage one's optimum (with
    exact separation, the least-core value to within ``tol``); the allocation's worst excess
    is at most ``epsilon + 3 * tol`` plus the LP's own feasibility error (HiGHS: at most
    1e-7 of the scale, a few 1e-9 in practice). It sums to ``grand``: the LP's rounding
    residual is put on its largest entry.
    """
    groups = [m for m in np.eye(n, dtype=bool)]
    if n > 2:
        groups += [m for m in ~np.eye(n, dtype=bool)]
    seen = {m.tobytes() for m in groups}
    start = np.asarray(cost(np.array(groups)), dtype=np.float64)
    scale = max(1.0, abs(grand), float(np.abs(start).max(initial=0.0)))
    tol = _LP_TOL * scale

    def excess(x: FloatArray, masks: BoolArray) -> float:
        return float((masks @ x - cost(masks)).max())

    def generate(
        fixed: float | None, stage_target: FloatArray | None, first: FloatArray | None = None
    ) -> tuple[FloatArray, float, bool]:
        """Solve, add the groups violated beyond ``tol``, repeat: the last point, epsilon and
        whether it converged. Stops early (``False``) when a new group violates ``first``."""
        x, eps = np.full(n, grand / n), 0.0
        for _ in range(max_rounds):
            masks = np.array(groups)
            xs, found = _least_core_lp(
                masks,
                cost(masks) / scale,
                grand / scale,
                None if fixed is None else fixed / scale,
                None if stage_target is None else stage_target / scale,
            )
            x, eps = xs * scale, found * scale if fixed is None else fixed
            new = []
            for value, mask in separate(x):
                if value - eps > tol and mask.tobytes() not in seen:
                    seen.add(mask.tobytes())
                    groups.append(mask)
                    new.append(mask)
            if not new:
                break
            if first is not None and excess(first, np.array(new)) > eps - tol:
                return x, eps, False
        return x, eps, True

    for _ in range(max_rounds):
        x, eps, _ = generate(None, None)
        if target is None:
            break
        # Stage one's point satisfies every group found to within ``tol`` of ``eps`` (the
        # separation found nothing worse) or to the LP's accuracy (the LP's groups), so it is
        # strictly feasible at ``fixed``: stage two cannot be infeasible. With the heuristic
        # separation, stage two can find a group that stage one missed and that stage one's
        # point violates: epsilon was too low, so stage one is solved again with it.
        first = x
        fixed = max(eps + 2 * tol, excess(first, np.array(groups)) + tol)
        x, _, done = generate(fixed, target, first)
        if done:
            break
    return LeastCore(epsilon=eps, allocation=_with_total(x, grand))


# Relative to the game's scale: the excess by which a group may exceed epsilon and still
# count as satisfied (0.14 yen on a total of 140 million yen), and the row violation beyond
# which a point HiGHS calls optimal is not trusted (its feasibility tolerance is 1e-7).
_LP_TOL = 1e-9
_LP_TRUST = 1e-6


def _with_total(x: FloatArray, total: float) -> FloatArray:
    """``x`` with the rounding residual of the LP put on its largest entry: sums to ``total``."""
    out = np.array(x, dtype=np.float64)
    if out.size:
        k = int(np.argmax(np.abs(out)))
        out[k] = total - math.fsum(np.delete(out, k).tolist())
    return out


def _least_core_lp(
    masks: BoolArray,
    costs: FloatArray,
    grand: float,
    eps: float | None = None,
    target: FloatArray | None = None,
) -> tuple[FloatArray, float]:
    """Columns: x (n), epsilon, and with ``target`` the distances d (n) >= |x - target|.

    The caller passes the data in units of the game's scale (magnitudes near 1).
    """
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
        # Stage two: epsilon fixed (the caller adds the slack).
        col_lo[n] = col_hi[n] = eps
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
    # HiGHS can call a model optimal without a feasible point (then the point is all zeros):
    # check the point itself.
    if not np.isfinite(sol.x).all():
        raise RuntimeError("least-core LP failed: the solver returned a non-finite point")
    violation = model.max_violation(sol.x)
    if violation > _LP_TRUST * max(1.0, abs(grand)):
        raise RuntimeError(
            f"least-core LP failed: {sol.message} but its point violates a row by "
            f"{violation:.3g} (relative to the total)"
        )
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
