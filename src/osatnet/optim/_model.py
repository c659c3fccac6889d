"""A linear / mixed-integer model as arrays: ``min|max c·x  s.t.  row_lo <= A x <= row_hi``."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = ["LinearModel", "Sense"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class Sense(enum.Enum):
    MINIMIZE = "min"
    MAXIMIZE = "max"


@dataclass
class LinearModel:
    """Column-wise data of a (MI)LP. Infinite bounds are ``±numpy.inf``.

    ``integrality`` marks integer columns (binary = integer with bounds 0..1).
    """

    c: FloatArray
    A: sp.csr_array | sp.csr_matrix
    row_lo: FloatArray
    row_hi: FloatArray
    col_lo: FloatArray
    col_hi: FloatArray
    integrality: BoolArray | None = None
    sense: Sense = Sense.MINIMIZE
    offset: float = 0.0
    col_names: list[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.c = np.asarray(self.c, dtype=np.float64)
        n = self.c.shape[0]
        self.A = sp.csr_array(self.A, dtype=np.float64)
        m = self.A.shape[0]
        if self.A.shape[1] != n:
            raise ValueError(f"A has {self.A.shape[1]} columns but c has {n} entries")
        self.row_lo = _vector(self.row_lo, m, "row_lo")
        self.row_hi = _vector(self.row_hi, m, "row_hi")
        self.col_lo = _vector(self.col_lo, n, "col_lo")
        self.col_hi = _vector(self.col_hi, n, "col_hi")
        if self.integrality is not None:
            self.integrality = np.asarray(self.integrality, dtype=np.bool_)
            if self.integrality.shape != (n,):
                raise ValueError(f"integrality must have {n} entries")

    @property
    def num_cols(self) -> int:
        return int(self.c.shape[0])

    @property
    def num_rows(self) -> int:
        return int(self.A.shape[0])

    @property
    def is_mip(self) -> bool:
        return self.integrality is not None and bool(self.integrality.any())

    def objective(self, x: FloatArray) -> float:
        return float(self.c @ x) + self.offset

    def max_violation(self, x: FloatArray) -> float:
        """Largest bound or row violation of ``x`` (0 when feasible)."""
        ax = self.A @ x
        parts = [
            np.maximum(self.row_lo - ax, 0.0),
            np.maximum(ax - self.row_hi, 0.0),
            np.maximum(self.col_lo - x, 0.0),
            np.maximum(x - self.col_hi, 0.0),
        ]
        return float(max((p.max() if p.size else 0.0) for p in parts))


def _vector(values: object, size: int, name: str) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(size, float(arr))
    if arr.shape != (size,):
        raise ValueError(f"{name} must have {size} entries, got shape {arr.shape}")
    return arr
