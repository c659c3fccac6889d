"""Statistical disclosure control for released tables: pure arrays in, protected table out.

:func:`protect` builds an n-dimensional magnitude table with all margins from member
contributions (:func:`build_table`), flags the cells the primary rules forbid
(:class:`DisclosureRules`, :func:`primary_suppression`), hides complementary cells so that no
hidden cell can be narrowed by the attacker's LP (:func:`optimal_pattern`, or the faster
:func:`heuristic_pattern`), and proves it with :func:`audit`. No database access here; see
``docs/sdc.md``.
"""

from __future__ import annotations

from ._audit import AttackerLP, Audit, CellAudit, audit
from ._optimal import OptimalResult, optimal_pattern
from ._protect import Cell, ProtectedTable, protect
from ._rules import REASONS, DisclosureRules, PrimaryResult, primary_suppression
from ._secondary import heuristic_pattern, suppression_cost
from ._table import TOTAL, Table, build_table

__all__ = [
    "REASONS",
    "TOTAL",
    "AttackerLP",
    "Audit",
    "Cell",
    "CellAudit",
    "DisclosureRules",
    "OptimalResult",
    "PrimaryResult",
    "ProtectedTable",
    "Table",
    "audit",
    "build_table",
    "heuristic_pattern",
    "optimal_pattern",
    "primary_suppression",
    "protect",
    "suppression_cost",
]
