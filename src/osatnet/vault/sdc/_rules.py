"""Primary disclosure rules: which cells may not be published as they are.

Every cell is checked, margins and the grand total included, from member contributions:

* minimum contributors — fewer than ``min_contributors`` members (but at least one);
* (n, k)-dominance — the ``dominance_n`` largest contributions exceed ``dominance_k`` % of the
  cell total;
* p%-rule — the total minus the two largest contributions is below ``p_percent`` % of the
  largest (the second-largest member could estimate the largest within p %).

Empty cells (no contributor) are never sensitive: they reveal nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from osatnet.errors import InputError

from ._table import Table

__all__ = ["REASONS", "DisclosureRules", "PrimaryResult", "primary_suppression"]

# Bit of each reason in PrimaryResult.flags, and its name in outputs and docs.
REASONS = ("min_contributors", "dominance", "p_percent")

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DisclosureRules:
    """Per-alliance settings of the primary rules and of the protection of suppressed cells."""

    min_contributors: int = 5
    dominance_n: int = 2
    dominance_k: float = 85.0
    p_percent: float = 10.0
    protection_pct: float = 10.0

    def __post_init__(self) -> None:
        if self.min_contributors < 1:
            raise InputError("min_contributors must be at least 1")
        if self.dominance_n < 1:
            raise InputError("dominance_n must be at least 1")
        if not 0.0 < self.dominance_k <= 100.0:
            raise InputError("dominance_k must be in (0, 100]")
        if not self.p_percent >= 0.0:
            raise InputError("p_percent must be >= 0")
        if not 0.0 <= self.protection_pct <= 100.0:
            raise InputError("protection_pct must be in [0, 100]")

    def protection(self, value: FloatArray) -> FloatArray:
        """Half-width of the interval the attacker must not narrow, per cell value."""
        return np.asarray(value, dtype=np.float64) * (self.protection_pct / 100.0)


@dataclass(frozen=True, eq=False)
class PrimaryResult:
    sensitive: BoolArray
    flags: IntArray  # bit i set when REASONS[i] applies

    def reasons(self, cell: int) -> tuple[str, ...]:
        f = int(self.flags[cell])
        return tuple(name for bit, name in enumerate(REASONS) if f >> bit & 1)


def primary_suppression(table: Table, rules: DisclosureRules) -> PrimaryResult:
    """Apply the three rules to every cell at once."""
    if table.dominance_n != rules.dominance_n:
        raise InputError(
            f"table was built for dominance n={table.dominance_n}, rules use {rules.dominance_n}"
        )
    present = table.contributors > 0
    few = present & (table.contributors < rules.min_contributors)
    # Relative tolerance so that a cell exactly at the threshold is not flagged by rounding.
    eps = 1e-12 * np.maximum(table.value, 1.0)
    dominant = present & (table.top_n > rules.dominance_k / 100.0 * table.value + eps)
    rest = table.value - table.largest - table.second
    p_rule = present & (rest < rules.p_percent / 100.0 * table.largest - eps)
    flags = few.astype(np.int64) | dominant.astype(np.int64) << 1 | p_rule.astype(np.int64) << 2
    return PrimaryResult(sensitive=flags > 0, flags=flags)
