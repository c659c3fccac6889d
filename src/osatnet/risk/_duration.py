"""Duration distributions of a scenario for the Monte Carlo simulation (YAML ``duration:``).

Each distribution draws ``n`` durations in weeks at once with numpy (no loop per sample) and
knows the largest duration it can draw, which bounds the grid the losses are tabulated on.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "DURATION_TAGS",
    "Duration",
    "FixedDuration",
    "LognormalDuration",
    "TriangularDuration",
    "UniformDuration",
]

FloatArray = npt.NDArray[np.float64]
# A lognormal tail is cut here unless the YAML says otherwise: beyond two years a disruption
# is a redesign of the supply chain, not an event the network rides out.
DEFAULT_LOGNORMAL_MAX_WEEKS = 104.0


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FixedDuration(_Dist):
    type: Literal["fixed"]
    weeks: float = Field(gt=0, allow_inf_nan=False)

    @property
    def upper(self) -> float:
        return self.weeks

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return np.full(n, self.weeks)


class UniformDuration(_Dist):
    type: Literal["uniform"]
    low: float = Field(gt=0, allow_inf_nan=False)
    high: float = Field(gt=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _order(self) -> UniformDuration:
        if self.high < self.low:
            raise ValueError("high must be >= low")
        return self

    @property
    def upper(self) -> float:
        return self.high

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.uniform(self.low, self.high, n)


class TriangularDuration(_Dist):
    type: Literal["triangular"]
    low: float = Field(gt=0, allow_inf_nan=False)
    mode: float = Field(gt=0, allow_inf_nan=False)
    high: float = Field(gt=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _order(self) -> TriangularDuration:
        if not self.low <= self.mode <= self.high:
            raise ValueError("need low <= mode <= high")
        return self

    @property
    def upper(self) -> float:
        return self.high

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        if self.low == self.high:  # numpy refuses a degenerate triangle
            return np.full(n, self.low)
        return rng.triangular(self.low, self.mode, self.high, n)


class LognormalDuration(_Dist):
    """``median`` weeks, ``sigma`` the standard deviation of the log; draws above ``max``
    count as ``max``."""

    type: Literal["lognormal"]
    median: float = Field(gt=0, allow_inf_nan=False)
    sigma: float = Field(gt=0, allow_inf_nan=False)
    max: float = Field(default=DEFAULT_LOGNORMAL_MAX_WEEKS, gt=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _cap(self) -> LognormalDuration:
        if self.max < self.median:
            raise ValueError("max must be >= median")
        return self

    @property
    def upper(self) -> float:
        return self.max

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return np.minimum(rng.lognormal(math.log(self.median), self.sigma, n), self.max)


Duration = Annotated[
    FixedDuration | UniformDuration | TriangularDuration | LognormalDuration,
    Field(discriminator="type"),
]
# Pydantic puts these tags in error paths; the YAML has no such key.
DURATION_TAGS = frozenset({"fixed", "uniform", "triangular", "lognormal"})
