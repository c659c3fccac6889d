"""The award: how much of each category to buy from which supplier, as a MILP in HiGHS.

Categories are independent (every rule is per category), so each category is its own small
MILP; that also lets an infeasible round name the category that fails.

Model of one category with pooled quantity ``Q`` (options from :mod:`._options`)::

    y_o in {0,1}   option o is used        e_o >= 0   units bought above the option's lo
    min  sum base_o y_o + slope_o e_o
    s.t. sum lo_o y_o + e_o                    = Q          (demand)
         e_o - (hi_o - lo_o) y_o               <= 0         (break width)
         sum_{o of j} y_o                      <= 1         (one break per supplier)
         q_j                                   <= capacity_j
         q_j                                   <= s Q       (max supplier share)
         sum_{j in country g} q_j              <= t Q       (max country share)
         sum y_o                               >= m         (min suppliers)

with ``q_j = sum_{o of j} lo_o y_o + e_o``. The matrix is assembled from index arrays.

Shadow prices: the MILP has no duals, so after solving it the chosen breaks (``y``) are
fixed and the remaining LP is re-solved; its row duals are the marginal values of capacity
and share caps *at the chosen breaks*. Because a small change can also switch breaks, each
rule is additionally priced by re-solving the MILP without it (the ``rule_costs``): that is
the total, not marginal, cost of keeping the rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from ..optim import LinearModel, Solution, Status, solve
from ._options import OptionTable, build_options
from ._results import (
    Award,
    AwardLine,
    CategoryAward,
    ConstraintPrice,
    InfeasibleDemand,
    RuleCost,
    group_by_category,
)
from ._types import Demand, Quote, ResilienceRules

__all__ = ["award", "solve_category"]

FloatArray = npt.NDArray[np.float64]
_RULES = ("max_supplier_share", "max_country_share", "min_suppliers")


@dataclass(frozen=True)
class _Built:
    model: LinearModel
    table: OptionTable
    cap_rows: npt.NDArray[np.int64]  # row index per supplier, -1 when uncapped
    share_row0: int  # first supplier-share row, -1 when the rule is off
    country_row0: int


def _build(table: OptionTable, rules: ResilienceRules, qty: float, surplus: bool = False) -> _Built:
    n_opt, n_sup = table.num_options, table.num_suppliers
    opt = np.arange(n_opt)
    y, e = opt, n_opt + opt
    rows: list[npt.NDArray[np.int64]] = []
    cols: list[npt.NDArray[np.int64]] = []
    vals: list[FloatArray] = []
    lo_b: list[FloatArray] = []
    hi_b: list[FloatArray] = []
    nrow = 0

    def block(r: npt.NDArray[np.int64], c: npt.NDArray[np.int64], v: FloatArray) -> None:
        rows.append(r)
        cols.append(c)
        vals.append(v)

    def quantity_rows(row_of_option: npt.NDArray[np.int64]) -> None:
        # q = lo*y + e, written for the rows given per option
        block(row_of_option, y, table.lo)
        block(row_of_option, e, np.ones(n_opt))

    # demand
    quantity_rows(np.zeros(n_opt, dtype=np.int64))
    lo_b.append(np.array([qty]))
    hi_b.append(np.array([np.inf if surplus else qty]))
    nrow += 1
    # break width
    block(nrow + opt, e, np.ones(n_opt))
    block(nrow + opt, y, -(table.hi - table.lo))
    lo_b.append(np.full(n_opt, -np.inf))
    hi_b.append(np.zeros(n_opt))
    nrow += n_opt
    # one break per supplier
    block(nrow + table.supplier, y, np.ones(n_opt))
    lo_b.append(np.full(n_sup, -np.inf))
    hi_b.append(np.ones(n_sup))
    nrow += n_sup
    # capacity
    capped = np.flatnonzero(np.isfinite(table.capacity))
    cap_rows = np.full(n_sup, -1, dtype=np.int64)
    cap_rows[capped] = nrow + np.arange(capped.size)
    has = cap_rows[table.supplier] >= 0
    block(cap_rows[table.supplier][has], y[has], table.lo[has])
    block(cap_rows[table.supplier][has], e[has], np.ones(int(has.sum())))
    lo_b.append(np.full(capped.size, -np.inf))
    hi_b.append(table.capacity[capped])
    nrow += capped.size
    share_row0 = country_row0 = -1
    if rules.max_supplier_share is not None:
        share_row0 = nrow
        quantity_rows(nrow + table.supplier)
        lo_b.append(np.full(n_sup, -np.inf))
        hi_b.append(np.full(n_sup, rules.max_supplier_share * qty))
        nrow += n_sup
    if rules.max_country_share is not None:
        n_c = len(table.countries)
        country_row0 = nrow
        quantity_rows(nrow + table.country_of[table.supplier])
        lo_b.append(np.full(n_c, -np.inf))
        hi_b.append(np.full(n_c, rules.max_country_share * qty))
        nrow += n_c
    if rules.min_suppliers > 1:
        block(np.full(n_opt, nrow, dtype=np.int64), y, np.ones(n_opt))
        lo_b.append(np.array([float(rules.min_suppliers)]))
        hi_b.append(np.array([np.inf]))
        nrow += 1
    a = sp.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(nrow, 2 * n_opt),
    )
    model = LinearModel(
        c=np.concatenate([table.base, table.slope]),
        A=a,
        row_lo=np.concatenate(lo_b),
        row_hi=np.concatenate(hi_b),
        col_lo=np.zeros(2 * n_opt),
        col_hi=np.concatenate([np.ones(n_opt), table.hi - table.lo]),
        integrality=np.concatenate([np.ones(n_opt, bool), np.zeros(n_opt, bool)]),
    )
    return _Built(model, table, cap_rows, share_row0, country_row0)


def _available(table: OptionTable, rules: ResilienceRules, qty: float) -> float:
    """Most that could be bought of ``qty`` under capacity and share caps (a quick bound)."""
    per = np.zeros(table.num_suppliers)
    np.maximum.at(per, table.supplier, table.hi)
    per = np.minimum(per, table.capacity)
    if rules.max_supplier_share is not None:
        per = np.minimum(per, rules.max_supplier_share * qty)
    if rules.max_country_share is not None:
        by_country = np.zeros(len(table.countries))
        np.add.at(by_country, table.country_of, per)
        return float(np.minimum(by_country, rules.max_country_share * qty).sum())
    return float(per.sum())


def _solve_model(
    quotes: Sequence[Quote],
    rules: ResilienceRules,
    category: str,
    qty: float,
    surplus: bool = False,
) -> tuple[_Built, Solution]:
    # With surplus, a purchase never needs more than qty plus every supplier's largest break.
    limit = qty + sum(q.breaks[-1].min_qty for q in quotes) if surplus else qty
    table = build_options(category, quotes, rules, max_qty=limit, clip_capacity=False)
    built = _build(table, rules, qty, surplus)
    if table.num_options == 0:
        return built, Solution(
            Status.INFEASIBLE,
            np.zeros(0),
            math.nan,
            math.nan,
            math.inf,
            None,
            0.0,
            "no option fits",
        )
    return built, solve(built.model, mip_gap=1e-9, time_limit=60.0)


def _explain_infeasible(
    quotes: Sequence[Quote], rules: ResilienceRules, category: str, qty: float
) -> InfeasibleDemand:
    table = build_options(category, quotes, rules, max_qty=qty, clip_capacity=True)
    avail = _available(table, rules, qty)
    unit = f" (demand {qty:g}, available {avail:g})"
    if avail < qty * (1 - 1e-9):
        what = "capacity and share caps" if rules.active else "capacity"
        return InfeasibleDemand(
            category, f"not enough {what}: shortfall {qty - avail:g}{unit}", qty - avail
        )
    if rules.active and _solve_model(quotes, ResilienceRules(), category, qty)[1].status in (
        Status.OPTIMAL,
        Status.FEASIBLE,
    ):
        return InfeasibleDemand(
            category,
            f"the resilience rules cannot be met with the quotes (min_suppliers="
            f"{rules.min_suppliers}, max_supplier_share={rules.max_supplier_share}, "
            f"max_country_share={rules.max_country_share})",
        )
    return InfeasibleDemand(
        category, f"no combination of suppliers' minimum orders and capacities buys exactly {qty:g}"
    )


def solve_category(
    category: str,
    quotes: Sequence[Quote],
    qty: float,
    rules: ResilienceRules = ResilienceRules(),
    *,
    with_prices: bool = True,
    surplus: bool = False,
) -> CategoryAward:
    """Least-cost award of ``qty`` units of ``category``; raises :class:`InfeasibleDemand`.

    ``surplus``: when ``qty`` cannot be bought exactly (below the minimum orders), buy the
    cheapest larger quantity instead — the rule the cost game applies to small groups. It
    needs rules without share caps, which are defined relative to the exact quantity.
    """
    if surplus and (rules.max_supplier_share is not None or rules.max_country_share is not None):
        raise ValueError("surplus purchases are not defined with share caps")
    if qty <= 0:
        return CategoryAward(category, 0.0, 0.0, ())
    if not quotes:
        raise InfeasibleDemand(category, f"no supplier quotes it (shortfall {qty:g})", qty)
    built, sol = _solve_model(quotes, rules, category, qty)
    if surplus and sol.status is Status.INFEASIBLE:
        built, sol = _solve_model(quotes, rules, category, qty, surplus=True)
    if not sol.status.has_solution:
        if sol.status is Status.INFEASIBLE:
            raise _explain_infeasible(quotes, rules, category, qty)
        raise InfeasibleDemand(category, f"the solver stopped without an award ({sol.message})")
    table = built.table
    n_opt = table.num_options
    yv = np.round(sol.x[:n_opt])
    ev = sol.x[n_opt:]
    q_opt = table.lo * yv + ev
    c_opt = table.base * yv + table.slope * ev
    q_sup = np.zeros(table.num_suppliers)
    c_sup = np.zeros(table.num_suppliers)
    np.add.at(q_sup, table.supplier, q_opt)
    np.add.at(c_sup, table.supplier, c_opt)
    lines = tuple(
        AwardLine(
            table.suppliers[j],
            category,
            float(q_sup[j]),
            float(c_sup[j] / q_sup[j]),
            float(c_sup[j]),
        )
        for j in np.flatnonzero(q_sup > 1e-9)
    )
    prices = _prices(built, yv, qty) if with_prices else ()
    return CategoryAward(category, qty, float(c_sup.sum()), lines, prices)


def _prices(built: _Built, yv: FloatArray, qty: float) -> tuple[ConstraintPrice, ...]:
    m = built.model
    n_opt = built.table.num_options
    fixed = LinearModel(
        c=m.c,
        A=m.A,
        row_lo=m.row_lo,
        row_hi=m.row_hi,
        col_lo=np.concatenate([yv, m.col_lo[n_opt:]]),
        col_hi=np.concatenate([yv, m.col_hi[n_opt:]]),
    )
    sol = solve(fixed)
    if sol.status is not Status.OPTIMAL or sol.row_duals is None:
        return ()
    # HiGHS duals are d(cost)/d(bound): a binding "<=" row has a dual <= 0, so the saving of
    # one more unit of the bound is -dual; the demand row's dual is the cost of one more unit.
    d = sol.row_duals
    t = built.table
    out = [ConstraintPrice(t.category, "demand", t.category, -float(d[0]), "unit")]
    for j, r in enumerate(built.cap_rows):
        if r >= 0 and -d[r] > 1e-9:
            out.append(
                ConstraintPrice(t.category, "capacity", t.suppliers[j], -float(d[r]), "unit")
            )
    point = qty / 100.0
    if built.share_row0 >= 0:
        for j in range(t.num_suppliers):
            v = -float(d[built.share_row0 + j]) * point
            if v > 1e-9:
                out.append(
                    ConstraintPrice(
                        t.category, "max_supplier_share", t.suppliers[j], v, "percentage point"
                    )
                )
    if built.country_row0 >= 0:
        for g, name in enumerate(t.countries):
            v = -float(d[built.country_row0 + g]) * point
            if v > 1e-9:
                out.append(
                    ConstraintPrice(t.category, "max_country_share", name, v, "percentage point")
                )
    return tuple(out)


def _rule_costs(
    category: str, quotes: Sequence[Quote], qty: float, rules: ResilienceRules, cost: float
) -> list[RuleCost]:
    out: list[RuleCost] = []
    relaxed: list[tuple[str, ResilienceRules, Sequence[Quote]]] = []
    for rule in _RULES:
        if getattr(rules, rule) not in (None, 1):
            relaxed.append((rule, rules.without(rule), quotes))
    if any(q.capacity is not None for q in quotes):
        uncapped = [
            Quote(
                q.supplier_id, q.category, q.breaks, q.discount, None, q.country, q.lead_time_weeks
            )
            for q in quotes
        ]
        relaxed.append(("capacity", rules, uncapped))
    for rule, r, qs in relaxed:
        free = solve_category(category, qs, qty, r, with_prices=False)
        out.append(RuleCost(category, rule, max(0.0, cost - free.cost)))
    return out


def award(
    demands: Sequence[Demand],
    quotes: Sequence[Quote],
    rules: ResilienceRules = ResilienceRules(),
    *,
    price_rules: bool = True,
) -> Award:
    """Award the pooled demand of every category at least cost under ``rules``.

    ``price_rules`` adds the shadow prices and the cost of each active rule and of capacity.
    Raises :class:`InfeasibleDemand` naming the first category that cannot be bought.
    """
    pooled: dict[str, float] = {}
    for d in demands:
        pooled[d.category] = pooled.get(d.category, 0.0) + d.quantity
    by_cat = group_by_category(quotes)
    lines: list[AwardLine] = []
    prices: list[ConstraintPrice] = []
    costs: list[RuleCost] = []
    cat_cost: dict[str, float] = {}
    for cat, qty in pooled.items():
        res = solve_category(cat, by_cat.get(cat, []), qty, rules, with_prices=price_rules)
        lines.extend(res.lines)
        prices.extend(res.prices)
        cat_cost[cat] = res.cost
        if price_rules and qty > 0:
            costs.extend(_rule_costs(cat, by_cat[cat], qty, rules, res.cost))
    return Award(
        lines=tuple(lines),
        total_cost=math.fsum(cat_cost.values()),
        category_cost=cat_cost,
        category_quantity=pooled,
        rules=rules,
        prices=tuple(prices),
        rule_costs=tuple(costs),
    )
