"""The HiGHS backend on problems with known optima."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import scipy.sparse as sp

from osatnet.optim import LinearModel, Sense, Status, solve


def _model(integer: bool) -> LinearModel:
    # max x + y  s.t.  x + 2y <= 4,  3x + y <= 6,  x, y >= 0
    return LinearModel(
        c=np.array([1.0, 1.0]),
        A=sp.csr_array(np.array([[1.0, 2.0], [3.0, 1.0]])),
        row_lo=np.array([-np.inf, -np.inf]),
        row_hi=np.array([4.0, 6.0]),
        col_lo=0.0,
        col_hi=np.inf,
        integrality=np.array([integer, integer]),
        sense=Sense.MAXIMIZE,
    )


def test_lp_optimum_and_duals() -> None:
    sol = solve(_model(False))
    assert sol.status is Status.OPTIMAL
    assert math.isclose(sol.objective, 2.8)
    assert np.allclose(sol.x, [1.6, 1.2])
    assert sol.row_duals is not None and np.allclose(sol.row_duals, [0.4, 0.2])
    assert sol.gap == 0.0


def test_mip_optimum_with_warm_start() -> None:
    model = _model(True)
    sol = solve(model, initial=np.array([1.0, 1.0]), mip_gap=0.0, time_limit=10)
    assert sol.status is Status.OPTIMAL
    assert sol.objective == 2.0
    assert model.max_violation(sol.x) <= 1e-9
    assert model.objective(sol.x) == 2.0


def test_infeasible() -> None:
    model = LinearModel(
        c=[1.0], A=sp.csr_array(np.array([[1.0]])), row_lo=[5.0], row_hi=[4.0], col_lo=0, col_hi=9
    )
    sol = solve(model)
    assert sol.status is Status.INFEASIBLE
    assert not sol.status.has_solution
    assert model.max_violation(np.array([4.5])) == 0.5


def test_shape_errors() -> None:
    import pytest

    with pytest.raises(ValueError, match="A has 2 columns but c has 1 entries"):
        LinearModel(c=[1.0], A=sp.csr_array((1, 2)), row_lo=0, row_hi=1, col_lo=0, col_hi=1)
    with pytest.raises(ValueError, match="row_lo must have 1 entries"):
        LinearModel(c=[1.0], A=sp.csr_array((1, 1)), row_lo=[0, 1], row_hi=1, col_lo=0, col_hi=1)


def test_highs_banner_stays_off_stdout() -> None:
    code = (
        "import numpy as np, scipy.sparse as sp\n"
        "from osatnet.optim import LinearModel, solve\n"
        "m = LinearModel(c=[1.0], A=sp.csr_array(np.array([[1.0]])), row_lo=[1], row_hi=[2],"
        " col_lo=0, col_hi=5)\n"
        "print(solve(m).objective)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "1.0\n"


def test_inconsistent_answers_are_not_trusted() -> None:
    from osatnet.optim._highs import _consistent
    from osatnet.optim._result import Solution

    model = _model(True)
    good = Solution(Status.OPTIMAL, np.array([2.0, 0.0]), 2.0, 2.0, 0.0, None, 0.0)
    lying = Solution(Status.OPTIMAL, np.array([2.0, 0.0]), 0.0109, 0.0109, 0.0, None, 0.0)
    infeasible_point = Solution(Status.OPTIMAL, np.array([5.0, 0.0]), 5.0, 5.0, 0.0, None, 0.0)
    assert _consistent(model, good)
    assert not _consistent(model, lying)
    assert not _consistent(model, infeasible_point)
