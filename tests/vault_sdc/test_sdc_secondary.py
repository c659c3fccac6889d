"""Secondary suppression: textbook patterns, trivial cases, fallbacks, and ``protect``."""

from __future__ import annotations

import numpy as np
import pytest

import osatnet.vault.sdc._audit as audit_module
import osatnet.vault.sdc._optimal as optimal_module
import osatnet.vault.sdc._protect as protect_module
from osatnet.errors import InputError, OsatnetError
from osatnet.vault.sdc import (
    TOTAL,
    DisclosureRules,
    audit,
    build_table,
    heuristic_pattern,
    optimal_pattern,
    primary_suppression,
    protect,
)

# 3 x 3 inner values; (A, X) has one contributor, every other cell 5 equal members.
GRID = {
    ("A", "X"): 10.0,
    ("A", "Y"): 50.0,
    ("A", "Z"): 80.0,
    ("B", "X"): 60.0,
    ("B", "Y"): 40.0,
    ("B", "Z"): 70.0,
    ("C", "X"): 90.0,
    ("C", "Y"): 30.0,
    ("C", "Z"): 20.0,
}


def _grid_records() -> dict[str, list[object]]:
    rows: dict[str, list[object]] = {"contributor": [], "row": [], "col": [], "value": []}
    for (r, c), v in GRID.items():
        shares = 1 if (r, c) == ("A", "X") else 5
        for k in range(shares):
            rows["contributor"].append(f"{r}{c}{k}")
            rows["row"].append(r)
            rows["col"].append(c)
            rows["value"].append(v / shares)
    return rows


@pytest.mark.parametrize("method", ["optimal", "heuristic"])
def test_textbook_rectangle(method: str) -> None:
    result = protect(_grid_records(), ["row", "col"], method=method)  # type: ignore[arg-type]
    t = result.table
    hidden = {t.cell_labels(int(i)) for i in np.flatnonzero(result.suppressed)}
    assert result.audit.ok
    # Rectangles through (A, X): B/Y costs 50 + 60 + 40 = 150, C/Y 170, C/Z 190, B/Z 210;
    # anything through a margin costs more. The heuristic's cheapest hypercube is the same.
    assert hidden == {("A", "X"), ("A", "Y"), ("B", "X"), ("B", "Y")}
    assert result.method == method
    statuses = dict(zip([c.labels for c in result.cells()], result.status, strict=True))
    assert statuses[("A", "X")] == "primary"
    assert statuses[("B", "Y")] == "secondary"
    assert statuses[("A", TOTAL)] == "published"
    cells = {c.labels: c for c in result.cells()}
    assert cells[("A", "X")].value is None
    assert cells[("A", "X")].reasons == ("min_contributors", "dominance", "p_percent")
    assert cells[(TOTAL, TOTAL)].value == 450.0
    assert cells[(TOTAL, TOTAL)].contributors == 41
    assert result.suppressed_value == 160.0
    assert result.suppression_cost == pytest.approx((150 + 3 * 0.45) / 450)
    assert set(result.timings) == {"table", "primary", "secondary", "audit"}
    assert result.dims == ("row", "col") and result.labels[0] == ("A", "B", "C", TOTAL)
    # The protected cell's attacker interval is [0, 50]: it may be anything in that range.
    row = next(r for r in result.audit.rows if r.cell == t.cell_index("A", "X"))
    assert row.ok and row.attacker_max >= 11.0 and row.attacker_min <= 9.0


def test_no_primary_cells() -> None:
    records = _grid_records()
    records["contributor"][0] = "extra"
    records["value"][0] = 10.0
    # (A, X) keeps one contributor: make the rules accept it.
    rules = DisclosureRules(min_contributors=1, dominance_k=100.0, p_percent=0.0)
    result = protect(records, ["row", "col"], rules)
    assert not result.suppressed.any()
    assert result.audit.ok and result.audit.cells.size == 0
    assert result.status == ["published"] * 16


def test_single_level_dimension_hides_its_margin_too() -> None:
    # Region has one level: (p, JP) and (p, TOTAL) are the same number.
    records: dict[str, list[object]] = {"contributor": [], "p": [], "region": [], "value": []}
    for p, members in (("sort", 1), ("test", 6), ("bump", 6)):
        for k in range(members):
            records["contributor"].append(f"{p}{k}")
            records["p"].append(p)
            records["region"].append("JP")
            records["value"].append(100.0 / members)
    for method in ("optimal", "heuristic"):
        result = protect(records, ["p", "region"], method=method)
        t = result.table
        assert result.suppressed[t.cell_index("sort", "JP")]
        assert result.suppressed[t.cell_index("sort", TOTAL)]
        assert result.audit.ok
        # Hiding one more process (its cell and margin) protects sort.
        assert int(result.suppressed.sum()) == 4


def test_sparse_table_needs_the_lp_fallback() -> None:
    # 1-D: a primary whose only partners are an empty cell and the total: no hypercube fits,
    # the deviation LP hides the total.
    records = {"contributor": ["a"], "k": ["x"], "value": [5.0]}
    table = build_table(records, ["k"], levels={"k": ["x", "y"]})
    rules = DisclosureRules()
    primary = primary_suppression(table, rules).sensitive
    protection = np.where(primary, rules.protection(table.value), 0.0)
    assert primary.tolist() == [True, False, True]
    pattern = heuristic_pattern(table, primary, protection)
    assert pattern.tolist() == [True, False, True]
    assert audit(table, pattern, protection, exact=True).ok
    # Small primary next to a big one with too little room for a hypercube partner.
    records = {
        "contributor": ["a", "b", "c", "d", "e", "f", "g"],
        "k": ["x", "y", "y", "y", "y", "y", "z"],
        "value": [50.0, 1.0, 1.0, 1.0, 1.0, 1.0, 100.0],
    }
    table = build_table(records, ["k"])
    primary = primary_suppression(table, rules).sensitive
    protection = np.where(primary, rules.protection(table.value), 0.0)
    pattern = heuristic_pattern(table, primary, protection)
    assert audit(table, pattern, protection).ok
    best = optimal_pattern(table, primary, protection)
    assert best.optimal and audit(table, best.suppressed, protection).ok


def test_optimal_falls_back_when_time_runs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    table = build_table(_grid_records(), ["row", "col"])
    rules = DisclosureRules()
    primary = primary_suppression(table, rules).sensitive
    protection = np.where(primary, rules.protection(table.value), 0.0)
    result = optimal_pattern(table, primary, protection, time_limit=0.0)
    assert not result.optimal and result.rounds == 0
    assert audit(table, result.suppressed, protection).ok
    # A master MILP that stops without proof of optimality also returns the safe fallback.
    monkeypatch.setattr(optimal_module, "_solve_master", lambda *args: None)
    result = optimal_pattern(table, primary, protection)
    assert not result.optimal
    assert audit(table, result.suppressed, protection).ok
    out = protect(_grid_records(), ["row", "col"])
    assert out.method == "heuristic (fallback)" and out.audit.ok


def test_failed_audit_hides_everything_or_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    def primaries_only(table, primary, protection, **kwargs):  # type: ignore[no-untyped-def]
        return primary.copy()

    monkeypatch.setattr(protect_module, "heuristic_pattern", primaries_only)
    out = protect(_grid_records(), ["row", "col"], method="heuristic")
    assert out.method == "all cells (fallback)"
    assert out.suppressed.sum() == 16 and out.audit.ok
    real_audit = audit_module.audit

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = real_audit(*args, **kwargs)
        result.passed[:] = False
        return result

    monkeypatch.setattr(protect_module, "audit", failing)
    with pytest.raises(OsatnetError, match="nothing may be published"):
        protect(_grid_records(), ["row", "col"], method="heuristic")


def test_unknown_method() -> None:
    with pytest.raises(InputError, match="unknown method"):
        protect(_grid_records(), ["row", "col"], method="fast")  # type: ignore[arg-type]
