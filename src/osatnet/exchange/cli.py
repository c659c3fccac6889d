"""``osatnet exchange``: clear capacity-exchange files from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..cli._common import JsonOption, console, print_json
from ..errors import InputError
from ._clear import clear
from ._files import read_arcs, read_offers, read_requests, write_matches
from ._types import ClearingOptions, ClearingResult, ClearingStatus

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
    cost_per_km: Annotated[
        float, typer.Option("--cost-per-km", help="Logistics cost per unit and km (JPY).")
    ] = 0.0,
    lateness_penalty: Annotated[
        float, typer.Option("--lateness-penalty", help="Penalty per unit and week late (JPY).")
    ] = 0.0,
    max_lateness: Annotated[
        int, typer.Option("--max-lateness", help="Weeks an order may be produced after due.")
    ] = 0,
    fairness: Annotated[
        float | None,
        typer.Option("--fairness", help="Share of its proportional fill each requester gets."),
    ] = None,
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
