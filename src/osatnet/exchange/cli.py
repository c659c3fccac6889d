"""``osatnet exchange``: clear exchange files (``solve``), and the exchange inside the platform
(``post``, ``withdraw``, ``mine`` for members; ``clear`` for the secretariat)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..cli._common import JsonOption, UserOption, console, print_json, require_user
from ..db import Database
from ..errors import InputError
from ._clear import clear
from ._files import read_arcs, read_offers, read_requests, write_matches
from ._types import ClearingOptions, ClearingResult, ClearingStatus
from .service import Exchange

__all__ = ["app"]

app = typer.Typer(
    help="Capacity exchange: place overflow orders on other members' spare capacity.",
    no_args_is_help=True,
)

_PRICING = ("pay-as-offered", "uniform")


def _options(
    time_limit: float,
    gap: float,
    pricing: str,
    cost_per_km: float,
    lateness_penalty: float,
    max_lateness: int,
    fairness: float | None,
) -> ClearingOptions:
    checks = [
        (time_limit > 0, "--time-limit", f"expected seconds > 0, got {time_limit:g}"),
        (0 <= gap < 1, "--gap", f"expected a relative gap in [0, 1), got {gap:g}"),
        (
            pricing in _PRICING,
            "--pricing",
            f"expected one of {', '.join(_PRICING)}, got {pricing!r}",
        ),
        (cost_per_km >= 0, "--cost-per-km", f"expected a cost >= 0, got {cost_per_km:g}"),
        (lateness_penalty >= 0, "--lateness-penalty", f"expected >= 0, got {lateness_penalty:g}"),
        (max_lateness >= 0, "--max-lateness", f"expected weeks >= 0, got {max_lateness}"),
        (
            fairness is None or 0 <= fairness <= 1,
            "--fairness",
            f"expected a share between 0 and 1, got {fairness}",
        ),
    ]
    for ok, option, reason in checks:
        if not ok:
            raise InputError(f"{option}: {reason}")
    return ClearingOptions(
        logistics_cost_per_unit_km=cost_per_km,
        lateness_penalty=lateness_penalty,
        max_lateness_weeks=max_lateness,
        fairness_share=fairness,
        time_limit=time_limit,
        mip_gap=gap,
        pricing="uniform" if pricing == "uniform" else "pay-as-offered",
    )


# Options of both the file-based `solve` and the platform's `clear`.
CostPerKmOption = Annotated[
    float, typer.Option("--cost-per-km", help="Logistics cost per unit and km (JPY).")
]
FairnessOption = Annotated[
    float | None,
    typer.Option("--fairness", help="Share of its proportional fill each requester gets."),
]


@app.command("solve")
def solve_command(
    offers: Annotated[Path, typer.Option("--offers", help="offers.csv (spare capacity).")],
    requests: Annotated[Path, typer.Option("--requests", help="requests.csv (overflow orders).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write matches.csv.")],
    arcs: Annotated[
        Path | None, typer.Option("--arcs", help="arcs.csv: the only eligible pairs.")
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Solver time limit in seconds.")
    ] = 60.0,
    gap: Annotated[
        float, typer.Option("--gap", help="Relative optimality gap to stop at (0.001 = 0.1%).")
    ] = 1e-4,
    pricing: Annotated[
        str, typer.Option("--pricing", help="pay-as-offered or uniform.")
    ] = "pay-as-offered",
    cost_per_km: CostPerKmOption = 0.0,
    lateness_penalty: Annotated[
        float, typer.Option("--lateness-penalty", help="Penalty per unit and week late (JPY).")
    ] = 0.0,
    max_lateness: Annotated[
        int, typer.Option("--max-lateness", help="Weeks an order may be produced after due.")
    ] = 0,
    fairness: FairnessOption = None,
    json_out: JsonOption = False,
) -> None:
    """Clear offers against requests and write the matches."""
    options = _options(
        time_limit, gap, pricing, cost_per_km, lateness_penalty, max_lateness, fairness
    )
    offer_list = read_offers(offers)
    request_list = read_requests(requests)
    arc_list = None if arcs is None else read_arcs(arcs, offer_list, request_list)
    result = clear(offer_list, request_list, arc_list, options)
    try:
        write_matches(out, result)
    except OSError as exc:
        raise InputError(f"cannot write the matches: {exc.strerror}", file=str(out)) from None
    if json_out:
        summary = result.summary()
        summary["out"] = str(out)
        print_json(summary)
    else:
        _print(result, out)


def _print(result: ClearingResult, out: Path) -> None:
    style = {
        ClearingStatus.OPTIMAL: "green",
        ClearingStatus.FEASIBLE: "yellow",
    }.get(result.status, "red")
    table = Table(title="Capacity exchange", show_header=False)
    table.add_row("status", f"[{style}]{result.status.value}[/]")
    for key in ("objective", "bound", "gap"):
        value = result.summary()[key]
        table.add_row(key, "-" if value is None else f"{value:,.6g}")
    table.add_row("served / unserved", f"{result.served_total:,.6g} / {result.unserved_total:,.6g}")
    table.add_row("matches", f"{result.match_quantity.shape[0]:,} -> {out}")
    greedy = result.summary()["greedy_objective"]
    table.add_row("greedy baseline", "-" if greedy is None else f"{greedy:,.6g}")
    console.print(table)
    for item in result.infeasible:
        console.print(
            f"[red]cannot serve[/] {escape(item.request_id)}: {escape(item.reason)}",
            highlight=False,
            soft_wrap=True,
        )


# -- the exchange inside the platform ----------------------------------------------------------
PeriodOption = Annotated[str, typer.Option("--period", "-p", help="Reporting period, e.g. 2026Q3.")]


def _exchange(user: str | None) -> Exchange:
    return Exchange.login(Database(), require_user(user), via="cli")


@app.command("post")
def post_command(
    period: PeriodOption,
    offers: Annotated[
        Path | None, typer.Option("--offers", help="offers.csv: your spare capacity.")
    ] = None,
    requests: Annotated[
        Path | None, typer.Option("--requests", help="requests.csv: your overflow orders.")
    ] = None,
    user: UserOption = None,
    json_out: JsonOption = False,
) -> None:
    """Post your member's offers and/or requests for a period (all or nothing, encrypted)."""
    if offers is None and requests is None:
        raise InputError("give --offers FILE, --requests FILE or both")
    report = _exchange(user).post_files(period, offers=offers, requests=requests)
    if json_out:
        print_json(report.model_dump(mode="json"))
        return
    console.print(
        f"{report.member_id} {report.period}: {len(report.offers)} offers and "
        f"{len(report.requests)} requests posted (encrypted)",
        highlight=False,
    )


@app.command("withdraw")
def withdraw_command(
    ref: Annotated[str, typer.Argument(help="An open offer (O12) or request (R7) of yours.")],
    user: UserOption = None,
) -> None:
    """Withdraw one of your open offers or requests."""
    console.print(f"{_exchange(user).withdraw(ref)} withdrawn", highlight=False)


@app.command("clear")
def clear_command(
    period: PeriodOption,
    week: Annotated[str, typer.Option("--week", "-w", help="ISO week (2026-W36) or number.")],
    user: UserOption = None,
    pricing: Annotated[
        str, typer.Option("--pricing", help="pay-as-offered or uniform.")
    ] = "pay-as-offered",
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Solver time limit in seconds.")
    ] = 60.0,
    gap: Annotated[float, typer.Option("--gap", help="Relative optimality gap to stop at.")] = 1e-4,
    cost_per_km: CostPerKmOption = 0.0,
    fairness: FairnessOption = None,
    json_out: JsonOption = False,
) -> None:
    """Clear one week of the exchange (secretariat): matches are stored per side, encrypted."""
    options = _options(time_limit, gap, pricing, cost_per_km, 0.0, 0, fairness)
    info = _exchange(user).clear(
        period, week, pricing=options.pricing, time_limit=time_limit, gap=gap,
        cost_per_km=cost_per_km, fairness=fairness,
    )  # fmt: skip
    if json_out:
        print_json(info.model_dump(mode="json"))
        return
    table = Table(
        title=f"Exchange {info.period} {info.week} (run {info.run_id})", show_header=False
    )
    table.add_row("status", info.status)
    table.add_row("gap", "-" if info.gap is None else f"{info.gap:.2%}")
    table.add_row(
        "offers / requests / matches", f"{info.offers} / {info.requests} / {info.matches}"
    )
    table.add_row("match rate", f"{info.match_rate:.1%}")
    if info.infeasible:
        table.add_row("must-serve requests short", str(info.infeasible))
    console.print(table)


@app.command("mine")
def mine_command(
    period: PeriodOption, user: UserOption = None, json_out: JsonOption = False
) -> None:
    """Your member's offers, requests and matches of a period (decrypted; audited)."""
    exchange = _exchange(user)
    offers, requests = exchange.my_offers(period), exchange.my_requests(period)
    matches = exchange.my_matches(period)
    if json_out:
        print_json({
            "offers": [o.model_dump(mode="json") for o in offers],
            "requests": [r.model_dump(mode="json") for r in requests],
            "matches": [m.model_dump(mode="json") for m in matches],
        })  # fmt: skip
        return
    table = Table("offer", "label", "site", "process", "week", "capacity", "unit price", "status",
                  title="Offers")  # fmt: skip
    for o in offers:
        table.add_row(o.ref, o.label or "", o.site_id, o.process, o.week, f"{o.capacity:,.6g}",
                      f"{o.unit_price:,.6g}", o.status)  # fmt: skip
    console.print(table)
    table = Table("request", "label", "site", "process", "quantity", "window", "max price",
                  "status", title="Requests")  # fmt: skip
    for r in requests:
        window = f"{r.earliest_week or '…'} – {r.due_week or '…'}"
        limit = "-" if r.max_price is None else f"{r.max_price:,.6g}"
        table.add_row(r.ref, r.label or "", r.site_id, r.process, f"{r.quantity:,.6g}", window,
                      limit, r.status)  # fmt: skip
    console.print(table)
    table = Table("week", "side", "request", "offer", "counterparty", "quantity", "price",
                  "logistics/unit", title="Matches")  # fmt: skip
    for m in matches:
        table.add_row(m.week, m.side, m.request_ref, m.offer_ref,
                      f"{m.counterparty} {escape(m.counterparty_name)}", f"{m.quantity:,.6g}",
                      f"{m.price:,.6g}", f"{m.logistics:,.4g}")  # fmt: skip
    console.print(table)


@app.command("release")
def release_command(
    period: Annotated[str, typer.Option("--period", "-p", help="The reporting period.")],
    week: Annotated[str, typer.Option("--week", "-w", help="The cleared week (2026-W36 or 36).")],
    quantity: Annotated[
        str, typer.Option("--quantity", help="offered, requested, hosted, received or matched.")
    ] = "matched",
    stat: Annotated[
        str, typer.Option("--stat", help="sum, mean, median, count, p25, p75.")
    ] = "sum",
    out: Annotated[Path | None, typer.Option("--out", help="CSV to write.")] = None,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """Publish a cleared week's figures by process family under the disclosure rules."""
    from ..vault.cli_release import show_release
    from .release import release_week

    exchange = _exchange(user)
    table = release_week(exchange.db, exchange.who, period, week, quantity, stat)
    show_release(table, out, json)
