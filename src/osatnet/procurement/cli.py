"""``osatnet procure``: award pooled demand and split its cost, from CSV files; stored rounds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..cli._common import JsonOption, console, print_json
from ..errors import InputError
from ._allocate import Allocation, Method, allocate
from ._award import award
from ._files import RoundFiles, read_round, write_allocation, write_award
from ._report import ALLIANCE_TARGET, allocation_dict, award_dict, round_report
from ._results import Award, InfeasibleDemand
from ._rounds_cli import demand_app, quotes_app, round_app
from ._types import ResilienceRules
from .catalog import CATALOG

__all__ = ["app"]

app = typer.Typer(
    help="Joint procurement: pool demand, award it across price breaks, split the cost.",
    no_args_is_help=True,
)

DemandOpt = Annotated[
    Path, typer.Option("--demand", help="demand.csv: member_id,category,quantity[,...]")
]
QuotesOpt = Annotated[
    Path, typer.Option("--quotes", help="quotes.csv: supplier_id,category,min_qty,unit_price[,...]")
]
SupplierShareOpt = Annotated[
    float | None,
    typer.Option("--max-supplier-share", help="Largest share of a category per supplier (0-1)."),
]
CountryShareOpt = Annotated[
    float | None,
    typer.Option("--max-country-share", help="Largest share of a category per country (0-1)."),
]
MinSuppliersOpt = Annotated[
    int, typer.Option("--min-suppliers", help="Fewest suppliers per category.")
]
MethodOpt = Annotated[str, typer.Option("--method", help="proportional or shapley.")]
SamplesOpt = Annotated[
    int | None,
    typer.Option("--samples", help="Sample this many permutations instead of exact Shapley."),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed of the sampling.")]


def _rules(supplier: float | None, country: float | None, minimum: int) -> ResilienceRules:
    for flag, value in (("--max-supplier-share", supplier), ("--max-country-share", country)):
        if value is not None and not 0 < value <= 1:
            raise InputError(
                f"{flag} expects a fraction in (0, 1] such as 0.6 for 60%, got {value:g}"
            )
    if minimum < 1:
        raise InputError(f"--min-suppliers expects a whole number >= 1, got {minimum}")
    return ResilienceRules(supplier, country, minimum)


def _award(files: RoundFiles, rules: ResilienceRules, price_rules: bool = True) -> Award:
    try:
        return award(files.demands, files.quotes, rules, price_rules=price_rules)
    except InfeasibleDemand as exc:
        raise files.locate(exc) from exc


def _method(text: str) -> Method:
    try:
        return Method(text.strip().lower())
    except ValueError:
        raise InputError(f"--method expects proportional or shapley, got {text!r}") from None


def _allocate(
    files: RoundFiles,
    rules: ResilienceRules,
    method: Method,
    samples: int | None,
    seed: int,
    result: Award,
) -> Allocation:
    if samples is not None and samples < 2:
        raise InputError(f"--samples expects a whole number >= 2, got {samples}")
    return allocate(
        files.demands,
        files.quotes,
        rules,
        method=method,
        samples=samples,
        seed=seed,
        awarded=result,
    )


def _print_allocation(allocation: Allocation) -> None:
    sampled = not allocation.exact
    table = Table(
        "member",
        "cost",
        "solo cost",
        "savings",
        "savings %",
        *(["std error"] if sampled else []),
        title=f"{allocation.method.value} split of {allocation.total_cost:,.2f}",
    )
    for s in allocation.shares:
        cells = [
            s.member_id,
            f"{s.cost:,.2f}",
            f"{s.solo_cost:,.2f}",
            f"{s.savings:,.2f}",
            f"{s.savings_pct:.2f}",
        ]
        if sampled:
            cells.append(f"{s.std_error:,.2f}" if s.std_error is not None else "")
        table.add_row(*cells)
    console.print(table)
    core = allocation.core
    if core is None:
        return
    names = [s.member_id for s in allocation.shares]
    if core.in_core:
        how = "every group" if core.exact else "every group the search tried"
        console.print(f"In the core: {how} pays no more than buying alone.")
        return
    group = ", ".join(names[i] for i in core.coalition)
    console.print(f"Not in the core: {{{group}}} would save {core.max_excess:,.2f} buying alone.")
    if core.least_core is not None:
        state = "empty" if core.least_core.core_empty else "not empty"
        lc = core.least_core
        offer = ", ".join(f"{m} {v:,.2f}" for m, v in zip(names, lc.allocation, strict=True))
        console.print(
            f"The core is {state} (least-core epsilon {lc.epsilon:,.2f}); the least-core "
            f"split nearest to this one: {offer}."
        )


@app.command("award")
def award_cmd(
    demand: DemandOpt,
    quotes: QuotesOpt,
    out: Annotated[Path, typer.Option("--out", help="award.csv to write.")],
    max_supplier_share: SupplierShareOpt = None,
    max_country_share: CountryShareOpt = None,
    min_suppliers: MinSuppliersOpt = 1,
    json: JsonOption = False,
) -> None:
    """Award the pooled demand at least cost under the price breaks and rules."""
    rules = _rules(max_supplier_share, max_country_share, min_suppliers)
    files = read_round(demand, quotes)
    result = _award(files, rules)
    write_award(out, result)
    if json:
        print_json(award_dict(result))
        return
    table = Table(
        "supplier",
        "category",
        "quantity",
        "unit price",
        "cost",
        title=f"Award: total {result.total_cost:,.2f}",
    )
    for line in result.lines:
        table.add_row(
            line.supplier_id,
            line.category,
            f"{line.quantity:,.6g}",
            f"{line.unit_price:,.4f}",
            f"{line.cost:,.2f}",
        )
    console.print(table)
    for r in result.rule_costs:
        if r.cost > 0.005:
            console.print(f"{r.category}: the {r.rule} rule costs {r.cost:,.2f}")
    console.print(f"wrote {out}")


@app.command("allocate")
def allocate_cmd(
    demand: DemandOpt,
    quotes: QuotesOpt,
    out: Annotated[Path, typer.Option("--out", help="allocation.csv to write.")],
    method: MethodOpt = "shapley",
    samples: SamplesOpt = None,
    seed: SeedOpt = 0,
    max_supplier_share: SupplierShareOpt = None,
    max_country_share: CountryShareOpt = None,
    min_suppliers: MinSuppliersOpt = 1,
    json: JsonOption = False,
) -> None:
    """Split the awarded cost between members, with each member's solo cost and savings."""
    rules = _rules(max_supplier_share, max_country_share, min_suppliers)
    chosen = _method(method)
    files = read_round(demand, quotes)
    result = _award(files, rules, price_rules=False)
    allocation = _allocate(files, rules, chosen, samples, seed, result)
    write_allocation(out, allocation)
    if json:
        print_json(allocation_dict(allocation))
        return
    _print_allocation(allocation)
    console.print(f"wrote {out}")


@app.command("report")
def report_cmd(
    demand: DemandOpt,
    quotes: QuotesOpt,
    method: MethodOpt = "shapley",
    samples: SamplesOpt = None,
    seed: SeedOpt = 0,
    max_supplier_share: SupplierShareOpt = None,
    max_country_share: CountryShareOpt = None,
    min_suppliers: MinSuppliersOpt = 1,
    target: Annotated[
        float, typer.Option("--target", help="Savings target as a fraction.")
    ] = ALLIANCE_TARGET,
    json: JsonOption = False,
) -> None:
    """Savings of the round versus buying alone, the target, and what each rule costs."""
    rules = _rules(max_supplier_share, max_country_share, min_suppliers)
    chosen = _method(method)
    files = read_round(demand, quotes)
    result = _award(files, rules)
    allocation = _allocate(files, rules, chosen, samples, seed, result)
    report = round_report(files.demands, result, allocation, target=target)
    if json:
        print_json(report.to_dict())
        return
    verdict = "reached" if report.target_reached else "not reached"
    console.print(
        f"Pooled cost {report.total_cost:,.2f} vs {report.solo_total:,.2f} buying alone: "
        f"savings {report.savings:,.2f} ({report.savings_pct:.1f}%); "
        f"target {report.target_pct:.0f}% {verdict}."
    )
    _print_allocation(allocation)
    for r in result.rule_costs:
        console.print(f"{r.category}: the {r.rule} rule costs {r.cost:,.2f}")


@app.command("catalog")
def catalog_cmd(json: JsonOption = False) -> None:
    """The catalog of material categories and equipment classes."""
    rows = [
        {
            "key": e.key,
            "name_en": e.name_en,
            "name_ja": e.name_ja,
            "unit": e.unit,
            "kind": e.kind.value,
        }
        for e in CATALOG.values()
    ]
    if json:
        print_json(rows)
        return
    table = Table("key", "name", "名称", "unit", "kind")
    for r in rows:
        table.add_row(r["key"], r["name_en"], r["name_ja"], r["unit"], r["kind"])
    console.print(table)


# The platform's stored rounds (per user, behind the firewall) next to the file commands.
app.add_typer(round_app, name="round")
app.add_typer(demand_app, name="demand")
app.add_typer(quotes_app, name="quotes")
