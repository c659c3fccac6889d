"""``osatnet risk``: concentration, stress tests, the scenario library, the demo network."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ..cli._common import JsonOption, console, print_json
from ..tabular import write_csv
from ._concentration import concentration
from ._files import read_network
from ._scenarios import load_scenario, shipped_scenarios
from ._tts import node_risks, stress

__all__ = ["app"]

app = typer.Typer(
    help="Supply-chain risk: concentration (HHI), time to survive / recover, scenarios.",
    no_args_is_help=True,
)

NetworkOption = Annotated[
    Path,
    typer.Option("--network", help="Folder of nodes.csv, links.csv, needs.csv, bom.csv, or .xlsx."),
]


def _weeks(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:.2f}"


@app.command("concentration")
def concentration_cmd(network: NetworkOption, json_out: JsonOption = False) -> None:
    """HHI per item by supplier, country and region; single-source items."""
    result = concentration(read_network(network))
    if json_out:
        print_json(result.as_dict())
        return
    table = Table("item", "suppliers", "HHI supplier", "HHI country", "HHI region", "top country")
    for c in result.items:
        table.add_row(
            c.item, str(c.suppliers), f"{c.hhi_supplier:,.0f} ({c.level_supplier})",
            f"{c.hhi_country:,.0f} ({c.level_country})", f"{c.hhi_region:,.0f} ({c.level_region})",
            f"{c.top_country} {c.top_country_share:.0f}%",
        )  # fmt: skip
    console.print(table)
    console.print(f"single-source items: {', '.join(result.single_source) or 'none'}")
    console.print(f"single-country items: {', '.join(result.single_country) or 'none'}")


@app.command("stress")
def stress_cmd(
    network: NetworkOption,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            help="Scenario YAML file or shipped name; without it, every node is down in turn.",
        ),
    ] = None,
    horizon: Annotated[
        int | None,
        typer.Option(
            "--horizon",
            min=1,
            help="Weeks to count losses over (default: the scenario's TTR; 26 node by node).",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the rows as CSV (tts.csv).")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Time to survive, time to recover and lost value: per scenario or per node."""
    net = read_network(network)
    rows: list[list[Any]]
    columns = ["disrupted", "tts_weeks", "ttr_weeks", "lost_units", "lost_value"]
    if scenario is not None:
        result = stress(net, load_scenario(scenario), horizon)
        rows = [[result.name, result.tts_weeks, result.ttr_weeks, result.lost_units,
                 result.lost_value]]  # fmt: skip
        data: object = result.as_dict()
    else:
        risks = node_risks(net, horizon if horizon is not None else 26)
        rows = [[r.node_id, r.tts_weeks, r.ttr_weeks, r.lost_units, r.lost_value] for r in risks]
        data = [r.as_dict() for r in risks]
    if out is not None:
        write_csv(out, columns, [["inf" if v == math.inf else v for v in row] for row in rows])
    if json_out:
        print_json(data)
        return
    table = Table(*columns)
    for d, tts, ttr, units, value in rows:
        table.add_row(str(d), _weeks(float(tts)), str(ttr), f"{units:,.0f}", f"{value:,.0f}")
    console.print(table)


@app.command("scenarios")
def scenarios_cmd(json_out: JsonOption = False) -> None:
    """List the shipped scenario library."""
    library = shipped_scenarios()
    if json_out:
        print_json([
            {"name": key, "description": s.description.strip(), "ttr_weeks": s.ttr_weeks,
             "events": [e.type for e in s.events]}
            for key, s in library.items()
        ])  # fmt: skip
        return
    table = Table("name", "TTR (weeks)", "events", "description")
    for key, s in library.items():
        table.add_row(key, str(s.ttr_weeks), ", ".join(e.type for e in s.events),
                      s.description.strip())  # fmt: skip
    console.print(table)


@app.command("demo-network")
def demo_network_cmd(
    out: Annotated[Path, typer.Option("--out", help="Folder (CSV files) or .xlsx to write.")],
    seed: Annotated[int, typer.Option("--seed", help="Seed of the demo registry.")] = 7,
) -> None:
    """Write the demo alliance's supply network (invented suppliers, public facts)."""
    from ..demo.generator import generate_registry
    from ._files import write_network
    from .demo_network import generate_network

    net = generate_network(generate_registry(seed), seed)
    path = write_network(net, out)
    console.print(f"wrote {len(net.nodes)} nodes, {len(net.links)} links to {path}")
