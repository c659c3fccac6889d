"""Stored rounds end to end: the docs' worked example, states, rights, input errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from osatnet.db import Database
from osatnet.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from osatnet.procurement import Procurement, ResilienceRules

from .conftest import QUOTES, ROUND, demand_rows, run_round

# The docs' worked example: Shapley shares and solo costs of the three members.
SHAPLEY = {"m1": (75_625.0, 86_000.0), "m2": (39_800.0, 48_600.0), "m3": (24_575.0, 25_800.0)}


def test_worked_example_through_the_platform(pdb: Database) -> None:
    run_round(pdb)
    for member, user in (("m1", "m1-admin"), ("m2", "m2-user"), ("m3", "m3-user")):
        mine = Procurement(pdb, user).my_result(ROUND)
        assert (mine.member_id, mine.cost, mine.solo_cost) == (member, *SHAPLEY[member])
        assert mine.savings == pytest.approx(SHAPLEY[member][1] - SHAPLEY[member][0])
        assert mine.std_error is None and mine.unpooled_categories == ()
    total = Procurement(pdb, "sec").round_summary(ROUND)
    assert (total.total_cost, total.solo_total, total.savings_pct) == (140_000.0, 160_400.0, 12.72)
    assert total.target_reached is False and total.target_pct == 20.0
    assert total.current_spend == 188_650.0 and total.exact and total.members == 3
    assert {(o["supplier_id"], o["quantity"]) for o in total.orders} == {
        ("wire_a", 150.0),
        ("wire_b", 900.0),
        ("emc_x", 300.0),
        ("emc_y", 4000.0),
    }
    assert {(r["category"], r["rule"], r["cost"]) for r in total.rule_costs} == {
        ("bonding_wire_cu", "capacity", 4500.0),
        ("epoxy_mold_compound", "capacity", 1800.0),
    }
    # Not in the core, but the core is not empty (least-core epsilon -300, as the docs say).
    assert total.core == {
        "in_core": False,
        "exact": True,
        "core_empty": False,
        "least_core_epsilon": -300.0,
    }
    assert total.savings_distribution is None  # 3 members: too few to show a distribution
    assert [r.status for r in Procurement(pdb, "m3-user").rounds()] == ["awarded"]


def test_proportional_and_rerun_replace_results(pdb: Database) -> None:
    run_round(pdb)
    sec = Procurement(pdb, "sec")
    summary = sec.run_award(ROUND, method="proportional")
    assert summary.method == "proportional" and summary.total_cost == 140_000.0
    assert Procurement(pdb, "m1-user").my_result(ROUND).cost == 80_617.94
    with pytest.raises(InputError, match="method expects proportional or shapley"):
        sec.run_award(ROUND, method="nucleolus")


def test_round_states_and_rules(pdb: Database) -> None:
    sec = Procurement(pdb, "sec")
    info = sec.open_round(ROUND, rules=ResilienceRules(max_supplier_share=0.8, min_suppliers=2))
    assert (info.status, info.max_supplier_share, info.min_suppliers) == ("open", 0.8, 2)
    with pytest.raises(ConflictError, match="exists already"):
        sec.open_round(ROUND)
    with pytest.raises(InputError, match="round key"):
        sec.open_round("no spaces please")
    with pytest.raises(InputError, match="savings target"):
        sec.open_round("R2", savings_target=20)
    for member, user in (("m1", "m1-admin"), ("m2", "m2-user")):
        Procurement(pdb, user).submit_demand(ROUND, demand_rows(member))
    sec.enter_quotes(ROUND, QUOTES)
    with pytest.raises(ConflictError, match="still open"):
        sec.run_award(ROUND)
    sec.close_round(ROUND)
    with pytest.raises(ConflictError, match="closed already"):
        sec.close_round(ROUND)
    with pytest.raises(ConflictError, match="demand can no longer change"):
        Procurement(pdb, "m3-user").submit_demand(ROUND, demand_rows("m3"))
    with pytest.raises(ConflictError, match="no award yet"):
        Procurement(pdb, "m1-user").my_result(ROUND)
    summary = sec.run_award(ROUND)
    # The rules of the round apply: with 2 suppliers at most 80% each, wire is split.
    wire = [o for o in summary.orders if o["category"] == "bonding_wire_cu"]
    assert len(wire) == 2 and max(o["quantity"] for o in wire) <= 0.8 * 900 + 1e-6
    with pytest.raises(ConflictError, match="quotes can no longer change"):
        sec.enter_quotes(ROUND, QUOTES)
    with pytest.raises(NotFoundError, match="no procurement round 'R9'"):
        sec.close_round("R9")


def test_roles(pdb: Database) -> None:
    member, sec = Procurement(pdb, "m1-admin"), Procurement(pdb, "sec")
    with pytest.raises(PermissionDenied, match="needs secretariat"):
        member.open_round(ROUND)
    sec.open_round(ROUND)
    with pytest.raises(PermissionDenied, match="belongs to no member"):
        sec.submit_demand(ROUND, demand_rows("m1"))
    with pytest.raises(PermissionDenied, match="needs secretariat"):
        member.enter_quotes(ROUND, QUOTES)
    with pytest.raises(PermissionDenied, match="needs secretariat"):
        member.run_award(ROUND)
    with pytest.raises(PermissionDenied, match="needs secretariat, auditor"):
        member.round_summary(ROUND)
    with pytest.raises(PermissionDenied, match="no user"):
        Procurement(pdb).rounds()


def test_demand_file_and_located_errors(pdb: Database, tmp_path: Path) -> None:
    Procurement(pdb, "sec").open_round(ROUND)
    m1 = Procurement(pdb, "m1-user")
    good = tmp_path / "demand.csv"
    good.write_text(
        "member_id,category,quantity,current_unit_price\n"
        "m1,bonding_wire_cu,600,98\nm1,epoxy_mold_compound,2500,\n",
        encoding="utf-8",
    )
    receipt = m1.submit_demand(ROUND, good)
    assert (receipt.lines, receipt.replaced, receipt.source) == (2, 0, "demand.csv")
    again = m1.submit_demand(ROUND, [{"category": "bonding_wire_cu", "quantity": 10}])
    assert again.replaced == 2  # a new submission replaces the whole earlier one
    assert [(d.category, d.quantity) for d in m1.my_demand(ROUND)] == [("bonding_wire_cu", 10.0)]
    other = tmp_path / "other.csv"
    other.write_text("member_id,category,quantity\nm1,leadframe,5\nm2,leadframe,7\n", "utf-8")
    with pytest.raises(InputError) as caught:
        m1.submit_demand(ROUND, other)
    assert str(caught.value) == (
        "other.csv:3: column member_id: you may submit demand only for member m1, not 'm2'"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("member_id,category,quantity\nm1,leadframe,lots\n", "utf-8")
    with pytest.raises(InputError, match=r"^bad\.csv:2: column quantity: expected a number"):
        m1.submit_demand(ROUND, bad)
    with pytest.raises(InputError, match="rows:2: column category: leadframe repeats row 1"):
        m1.submit_demand(ROUND, [{"category": "leadframe", "quantity": 1}] * 2)
    with pytest.raises(InputError, match="rows:1: column quantity"):
        m1.submit_demand(ROUND, [{"category": "leadframe", "quantity": -1}])
    # Nothing of the failed submissions was stored: all or nothing.
    assert [(d.category, d.quantity) for d in m1.my_demand(ROUND)] == [("bonding_wire_cu", 10.0)]


def test_single_buyer_category_is_not_pooled(pdb: Database) -> None:
    table = {
        "m1": {"bonding_wire_cu": (600.0, 98.0), "underfill": (40.0, 50.0)},
        "m2": {"bonding_wire_cu": (300.0, 100.0)},
    }
    run_round(pdb, table)
    mine = Procurement(pdb, "m1-admin").my_result(ROUND)
    assert mine.unpooled_categories == ("underfill",)
    summary = Procurement(pdb, "sec").round_summary(ROUND)
    assert summary.unpooled_categories == 1
    assert {c["category"] for c in summary.categories} == {"bonding_wire_cu"}
    assert "underfill" not in summary.model_dump_json()


def test_award_errors(pdb: Database, tmp_path: Path) -> None:
    sec = Procurement(pdb, "sec")
    sec.open_round(ROUND)
    Procurement(pdb, "m1-user").submit_demand(ROUND, demand_rows("m1"))
    sec.close_round(ROUND)
    with pytest.raises(ConflictError, match="nothing to pool"):
        sec.run_award(ROUND)
    sec.open_round("R2")
    for user in ("m1-user", "m2-user"):
        Procurement(pdb, user).submit_demand("R2", [{"category": "leadframe", "quantity": 10}])
    sec.close_round("R2")
    with pytest.raises(InputError, match="no supplier quotes category 'leadframe'"):
        sec.run_award("R2")
    quotes = tmp_path / "q.csv"
    quotes.write_text(
        "supplier_id,category,min_qty,unit_price,capacity\nlf,leadframe,1,5,12\n", "utf-8"
    )
    assert sec.enter_quotes("R2", quotes) == 1
    with pytest.raises(InputError, match="category leadframe: not enough capacity: shortfall 8"):
        sec.run_award("R2")
    assert [q.capacity for q in sec.quotes("R2")] == [12.0]
    # A schedule entered again replaces the supplier's earlier one (breaks included).
    quotes.write_text(
        "supplier_id,category,min_qty,unit_price,capacity\nlf,leadframe,1,5,30\nlf,leadframe,15,4,\n",
        "utf-8",
    )
    sec.enter_quotes("R2", quotes)
    assert [(q.capacity, len(q.breaks)) for q in sec.quotes("R2")] == [(30.0, 2)]
    assert sec.run_award("R2").total_cost == 80.0  # 20 units at the 15-unit break


def test_sampled_shapley_keeps_each_standard_error_with_its_member(
    pdb: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Beyond MAX_EXACT_MEMBERS the core samples; lowering it samples these three members.
    monkeypatch.setattr("osatnet.procurement._allocate.MAX_EXACT_MEMBERS", 2)
    run_round(pdb)
    summary = Procurement(pdb, "sec").round_summary(ROUND)
    assert summary.exact is False and summary.total_cost == 140_000.0
    shares = [Procurement(pdb, u).my_result(ROUND) for u in ("m1-admin", "m2-user", "m3-user")]
    assert sum(r.cost for r in shares) == pytest.approx(140_000.0)
    assert all(r.std_error is not None and r.std_error >= 0 for r in shares)
