"""Normalised solver results."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Solution", "Status"]


class Status(enum.Enum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # stopped by a limit with a solution in hand
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"  # stopped by the time limit without any solution
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)


@dataclass(frozen=True)
class Solution:
    status: Status
    x: npt.NDArray[np.float64]
    objective: float
    bound: float
    gap: float
    row_duals: npt.NDArray[np.float64] | None
    runtime_s: float
    message: str = ""
