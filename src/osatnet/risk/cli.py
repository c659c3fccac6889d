"""``osatnet risk``: concentration, TTS/TTR (tts, stress), Monte Carlo (simulate), the HTML
report, the scenario library, the demo network."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ..cli._common import JsonOption, console, print_json
from ..errors import InputError
from ..tabular import write_csv
from ._concentration import concentration
from ._files import read_network, read_network_files
from ._network import Network
from ._nodes import node_risks
from ._scenarios import Scenario, load_scenario, shipped_scenarios
from ._tts import stress

__all__ = ["app"]

app = typer.Typer(
    help="Supply-chain risk: concentration (HHI), time to survive / recover, scenarios.",
    no_args_is_help=True,
)

NetworkOption = Annotated[
    Path,
    typer.Option("--network", help="Folder of nodes.csv, links.csv, needs.csv, bom.csv, or .xlsx."),
]


FileOption = Annotated[Path | None, typer.Option(help="CSV file (instead of --network).")]
TTS_COLUMNS = ["disrupted", "tts_weeks", "ttr_weeks", "lost_units", "lost_value"]


def _network(
    network: Path | None, nodes: Path | None, links: Path | None, needs: Path | None,
    bom: Path | None,
) -> Network:  # fmt: skip
    """The network from ``--network`` or from ``--nodes --links --needs [--bom]``."""
    files = {"--nodes": nodes, "--links": links, "--needs": needs, "--bom": bom}
    given = [k for k, v in files.items() if v is not None]
    if network is not None:
        if given:
            raise InputError(f"give --network or {', '.join(given)}, not both", column="--network")
        return read_network(network)
    missing = [k for k in ("--nodes", "--links", "--needs") if files[k] is None]
    if missing:
        raise InputError(
            f"give --network DIR, or --nodes, --links and --needs (missing {', '.join(missing)})",
            column=missing[0],
        )
    assert nodes is not None and links is not None and needs is not None
    return read_network_files(nodes, links, needs, bom)


def _scenarios(specs: list[str]) -> list[Scenario]:
    """Scenario files or shipped names; an option may list several, comma-separated."""
    names = [part.strip() for spec in specs for part in spec.split(",") if part.strip()]
    if not names:
        raise InputError("give at least one scenario file or shipped name", column="--scenarios")
    return [load_scenario(name) for name in names]


def _csv_value(value: object) -> object:
    return "inf" if isinstance(value, float) and math.isinf(value) else value


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
        write_csv(out, columns, [[_csv_value(v) for v in row] for row in rows])
    if json_out:
        print_json(data)
        return
    table = Table(*columns)
    for d, tts, ttr, units, value in rows:
        table.add_row(str(d), _weeks(float(tts)), str(ttr), f"{units:,.0f}", f"{value:,.0f}")
    console.print(table)


@app.command("tts")
def tts_cmd(
    out: Annotated[Path, typer.Option("--out", help="CSV to write (tts.csv).")],
    network: Annotated[Path | None, typer.Option(help="Folder of the CSVs, or .xlsx.")] = None,
    nodes: FileOption = None,
    links: FileOption = None,
    needs: FileOption = None,
    bom: FileOption = None,
    scenario: Annotated[
        str | None,
        typer.Option(help="Scenario YAML file or shipped name; without it, every node in turn."),
    ] = None,
    horizon: Annotated[
        int | None,
        typer.Option(min=1, help="Weeks to count losses over (default: scenario TTR; 26)."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Write tts.csv: disrupted, tts_weeks, ttr_weeks, lost_units, lost_value (inf: never)."""
    net = _network(network, nodes, links, needs, bom)
    if scenario is not None:
        result = stress(net, load_scenario(scenario), horizon)
        rows: list[list[Any]] = [[result.name, result.tts_weeks, result.ttr_weeks,
                                  result.lost_units, result.lost_value]]  # fmt: skip
    else:
        risks = node_risks(net, horizon if horizon is not None else 26)
        rows = [[r.node_id, r.tts_weeks, r.ttr_weeks, r.lost_units, r.lost_value] for r in risks]
    write_csv(out, TTS_COLUMNS, [[_csv_value(v) for v in row] for row in rows])
    if json_out:
        print_json([
            {c: (None if isinstance(v, float) and math.isinf(v) else v)
             for c, v in zip(TTS_COLUMNS, row, strict=True)}
            for row in rows
        ])  # fmt: skip
        return
    console.print(f"wrote {len(rows)} row(s) to {out}")


@app.command("simulate")
def simulate_cmd(
    scenarios: Annotated[
        list[str],
        typer.Option("--scenarios", help="Scenario YAML files or shipped names (repeat, or a,b)."),
    ],
    network: Annotated[Path | None, typer.Option(help="Folder of the CSVs, or .xlsx.")] = None,
    nodes: FileOption = None,
    links: FileOption = None,
    needs: FileOption = None,
    bom: FileOption = None,
    samples: Annotated[int, typer.Option(min=1, help="Simulated years.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Seed of the random draws.")] = 0,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the sampled years as CSV.")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Monte Carlo of the yearly lost value: expected loss, VaR 95%, CVaR 95%."""
    from ._montecarlo import monte_carlo

    net = _network(network, nodes, links, needs, bom)
    result = monte_carlo(net, _scenarios(scenarios), samples, seed)
    if out is not None:
        write_csv(out, ["year", "lost_value"],
                  [[i, float(v)] for i, v in enumerate(result.losses)])  # fmt: skip
    if json_out:
        print_json(result.as_dict())
        return
    table = Table("scenario", "probability / year", "expected loss / year", "mean loss in tail")
    for s in result.scenarios:
        table.add_row(s.scenario, f"{s.probability:g}", f"{s.expected_loss:,.0f}",
                      f"{s.tail_loss:,.0f}")  # fmt: skip
    console.print(table)
    console.print(
        f"{result.samples:,} years: expected loss {result.expected_loss:,.0f} "
        f"(± {result.std_error:,.0f}), VaR 95% {result.var:,.0f}, CVaR 95% {result.cvar:,.0f}"
    )


@app.command("report")
def report_cmd(
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")],
    network: Annotated[Path | None, typer.Option(help="Folder of the CSVs, or .xlsx.")] = None,
    nodes: FileOption = None,
    links: FileOption = None,
    needs: FileOption = None,
    bom: FileOption = None,
    scenarios: Annotated[
        list[str] | None,
        typer.Option("--scenarios", help="Scenario files or shipped names (repeat, or a,b)."),
    ] = None,
    samples: Annotated[int, typer.Option(min=0, help="Monte Carlo years (0: none).")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the random draws.")] = 0,
    horizon: Annotated[int, typer.Option(min=1, help="Weeks to count losses over.")] = 26,
) -> None:
    """HTML report (opens offline): concentration, map by exposure, top risks, Monte Carlo."""
    from ..reporting import Report
    from ._assess import assess
    from ._report import risk_section

    net = _network(network, nodes, links, needs, bom)
    chosen = _scenarios(scenarios) if scenarios else []
    result = assess(net, chosen, horizon=horizon, samples=samples, seed=seed)
    report = Report("Supply-chain risk")
    risk_section(report, result)
    path = report.save(out)
    console.print(f"wrote {path}")


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
