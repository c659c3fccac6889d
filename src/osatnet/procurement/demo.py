"""The demo's procurement round: members' demand from their spend, invented suppliers' quotes.

Demand follows the spend the demo members submit to the firewall (``demo/submissions.py``):
each member's latest quarterly spend per material category, turned into a quantity at the
price it pays today. Small firms pay close to list price; the large ones already get some
discount. Suppliers are invented ("Bonding wire maker A (JP)") but their countries follow
where these materials are really made (Japan, Korea, Taiwan, Malaysia, Germany, the United
States...), and their price breaks sit at round quantities that only pooled volume reaches.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..registry.catalog import EmployeeBand
from ..tabular import write_csv
from ._rounds_schemas import RoundSummary
from ._types import ResilienceRules
from .report import procurement_section
from .service import Procurement

if TYPE_CHECKING:
    from ..demo._context import DemoContext

__all__ = ["DEMO_ROUND", "demo_step"]

DEMO_ROUND = "2027Q1"
_QUARTERS = 3  # as the demo's submissions: the round buys on the latest quarter's spend
# List price per catalog unit (JPY) and the countries of the category's suppliers.
_MARKET: dict[str, tuple[float, tuple[str, ...]]] = {
    "bonding_wire_au": (90_000.0, ("JP", "JP", "DE", "KR")),
    "bonding_wire_cu": (2_400.0, ("JP", "KR", "SG", "DE")),
    "leadframe": (4_000.0, ("JP", "TW", "MY", "CN")),
    "organic_substrate": (18_000.0, ("JP", "TW", "KR")),
    "epoxy_mold_compound": (3_000.0, ("JP", "JP", "KR", "CN")),
    "die_attach_paste": (120_000.0, ("JP", "DE", "US")),
    "underfill": (60_000.0, ("JP", "US", "DE")),
    "test_socket": (45_000.0, ("US", "JP", "KR")),
    "probe_card": (2_500_000.0, ("US", "JP", "IT")),
    "tape_and_reel": (1_200.0, ("JP", "TW", "MY", "US")),
}
_NAMES = {
    "bonding_wire_au": "Gold wire maker",
    "bonding_wire_cu": "Copper wire maker",
    "leadframe": "Leadframe maker",
    "organic_substrate": "Substrate maker",
    "epoxy_mold_compound": "Mold compound maker",
    "die_attach_paste": "Die attach paste maker",
    "underfill": "Underfill maker",
    "test_socket": "Test socket maker",
    "probe_card": "Probe card maker",
    "tape_and_reel": "Carrier tape maker",
}
# Break points as fractions of the pooled quantity, and the discount from list price at each.
_BREAKS = ((0.0, 0.0), (0.05, 0.07), (0.2, 0.16), (0.45, 0.30))
_WHOLE_UNITS_FROM = 40_000.0  # list prices above this are countable things (sockets, cards)
_ROUND_SIZE = 20
_LARGE = {EmployeeBand.B300_999, EmployeeBand.GE_1000}
RULES = ResilienceRules(max_supplier_share=0.7, max_country_share=0.85, min_suppliers=2)


def _nice(x: float) -> float:
    """``x`` rounded to two significant digits, as quotes are written."""
    if x <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(x)) - 1)
    return float(round(x / step) * step)


def demo_demand(seed: int) -> dict[str, list[dict[str, object]]]:
    """Per member, its demand rows (category, quantity, current unit price)."""
    # Imported here: the demo's step list imports this module, so importing the demo package
    # at module level would be circular.
    from ..demo.generator import generate_registry
    from ..demo.submissions import demo_submission_rows

    data = generate_registry(seed)
    band = {m.member_id: m.employee_band for m in data.members}
    rng = np.random.default_rng(seed + 2000)
    out: dict[str, list[dict[str, object]]] = {}
    for member, quarters in sorted(demo_submission_rows(data, seed, _QUARTERS).items()):
        if band[member] in _LARGE:
            continue  # large firms keep their own purchasing contracts; the round is for SMEs
        rows = []
        for r in quarters[-1]:
            measure = str(r["measure"])
            category = measure.removeprefix("spend_")
            if not measure.startswith("spend_") or category not in _MARKET:
                continue
            list_price = _MARKET[category][0]
            discount = float(rng.uniform(-0.04, 0.03))
            price = round(list_price * (1 - discount), 2)
            quantity = float(r["value"]) / price  # type: ignore[arg-type]
            # Countable things are ordered whole; materials to a tenth of their unit.
            quantity = (
                float(max(1, round(quantity)))
                if list_price > _WHOLE_UNITS_FROM
                else round(quantity, 1)
            )
            if quantity > 0:
                rows.append(
                    {"category": category, "quantity": quantity, "current_unit_price": price}
                )
        if rows:
            out[member] = rows
    # Joining is voluntary: the first round gathers 20 of them, which also keeps the split an
    # exact Shapley value with an exact core check.
    joined = sorted(rng.choice(sorted(out), size=min(_ROUND_SIZE, len(out)), replace=False))
    return {m: out[m] for m in joined}


def demo_quotes(demand: dict[str, list[dict[str, object]]], seed: int) -> list[tuple[object, ...]]:
    """quotes.csv rows: three or four suppliers per category, breaks at round quantities."""
    pooled: dict[str, float] = {}
    for rows in demand.values():
        for r in rows:
            pooled[str(r["category"])] = pooled.get(str(r["category"]), 0.0) + float(r["quantity"])  # type: ignore[arg-type]
    rng = np.random.default_rng(seed + 3000)
    out: list[tuple[object, ...]] = []
    for category, total in sorted(pooled.items()):
        list_price, countries = _MARKET[category]
        for i, country in enumerate(countries):
            supplier = f"{_NAMES[category]} {'ABCD'[i]} ({country})"
            level = list_price * float(rng.uniform(0.97, 1.06))
            incremental = i == len(countries) - 1  # one supplier per category bands its prices
            capacity = _nice(total * float(rng.uniform(0.55, 0.9)))
            lead = int(rng.integers(3, 13))
            whole = list_price > _WHOLE_UNITS_FROM
            min_qty = 0.0
            for j, (share, off) in enumerate(_BREAKS):
                # Breaks must rise; countable things break at whole numbers.
                at = float(round(total * share)) if whole else _nice(total * share)
                min_qty = 1.0 if j == 0 else max(at, min_qty + 1)
                price = round(level * (1 - off * float(rng.uniform(0.9, 1.1))), 2)
                first = j == 0
                out.append(
                    (
                        supplier, category, min_qty, price,
                        ("incremental" if incremental else "all_units") if first else "",
                        capacity if first else "", country if first else "", lead if first else "",
                    )
                )  # fmt: skip
    return out


def demo_step(ctx: DemoContext) -> None:
    """Run a procurement round for the demo alliance and add its section to the report."""
    demand = demo_demand(ctx.seed)
    folder = ctx.out / "procurement"
    folder.mkdir(parents=True, exist_ok=True)
    quotes_file = folder / "quotes.csv"
    write_csv(
        quotes_file,
        ["supplier_id", "category", "min_qty", "unit_price", "discount", "capacity", "country",
         "lead_time_weeks"],
        demo_quotes(demand, ctx.seed),
    )  # fmt: skip
    sec = Procurement.login(ctx.db, "secretariat", via="demo")
    sec.open_round(DEMO_ROUND, title="Materials for 2027Q1 / 2027年第1四半期の材料", rules=RULES)
    for member, rows in demand.items():
        user = f"{member.lower()}-admin"
        Procurement.login(ctx.db, user, via="demo").submit_demand(DEMO_ROUND, rows)
    sec.enter_quotes(DEMO_ROUND, quotes_file)
    sec.close_round(DEMO_ROUND)
    sec.run_award(DEMO_ROUND, method="shapley")
    summary: RoundSummary = sec.round_summary(DEMO_ROUND)
    # A member reads its own share: the firewall's path, audited like any read.
    first = next(iter(demand))
    Procurement(ctx.db, f"{first.lower()}-admin").my_result(DEMO_ROUND)
    procurement_section(ctx.report, summary)
    ctx.summary["procurement"] = {
        "round": DEMO_ROUND,
        "members": summary.members,
        "categories": len(summary.categories),
        "method": summary.method,
        "exact": summary.exact,
        "total_cost": summary.total_cost,
        "solo_total": summary.solo_total,
        "savings_pct": summary.savings_pct,
        "target_reached": summary.target_reached,
    }
