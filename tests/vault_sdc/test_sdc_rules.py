"""Primary rules, computed by hand on small cells (margins included)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from osatnet.errors import InputError
from osatnet.vault.sdc import TOTAL, DisclosureRules, build_table, primary_suppression


def _one_cell(values: list[float], members: list[str] | None = None) -> dict[str, Any]:
    members = members or [f"m{i}" for i in range(len(values))]
    return {"contributor": members, "region": ["JP"] * len(values), "value": values}


def _reasons(
    values: list[float], rules: DisclosureRules, members: list[str] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    t = build_table(_one_cell(values, members), ["region"], dominance_n=rules.dominance_n)
    result = primary_suppression(t, rules)
    return result.reasons(t.cell_index("JP")), result.reasons(t.cell_index(TOTAL))


def test_minimum_contributors() -> None:
    # 4 equal members: top 2 = 50 %, rest = 20 >= 10 % of 10: only the count rule.
    assert _reasons([10, 10, 10, 10], DisclosureRules()) == (
        ("min_contributors",),
        ("min_contributors",),  # the single-level margin is the same cell
    )
    assert _reasons([10, 10, 10, 10, 10], DisclosureRules()) == ((), ())


def test_member_with_two_sites_counts_once() -> None:
    # Five records but m1 has two sites: 4 contributors, m1 contributes 60.
    members = ["m1", "m1", "m2", "m3", "m4"]
    assert _reasons([30, 30, 20, 20, 20], DisclosureRules(), members)[0] == ("min_contributors",)
    t = build_table(_one_cell([30, 30, 20, 20, 20], members), ["region"])
    assert t.largest[0] == 60 and t.second[0] == 20


def test_dominance() -> None:
    # Total 100, two largest 50 + 40 = 90 % > 85 %; rest 10 >= 10 % of 50: dominance only.
    assert _reasons([50, 40, 3, 3, 2, 2], DisclosureRules())[0] == ("dominance",)
    # Exactly 85 % is not more than 85 %.
    assert _reasons([45, 40, 5, 5, 5], DisclosureRules())[0] == ()
    # n = 3: three largest 60 + 20 + 10 = 90 % of 100.
    assert _reasons([60, 20, 10, 5, 5], DisclosureRules(dominance_n=3))[0] == ("dominance",)


def test_p_percent() -> None:
    # With k = 85 the p%-rule implies dominance; raise k to see it alone.
    rules = DisclosureRules(dominance_k=95)
    # Total 215: rest = 215 - 100 - 100 = 15 >= 10 % of 100 = 10: safe.
    assert _reasons([100, 100, 5, 4, 3, 2, 1], rules)[0] == ()
    # Total 208: rest = 8 < 10, two largest = 96 % > 95 % as well.
    assert _reasons([100, 100, 2, 2, 2, 1, 1], rules)[0] == ("dominance", "p_percent")
    # rest = 9 < 10, two largest 200 / 209 = 95.7 %: with k = 99 only p%.
    rules99 = DisclosureRules(dominance_k=99)
    assert _reasons([100, 100, 3, 2, 2, 1, 1], rules99)[0] == ("p_percent",)


def test_all_three_and_empty_cells() -> None:
    assert _reasons([100], DisclosureRules())[0] == ("min_contributors", "dominance", "p_percent")
    data = {
        "contributor": ["a", "b", "c", "d", "e"],
        "region": ["JP", "JP", "JP", "JP", "JP"],
        "value": [5.0, 5.0, 5.0, 5.0, 5.0],
    }
    t = build_table(data, ["region"], levels={"region": ["JP", "MY"]})
    result = primary_suppression(t, DisclosureRules())
    assert not result.sensitive[t.cell_index("MY")]  # empty: reveals nobody
    assert not result.sensitive.any()


def test_margins_are_checked_from_member_totals() -> None:
    # Two regions each with 5 small members, and one big member in both regions.
    # Each region: big = 30, others 5 x 10 -> two largest 40 / 80 = 50 %.
    # Grand total: big = 60 (its two parts summed), others 10 x 10 -> 70 / 160 = 43.75 %.
    # With k = 45 the regions are dominant but the grand total is not; with k = 40 all are.
    members, regions, values = [], [], []
    for r in ("JP", "MY"):
        members += ["big", *(f"{r}{i}" for i in range(5))]
        regions += [r] * 6
        values += [30.0] + [10.0] * 5
    t = build_table({"contributor": members, "region": regions, "value": values}, ["region"])
    grand = t.cell_index(TOTAL)
    assert t.largest[grand] == 60.0 and t.contributors[grand] == 11
    result = primary_suppression(t, DisclosureRules(dominance_k=45))
    assert result.sensitive.tolist() == [True, True, False]
    result = primary_suppression(t, DisclosureRules(dominance_k=40))
    assert result.sensitive.tolist() == [True, True, True]  # 70 / 160 = 43.75 % > 40 %
    assert result.reasons(grand) == ("dominance",)


def test_rules_validation() -> None:
    for bad in (
        {"min_contributors": 0},
        {"dominance_n": 0},
        {"dominance_k": 0.0},
        {"dominance_k": 101.0},
        {"p_percent": -1.0},
        {"protection_pct": 150.0},
    ):
        with pytest.raises(InputError):
            DisclosureRules(**bad)
    t = build_table(_one_cell([1.0, 2.0]), ["region"], dominance_n=3)
    with pytest.raises(InputError, match="dominance n=3"):
        primary_suppression(t, DisclosureRules())
    assert np.allclose(DisclosureRules(protection_pct=20).protection(np.array([50.0])), [10.0])
