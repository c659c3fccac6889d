"""The HiGHS backend: the one place ``highspy`` is imported."""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import replace

import highspy
import numpy as np
import numpy.typing as npt

from ._model import LinearModel, Sense
from ._result import Solution, Status

__all__ = ["solve"]

_INF = highspy.kHighsInf
_banner_shown = False


def _new_highs() -> highspy.Highs:
    """A silent Highs instance.

    HiGHS prints its copyright banner on file descriptor 1 when the first instance is made;
    that would corrupt ``--json`` output, so it is discarded.
    """
    global _banner_shown
    if _banner_shown:
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _banner_shown = True
    h.setOptionValue("output_flag", False)
    return h


def _clip_inf(a: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.clip(a, -_INF, _INF)


def _to_highs_lp(model: LinearModel) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    lp.num_col_ = model.num_cols
    lp.num_row_ = model.num_rows
    lp.col_cost_ = model.c
    lp.col_lower_ = _clip_inf(model.col_lo)
    lp.col_upper_ = _clip_inf(model.col_hi)
    lp.row_lower_ = _clip_inf(model.row_lo)
    lp.row_upper_ = _clip_inf(model.row_hi)
    lp.offset_ = model.offset
    if model.sense is Sense.MAXIMIZE:
        lp.sense_ = highspy.ObjSense.kMaximize
    csc = model.A.tocsc()
    csc.sort_indices()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    if model.is_mip:
        assert model.integrality is not None
        kinds = np.where(model.integrality, 1, 0)
        lp.integrality_ = [highspy.HighsVarType(int(k)) for k in kinds]
    return lp


def solve(
    model: LinearModel,
    *,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    initial: npt.NDArray[np.float64] | None = None,
    threads: int | None = None,
) -> Solution:
    """Solve ``model`` with HiGHS.

    ``initial`` is a feasible (or nearly feasible) starting point: MIPs use it as an incumbent.
    ``time_limit`` is in seconds; ``mip_gap`` is relative (0.001 = 0.1%).
    """
    h = _new_highs()
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if mip_gap is not None:
        h.setOptionValue("mip_rel_gap", float(mip_gap))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    h.passModel(_to_highs_lp(model))
    if initial is not None and model.is_mip:
        start = highspy.HighsSolution()
        start.col_value = np.asarray(initial, dtype=np.float64)
        start.value_valid = True
        h.setSolution(start)
    t0 = time.perf_counter()
    h.run()
    runtime = time.perf_counter() - t0
    result = _result(h, model, runtime)
    if initial is not None and model.is_mip and not _consistent(model, result):
        # Seen with HiGHS 1.16: a start solution came back as "optimal" with an objective that
        # was not its own. Never trust that answer: solve again from scratch.
        retry = solve(model, time_limit=time_limit, mip_gap=mip_gap, threads=threads)
        return replace(retry, runtime_s=retry.runtime_s + runtime)
    return result


def _consistent(model: LinearModel, result: Solution) -> bool:
    """The reported objective is the objective of the reported point, and the point is feasible."""
    if not result.status.has_solution:
        return True
    value = model.objective(result.x)
    scale = max(1.0, abs(value), abs(result.objective))
    same = abs(value - result.objective) <= 1e-6 * scale
    return same and model.max_violation(result.x) <= 1e-6 * scale


def _result(h: highspy.Highs, model: LinearModel, runtime: float) -> Solution:
    ms = h.getModelStatus()
    info = h.getInfo()
    has_primal = info.primal_solution_status == 2  # kSolutionStatusFeasible
    sol = h.getSolution()
    x = np.asarray(sol.col_value, dtype=np.float64) if has_primal else np.zeros(model.num_cols)
    duals = np.asarray(sol.row_dual, dtype=np.float64) if sol.dual_valid else None
    obj = float(info.objective_function_value) if has_primal else math.nan
    if model.is_mip:
        bound = float(info.mip_dual_bound)
        gap = float(info.mip_gap) if has_primal else math.inf
    else:
        bound, gap = (obj, 0.0) if ms == highspy.HighsModelStatus.kOptimal else (math.nan, math.inf)
    status = _status(ms, has_primal)
    if status is Status.OPTIMAL:
        gap = max(0.0, gap) if math.isfinite(gap) else 0.0
    return Solution(
        status=status,
        x=x,
        objective=obj,
        bound=bound,
        gap=gap,
        row_duals=duals,
        runtime_s=runtime,
        message=h.modelStatusToString(ms),
    )


def _status(ms: highspy.HighsModelStatus, has_primal: bool) -> Status:
    hms = highspy.HighsModelStatus
    if ms == hms.kOptimal:
        # Seen with badly scaled LPs: "optimal" without a feasible point. Never pass that on.
        return Status.OPTIMAL if has_primal else Status.ERROR
    if ms == hms.kInfeasible:
        return Status.INFEASIBLE
    if ms in (hms.kUnbounded, hms.kUnboundedOrInfeasible):
        return Status.UNBOUNDED if ms == hms.kUnbounded else Status.INFEASIBLE
    if ms in (hms.kTimeLimit, hms.kIterationLimit, hms.kSolutionLimit, hms.kInterrupt):
        return Status.FEASIBLE if has_primal else Status.TIME_LIMIT
    return Status.FEASIBLE if has_primal else Status.ERROR
