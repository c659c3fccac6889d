"""``protect``: table, primary rules, secondary suppression and audit in one call."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from osatnet.errors import InputError, OsatnetError

from ._audit import Audit, audit
from ._optimal import optimal_pattern
from ._rules import DisclosureRules, PrimaryResult, primary_suppression
from ._secondary import heuristic_pattern, suppression_cost
from ._table import Table, build_table

__all__ = ["Cell", "ProtectedTable", "protect"]

Method = Literal["optimal", "heuristic"]
STATUSES = ("published", "primary", "secondary")


class Cell(NamedTuple):
    labels: tuple[str, ...]  # one per dimension, "TOTAL" for a margin
    value: float | None  # None when suppressed
    contributors: int
    status: str  # published / primary / secondary
    reasons: tuple[str, ...]  # primary rules that hit the cell


@dataclass(frozen=True, eq=False)
class ProtectedTable:
    """The protected table. ``table.value`` keeps the true values: never publish it as is."""

    table: Table
    primary: PrimaryResult
    suppressed: npt.NDArray[np.bool_]
    status_code: npt.NDArray[np.int8]  # index into STATUSES
    audit: Audit
    method: str  # what produced the pattern: optimal, heuristic, or heuristic (fallback)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def dims(self) -> tuple[str, ...]:
        return self.table.dims

    @property
    def labels(self) -> tuple[tuple[str, ...], ...]:
        return self.table.labels

    @property
    def status(self) -> list[str]:
        return [STATUSES[int(s)] for s in self.status_code]

    @property
    def suppressed_value(self) -> float:
        return float(self.table.value[self.suppressed].sum())

    @property
    def suppression_cost(self) -> float:
        """The objective the optimal method minimises (value + per-cell constant, scaled)."""
        return float(suppression_cost(self.table)[self.suppressed & ~self.primary.sensitive].sum())

    def cells(self) -> Iterator[Cell]:
        """Every cell in table order, margins included, as it may be published."""
        t = self.table
        for i in range(t.num_cells):
            hidden = bool(self.suppressed[i])
            yield Cell(
                labels=t.cell_labels(i),
                value=None if hidden else float(t.value[i]),
                contributors=int(t.contributors[i]),
                status=STATUSES[int(self.status_code[i])],
                reasons=self.primary.reasons(i),
            )


def protect(
    contributions: Mapping[str, Any],
    dims: Sequence[str],
    rules: DisclosureRules | None = None,
    *,
    levels: Mapping[str, Sequence[str]] | None = None,
    time_limit: float = 30.0,
    method: Method = "optimal",
    mip_gap: float = 1e-4,
    exact_audit: bool = False,
) -> ProtectedTable:
    """Build the table, apply the primary rules, choose complementary cells, audit.

    ``contributions`` has equal-length columns ``contributor``, ``value`` and one per name in
    ``dims``. ``method="optimal"`` solves the suppression MILP (falling back to the heuristic
    pattern when ``time_limit`` runs out); ``"heuristic"`` runs the fast heuristic only. The
    audit always runs; a pattern that fails it raises ``OsatnetError`` (never published).
    """
    rules = rules or DisclosureRules()
    if method not in ("optimal", "heuristic"):
        raise InputError(f"unknown method {method!r}: optimal or heuristic")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    table = build_table(contributions, dims, levels=levels, dominance_n=rules.dominance_n)
    timings["table"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    primary = primary_suppression(table, rules)
    protection = np.where(primary.sensitive, rules.protection(table.value), 0.0)
    timings["primary"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    used: str = method
    if method == "optimal":
        result = optimal_pattern(
            table, primary.sensitive, protection, time_limit=time_limit, mip_gap=mip_gap
        )
        suppressed = result.suppressed
        used = "optimal" if result.optimal else "heuristic (fallback)"
    else:
        suppressed = heuristic_pattern(table, primary.sensitive, protection)
    timings["secondary"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    result_audit = audit(table, suppressed, protection, exact=exact_audit)
    if not result_audit.ok:
        # Numerical trouble only: the heuristic is safe by construction. Retry by hiding every
        # non-empty cell, which is always safe (the whole table can scale).
        suppressed = ~table.empty
        used = "all cells (fallback)"
        result_audit = audit(table, suppressed, protection, exact=exact_audit)
        if not result_audit.ok:
            raise OsatnetError("disclosure audit failed; nothing may be published")
    timings["audit"] = time.perf_counter() - t0
    status = np.where(primary.sensitive, 1, np.where(suppressed, 2, 0)).astype(np.int8)
    return ProtectedTable(
        table=table,
        primary=primary,
        suppressed=suppressed,
        status_code=status,
        audit=result_audit,
        method=used,
        timings=timings,
    )
