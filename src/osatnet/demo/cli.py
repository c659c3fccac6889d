"""``osatnet demo``: the demo alliance end to end, with a progress bar and a summary table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..cli._common import JsonOption, console, err_console, print_json
from .runner import DemoResult, run_demo

__all__ = ["register"]


def demo(
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives the same alliance.")
    ] = 7,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the report, files and demo database.")
    ] = Path("demo-out"),
    database: Annotated[
        str | None,
        typer.Option("--database", help="SQLAlchemy URL to use instead of OUT/osatnet-demo.db."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Build a realistic demo alliance, run every capability on it and write an HTML report."""
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(),
        TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
        console=err_console, transient=json,
    ) as bar:  # fmt: skip
        task = bar.add_task("demo", total=1)

        def progress(name: str, done: int, total: int) -> None:
            bar.update(task, description=name, completed=done, total=total)

        result = run_demo(seed=seed, out=out, database_url=database, progress=progress)
    if json:
        print_json({"report": str(result.report_path), "database": result.database_url,
                    "summary": result.summary, "timings_s": result.timings})  # fmt: skip
        return
    _print_summary(result)


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """The demo summary as (figure, value) rows, in the order the demo runs."""
    reg = summary["registry"]
    rows = [
        ("members", str(reg["members"])),
        ("members under 100 staff", f"{reg['members_under_100_pct']:.0f}%"),
        ("members by role", ", ".join(f"{k} {v}" for k, v in reg["members_by_role"].items())),
        ("sites (overseas)", f"{reg['sites']} ({reg['sites_overseas']})"),
        ("sites by area", ", ".join(f"{k} {v}" for k, v in reg["sites_by_area"].items())),
        ("capabilities (automotive)", f"{reg['capabilities']} ({reg['automotive_capabilities']})"),
        ("final test capacity", f"{reg['weekly_capacity'].get('final_test', 0):,.0f} units/week"),
        ("users", str(summary["users"])),
        ("re-import changes", str(summary["reimport_changes"])),
        ("export/import round trip", summary["round_trip"]),
    ]
    if "submissions" in summary:
        rows.append(
            (
                "encrypted submissions",
                f"{summary['submissions']} ({summary['submitted_values']:,} values)",
            )
        )
    if "release_cells" in summary:
        cells = summary["release_cells"]
        rows.append(
            (
                "released capacity table",
                f"{cells['published']} cells published, {cells['primary']} sensitive + "
                f"{cells['secondary']} protecting cells withheld",
            )
        )
        rows.append(("releases published", str(summary["releases"])))
    if "benchmark_member" in summary:
        rows.append(
            ("benchmark", f"{summary['benchmark_member']}: {summary['benchmark_rows']} positions")
        )
    for capability in ("exchange", "procurement"):
        for key, value in summary.get(capability, {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                shown = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.4g}"
            else:
                shown = str(value)
            rows.append((f"{capability}: {key.replace('_', ' ')}", shown))
    if "risk_nodes" in summary:
        worst = summary.get("risk_worst_scenario", "none")
        lost = summary.get("risk_worst_lost_value_jpy", 0)
        rows.append(
            (
                "risk network",
                f"{summary['risk_nodes']} nodes, {summary['risk_scenarios']} scenarios",
            )
        )
        rows.append(("worst scenario", f"{worst}: ¥{lost:,.0f} at risk before rerouting"))
    if "risk_expected_loss_jpy" in summary:
        rows.append(
            (
                "risk per year (Monte Carlo)",
                f"expected ¥{summary['risk_expected_loss_jpy']:,.0f}, VaR95 "
                f"¥{summary['risk_var95_jpy']:,.0f}, CVaR95 ¥{summary['risk_cvar95_jpy']:,.0f}",
            )
        )
    if "blind" in summary:
        b = summary["blind"]
        rows.append(
            (
                "blind mode (3 compute nodes)",
                f"{b['members']} members' shares: {b['published']} of {b['cells']} cells "
                f"published; largest difference from plain {b['max_abs_difference']:g}",
            )
        )
    return rows


def _print_summary(result: DemoResult) -> None:
    table = Table("figure", "value", title="Demo alliance summary")
    for figure, value in summary_rows(result.summary):
        table.add_row(figure, value)
    console.print(table)
    console.print(f"report: [bold]{result.report_path}[/] (opens offline)")
    console.print(f"database: {result.database_url}")
    out = result.report_path.parent
    member = result.summary.get("benchmark_member", "M01").lower()
    console.print(
        "\nTry the web dashboard on the demo data (`make serve-demo` does this for demo-out):\n"
        f"  OSATNET_DATABASE_URL={result.database_url} "
        f"OSATNET_MASTER_KEY_FILE={out / 'demo-master.key'} osatnet serve\n"
        "  then open http://127.0.0.1:8000/login and sign in as [bold]secretariat[/], "
        f"[bold]auditor[/] or a member such as [bold]{member}-admin[/] "
        f"(password [bold]{result.summary['demo_password']}[/]).",
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
