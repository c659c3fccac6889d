"""``optim.LPSession``: one LP, many objectives and bounds, warm re-solves."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from osatnet.optim import LinearModel, LPSession, Sense, Status


def test_objectives_and_bounds_change_between_solves() -> None:
    # x + y + z = 10, 0 <= x, y, z <= 6
    model = LinearModel(
        c=np.array([1.0, 0.0, 0.0]),
        A=sp.csr_array(np.ones((1, 3))),
        row_lo=np.array([10.0]),
        row_hi=np.array([10.0]),
        col_lo=np.zeros(3),
        col_hi=np.full(3, 6.0),
        sense=Sense.MAXIMIZE,
    )
    s = LPSession(model)
    assert s.num_cols == 3
    first = s.run()
    assert first.status is Status.OPTIMAL and math.isclose(first.objective, 6.0)
    s.set_objective([1], [1.0], Sense.MINIMIZE)
    assert math.isclose(s.run().objective, 0.0)
    s.set_objective([0, 2], [1.0, 1.0], Sense.MAXIMIZE)  # the cost on y is dropped
    assert math.isclose(s.run().objective, 10.0)
    s.set_col_bounds([0], [3.0], [3.0])
    sol = s.run()
    assert math.isclose(sol.objective, 9.0) and math.isclose(sol.x[0], 3.0)
    s.set_col_bounds([], [], [])
    s.set_col_bounds([1, 2], 0.0, 1.0)
    assert s.run().status is Status.INFEASIBLE
