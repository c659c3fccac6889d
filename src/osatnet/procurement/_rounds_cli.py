"""``osatnet procure round|demand|quotes``: stored rounds behind the firewall, per user.

Thin wrappers over :class:`~osatnet.procurement.service.Procurement`; who is asking comes from
``--user`` (or ``OSATNET_USER``) and the login is audited, as for submissions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..cli._common import JsonOption, UserOption, console, print_json, require_user
from ..db import Database
from ..errors import InputError
from ._rounds_schemas import MemberResult, RoundSummary
from ._types import ResilienceRules
from .service import DEFAULT_TARGET, Procurement

__all__ = ["demand_app", "quotes_app", "round_app"]

round_app = typer.Typer(
    help="Stored rounds: open, close, list, award, result.", no_args_is_help=True
)
demand_app = typer.Typer(help="Your member's confidential demand in a round.", no_args_is_help=True)
quotes_app = typer.Typer(help="Suppliers' quotes in a round (secretariat).", no_args_is_help=True)

RoundArg = Annotated[str, typer.Argument(help="The round's key, such as 2027Q1.")]
RoundOpt = Annotated[str, typer.Option("--round", "-r", help="The round's key, such as 2027Q1.")]


def _service(user: str | None) -> Procurement:
    return Procurement.login(Database(), require_user(user), via="cli")


def _fraction(flag: str, value: float | None) -> float | None:
    if value is not None and not 0 < value <= 1:
        raise InputError(f"{flag} expects a fraction in (0, 1] such as 0.6 for 60%, got {value:g}")
    return value


@round_app.command("open")
def open_cmd(
    key: RoundArg,
    title: Annotated[str | None, typer.Option("--title", help="A name for people.")] = None,
    max_supplier_share: Annotated[
        float | None,
        typer.Option("--max-supplier-share", help="Largest share of a category per supplier."),
    ] = None,
    max_country_share: Annotated[
        float | None,
        typer.Option("--max-country-share", help="Largest share of a category per country."),
    ] = None,
    min_suppliers: Annotated[
        int, typer.Option("--min-suppliers", help="Fewest suppliers per category.")
    ] = 1,
    target: Annotated[
        float, typer.Option("--target", help="Savings target as a fraction.")
    ] = DEFAULT_TARGET,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """Open a round for members' demand, with its resilience rules (secretariat)."""
    if min_suppliers < 1:
        raise InputError(f"--min-suppliers expects a whole number >= 1, got {min_suppliers}")
    rules = ResilienceRules(
        _fraction("--max-supplier-share", max_supplier_share),
        _fraction("--max-country-share", max_country_share),
        min_suppliers,
    )
    info = _service(user).open_round(key, title=title, rules=rules, savings_target=target)
    if json:
        print_json(info.model_dump(mode="json"))
    else:
        console.print(f"round {info.key} open for demand (target {info.savings_target:.0%})")


@round_app.command("close")
def close_cmd(key: RoundArg, user: UserOption = None, json: JsonOption = False) -> None:
    """Stop accepting demand, so that the award can run (secretariat)."""
    info = _service(user).close_round(key)
    print_json(info.model_dump(mode="json")) if json else console.print(f"round {key} closed")


@round_app.command("list")
def list_cmd(user: UserOption = None, json: JsonOption = False) -> None:
    """Every round with its rules and state (no demand)."""
    rows = _service(user).rounds()
    if json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("round", "title", "status", "supplier share", "country share", "min suppliers")
    for r in rows:
        table.add_row(
            r.key,
            r.title or "",
            r.status,
            "" if r.max_supplier_share is None else f"{r.max_supplier_share:.0%}",
            "" if r.max_country_share is None else f"{r.max_country_share:.0%}",
            str(r.min_suppliers),
        )
    console.print(table)


def _print_summary(s: RoundSummary) -> None:
    verdict = "reached" if s.target_reached else "not reached"
    console.print(
        f"round {s.round_key} ({s.method}, {s.members} members): pooled cost "
        f"{s.total_cost:,.2f} vs {s.solo_total:,.2f} buying alone; savings {s.savings:,.2f} "
        f"({s.savings_pct:.1f}%), target {s.target_pct:.0f}% {verdict}."
    )
    table = Table("supplier", "category", "quantity", "cost", title="Orders")
    for o in s.orders:
        table.add_row(o["supplier_id"], o["category"], f"{o['quantity']:,.6g}", f"{o['cost']:,.2f}")
    console.print(table)
    for r in s.rule_costs:
        if r["cost"] > 0.005:
            console.print(f"{r['category']}: the {r['rule']} rule costs {r['cost']:,.2f}")
    if s.savings_distribution:
        bands = ", ".join(
            f"{b['from_pct']:g}-{b['to_pct']:g}%: {b['members']}" for b in s.savings_distribution
        )
        console.print(f"members by savings: {bands}")


def _print_result(r: MemberResult) -> None:
    console.print(
        f"{r.member_id} in round {r.round_key} ({r.method}): you pay {r.cost:,.2f}; alone you "
        f"would pay {r.solo_cost:,.2f}; savings {r.savings:,.2f} ({r.savings_pct:.1f}%)."
    )
    if r.unpooled_categories:
        console.print(f"not pooled (no other member asked): {', '.join(r.unpooled_categories)}")


@round_app.command("award")
def award_cmd(
    key: RoundArg,
    method: Annotated[str, typer.Option("--method", help="shapley or proportional.")] = "shapley",
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the sampling.")] = 0,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """Award the closed round, split its cost, store each member's share (secretariat)."""
    summary = _service(user).run_award(key, method=method.strip().lower(), seed=seed)
    print_json(summary.model_dump(mode="json")) if json else _print_summary(summary)


@round_app.command("result")
def result_cmd(key: RoundArg, user: UserOption = None, json: JsonOption = False) -> None:
    """Your member's own share and savings; for the secretariat, the alliance's totals."""
    service = _service(user)
    if service.who.member_id is not None:
        result = service.my_result(key)
        print_json(result.model_dump(mode="json")) if json else _print_result(result)
        return
    summary = service.round_summary(key)
    print_json(summary.model_dump(mode="json")) if json else _print_summary(summary)


@demand_app.command("submit")
def demand_submit(
    file: Annotated[
        Path, typer.Argument(help="demand.csv: member_id,category,quantity[,current_unit_price]")
    ],
    round_key: RoundOpt,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """Submit your member's demand (all or nothing; replaces an earlier submission)."""
    receipt = _service(user).submit_demand(round_key, file)
    if json:
        print_json(receipt.model_dump(mode="json"))
    else:
        console.print(
            f"{receipt.member_id}: {receipt.lines} demand lines stored for round "
            f"{receipt.round_key} (encrypted)"
        )


@demand_app.command("show")
def demand_show(round_key: RoundOpt, user: UserOption = None, json: JsonOption = False) -> None:
    """Your member's own demand in the round, decrypted. Audited."""
    rows = _service(user).my_demand(round_key)
    if json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("category", "quantity", "current unit price")
    for r in rows:
        price = "" if r.current_unit_price is None else f"{r.current_unit_price:,.4g}"
        table.add_row(r.category, f"{r.quantity:,.6g}", price)
    console.print(table)


@quotes_app.command("enter")
def quotes_enter(
    file: Annotated[
        Path, typer.Argument(help="quotes.csv: supplier_id,category,min_qty,unit_price[,...]")
    ],
    round_key: RoundOpt,
    user: UserOption = None,
) -> None:
    """Enter suppliers' price-break schedules; each replaces the supplier's earlier one."""
    count = _service(user).enter_quotes(round_key, file)
    console.print(f"{count} quote schedules entered for round {round_key}")
