"""``clear()``: eligibility -> greedy -> (feasibility phase) -> MIP -> pricing, as one call.

Must-serve requests (no unserved penalty) are handled in two phases rather than with a big
penalty, because no finite penalty is safe once non-splittable requests can trade a sliver of
one order for the whole of another. When the greedy already serves every must-serve request,
the plan proves feasibility and the cost phase starts from it. Otherwise a feasibility phase
minimises the must-serve quantity left unserved; if that minimum is positive the clearing is
infeasible, the requests left short are named with the reason, and the cost phase keeps exactly
that shortfall while it prices everything else.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from ..optim import LinearModel, Solution, Status, solve
from ._eligibility import Diagnostics, Pairs, eligible_pairs, explain
from ._formulate import Formulation, fairness_floors, formulate
from ._greedy import greedy
from ._instance import Instance, build_instance, wsum
from ._pricing import market_of_offer, settle, uniform_conflicts
from ._types import (
    Arc,
    ClearingOptions,
    ClearingResult,
    ClearingStatus,
    Infeasibility,
    Offer,
    Request,
)

__all__ = ["clear"]

FloatArray = npt.NDArray[np.float64]

_TOL = 1e-6


@dataclass
class _Plan:
    pairs: Pairs
    diag: Diagnostics
    form: Formulation
    qty: FloatArray
    status: ClearingStatus
    bound: float
    greedy_objective: float
    short: list[int]  # must-serve requests left short
    build_s: float
    solve_s: float
    message: str


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    return max(deadline - time.perf_counter(), 0.01)


def _solve(
    model: LinearModel, options: ClearingOptions, deadline: float | None, start: FloatArray
) -> Solution:
    if model.num_cols == 0:
        # HiGHS reports an empty model as "Empty" rather than optimal; nothing to decide here.
        return Solution(Status.OPTIMAL, start, 0.0, 0.0, 0.0, None, 0.0, "empty market")
    return solve(
        model,
        time_limit=_remaining(deadline),
        mip_gap=options.mip_gap,
        initial=start,
        threads=options.threads,
    )


def _optimise(
    model: LinearModel,
    n_pairs: int,
    start: FloatArray,
    options: ClearingOptions,
    deadline: float | None,
) -> Solution:
    """Solve the cost model: relax, restrict to the relaxation's support, then branch if needed.

    Branch-and-bound on the whole market spends most of its time on a root LP it then solves
    again in every heuristic; instead the LP relaxation is solved once (its optimum is a valid
    lower bound), and a much smaller MIP keeps only the pairs used by the relaxation or by the
    (feasible) starting plan, so it is feasible too. When that plan is within the gap limit of
    the LP bound the clearing is done; otherwise the full MIP runs from that better start.
    """
    if not model.is_mip:
        return _solve(model, options, deadline, start)
    relaxed = LinearModel(
        c=model.c,
        A=model.A,
        row_lo=model.row_lo,
        row_hi=model.row_hi,
        col_lo=model.col_lo,
        col_hi=model.col_hi,
    )
    lp = _solve(relaxed, options, deadline, start)
    if lp.status is not Status.OPTIMAL:
        return _solve(model, options, deadline, start)
    assert model.integrality is not None
    used = (lp.x > _TOL) | (start > _TOL)
    # Keep every non-pair column (min-split binaries follow their pair, unserved, shortfall).
    keep = used.copy()
    keep[n_pairs:] = True
    sub = LinearModel(
        c=model.c[keep],
        A=sp.csr_array(model.A)[:, np.flatnonzero(keep)],
        row_lo=model.row_lo,
        row_hi=model.row_hi,
        col_lo=model.col_lo[keep],
        col_hi=model.col_hi[keep],
        integrality=model.integrality[keep],
    )
    restricted = solve(
        sub,
        time_limit=_remaining(deadline),
        mip_gap=options.mip_gap / 2,
        initial=start[keep],
        threads=options.threads,
    )
    incumbent = start.copy()
    if restricted.status.has_solution:
        incumbent = np.zeros(model.num_cols)
        incumbent[keep] = restricted.x
    value = model.objective(incumbent)
    gap = (value - lp.objective) / max(abs(value), 1e-9)
    if gap <= options.mip_gap or (deadline is not None and time.perf_counter() >= deadline):
        return Solution(
            status=Status.OPTIMAL if gap <= options.mip_gap else Status.FEASIBLE,
            x=incumbent,
            objective=value,
            bound=lp.objective,
            gap=max(gap, 0.0),
            row_duals=None,
            runtime_s=lp.runtime_s + restricted.runtime_s,
            message=f"LP bound + restricted MIP ({restricted.message})",
        )
    full = _solve(model, options, deadline, incumbent)
    if not full.status.has_solution:
        return Solution(
            status=Status.FEASIBLE,
            x=incumbent,
            objective=value,
            bound=lp.objective,
            gap=max(gap, 0.0),
            row_duals=None,
            runtime_s=lp.runtime_s + restricted.runtime_s + full.runtime_s,
            message=full.message,
        )
    return full


def _clear_once(
    inst: Instance, options: ClearingOptions, uniform: FloatArray | None, deadline: float | None
) -> _Plan:
    t0 = time.perf_counter()
    pairs, diag = eligible_pairs(inst, options, uniform)
    finite_pen = inst.r_pen[~np.isnan(inst.r_pen)]
    scale = max(
        1.0,
        float(pairs.cost.max()) if len(pairs) else 0.0,
        float(finite_pen.max()) if finite_pen.size else 0.0,
    )
    fairness = fairness_floors(inst, diag.available, options, scale)
    form = formulate(inst, pairs, fairness)
    g_qty = greedy(inst, pairs)
    g_cols = form.columns(g_qty, inst, pairs)
    build_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    unserved = g_cols[form.u_start : form.f_start]
    greedy_ok = not np.any(unserved[form.must] > _TOL * np.maximum(inst.r_q[form.must], 1.0))
    greedy_objective = form.model.objective(g_cols) if greedy_ok else math.nan
    start, must_unserved, short = g_cols, None, []
    proven_short = False
    if not greedy_ok:
        phase1 = _solve(form.feasibility_model(), options, deadline, g_cols)
        x1 = phase1.x if phase1.status.has_solution else g_cols
        must_u = np.where(form.must, x1[form.u_start : form.f_start], 0.0)
        must_u = np.where(must_u > _TOL * np.maximum(inst.r_q, 1.0), must_u, 0.0)
        short = [int(r) for r in np.flatnonzero(must_u > 0)]
        if short:
            must_unserved = must_u
            start = x1
            proven_short = phase1.status is Status.OPTIMAL and phase1.bound > _TOL
        elif phase1.status.has_solution:
            start = phase1.x
    model = form.cost_model(must_unserved)
    sol = _optimise(model, form.n_pairs, start, options, deadline)
    if sol.status.has_solution:
        cols, bound = sol.x, sol.bound
        status = ClearingStatus.OPTIMAL if sol.status is Status.OPTIMAL else ClearingStatus.FEASIBLE
    elif model.max_violation(start) <= 1e-6 * max(1.0, float(inst.r_q.max(initial=1.0))):
        # The solver ran out of time before it had a plan of its own: keep the starting plan.
        cols, bound = start, (sol.bound if sol.status is Status.TIME_LIMIT else math.nan)
        status = ClearingStatus.FEASIBLE
    else:
        cols, bound = start, math.nan
        status = (
            ClearingStatus.TIME_LIMIT if sol.status is Status.TIME_LIMIT else ClearingStatus.ERROR
        )
    if short:
        status = ClearingStatus.INFEASIBLE if proven_short else ClearingStatus.TIME_LIMIT
        bound = math.nan
    qty = np.minimum(form.quantities(cols), pairs.ub)
    return _Plan(
        pairs=pairs,
        diag=diag,
        form=form,
        qty=qty,
        status=status,
        bound=bound,
        greedy_objective=greedy_objective,
        short=short,
        build_s=build_s,
        solve_s=time.perf_counter() - t1,
        message=sol.message,
    )


def clear(
    offers: Sequence[Offer],
    requests: Sequence[Request],
    arcs: Sequence[Arc] | None = None,
    options: ClearingOptions | None = None,
) -> ClearingResult:
    """Match requests to offers at least total cost; see ``docs/exchange.md`` for the model.

    Pure: reads only its arguments. Raises :class:`~osatnet.errors.InputError` for bad input
    (duplicate ids, unknown ids in arcs, negative capacity...). Infeasibility is a result
    status, with the requests that cannot be served and why in ``result.infeasible``.
    """
    options = options or ClearingOptions()
    t0 = time.perf_counter()
    deadline = None if options.time_limit is None else t0 + options.time_limit
    inst = build_instance(offers, requests, arcs)
    uniform: FloatArray | None = None
    plan = _clear_once(inst, options, uniform, deadline)
    build_s, solve_s = plan.build_s, plan.solve_s
    if options.pricing == "uniform":
        market_o, keys = market_of_offer(inst)
        held = np.full(len(keys), np.nan)
        # Each round holds at least one more market to a fixed price, so this ends.
        for _ in range(len(keys) + 1):
            nz = plan.qty > 0
            conflicts = uniform_conflicts(inst, plan.pairs.ri[nz], plan.pairs.oi[nz], plan.qty[nz])
            if not conflicts:
                break
            for m, price in conflicts.items():
                held[m] = price
            uniform = held[market_o]
            plan = _clear_once(inst, options, uniform, deadline)
            build_s += plan.build_s
            solve_s += plan.solve_s
    return _result(inst, plan, options, build_s, solve_s)


def _result(
    inst: Instance, plan: _Plan, options: ClearingOptions, build_s: float, solve_s: float
) -> ClearingResult:
    pairs, form, qty = plan.pairs, plan.form, plan.qty
    nz = np.flatnonzero(qty > 0)
    mr, mo, mq = pairs.ri[nz], pairs.oi[nz], qty[nz]
    served = wsum(pairs.ri, qty, inst.n_requests)
    served = np.minimum(served, inst.r_q)
    unserved = np.where(inst.r_q - served > _TOL, inst.r_q - served, 0.0)
    cost = float(mq @ pairs.cost[nz])
    unserved_penalty = float(unserved @ form.penalty)
    fr = form.fairness
    floor: dict[tuple[str, str], float] = {}
    shortfall: dict[tuple[str, str], float] = {}
    fairness_penalty = 0.0
    if fr.size:
        g = fr.group_of_request
        got = wsum(g[g >= 0], served[g >= 0], fr.size)
        lack = np.maximum(fr.floor - got, 0.0)
        lack = np.where(lack > _TOL, lack, 0.0)
        fairness_penalty = float(lack.sum() * fr.penalty)
        for i in range(fr.size):
            key = (inst.members[fr.member[i]], inst.processes[fr.process[i]])
            floor[key] = float(fr.floor[i])
            shortfall[key] = float(lack[i])
    objective = cost + unserved_penalty + fairness_penalty
    bound = plan.bound
    if plan.status is ClearingStatus.INFEASIBLE or not math.isfinite(bound):
        gap = math.nan
    else:
        bound = min(bound, objective)
        gap = (objective - bound) / max(abs(objective), 1e-9) if objective else 0.0
    with np.errstate(invalid="ignore"):
        price, markets = settle(inst, mr, mo, mq, options.pricing)
    infeasible = tuple(
        Infeasibility(
            request_id=inst.requests[r].request_id,
            reason=(
                explain(inst, plan.diag, r, options)
                if plan.status is ClearingStatus.INFEASIBLE
                else "could not be placed within the time limit"
            ),
        )
        for r in plan.short
    )
    return ClearingResult(
        status=plan.status,
        objective=objective,
        bound=bound,
        gap=gap,
        request_ids=tuple(r.request_id for r in inst.requests),
        offer_ids=tuple(o.offer_id for o in inst.offers),
        match_request=mr.astype(np.int64),
        match_offer=mo.astype(np.int64),
        match_quantity=mq,
        match_unit_cost=pairs.cost[nz],
        match_price=price,
        served=served,
        unserved=unserved,
        cost=cost,
        unserved_penalty=unserved_penalty,
        fairness_penalty=fairness_penalty,
        greedy_objective=plan.greedy_objective,
        infeasible=infeasible,
        fairness_floor=floor,
        fairness_shortfall=shortfall,
        markets=markets,
        pricing=options.pricing,
        eligible_pairs=len(pairs),
        binaries=0 if form.model.integrality is None else int(form.model.integrality.sum()),
        build_s=build_s,
        solve_s=solve_s,
        message=plan.message,
    )
