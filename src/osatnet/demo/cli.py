"""``osatnet demo``: the demo alliance end to end, with a progress bar and a summary table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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


def _print_summary(result: DemoResult) -> None:
    reg = result.summary["registry"]
    table = Table("figure", "value", title="Demo alliance summary")
    table.add_row("members", str(reg["members"]))
    table.add_row("members under 100 staff", f"{reg['members_under_100_pct']:.0f}%")
    table.add_row(
        "members by role", ", ".join(f"{k} {v}" for k, v in reg["members_by_role"].items())
    )
    table.add_row("sites (overseas)", f"{reg['sites']} ({reg['sites_overseas']})")
    table.add_row("sites by area", ", ".join(f"{k} {v}" for k, v in reg["sites_by_area"].items()))
    table.add_row(
        "capabilities (automotive)", f"{reg['capabilities']} ({reg['automotive_capabilities']})"
    )
    table.add_row(
        "final test capacity", f"{reg['weekly_capacity'].get('final_test', 0):,.0f} units/week"
    )
    table.add_row("users", str(result.summary["users"]))
    table.add_row("re-import changes", str(result.summary["reimport_changes"]))
    table.add_row("export/import round trip", result.summary["round_trip"])
    for key, value in result.summary.items():
        if isinstance(value, str | int | float) and key not in {
            "users", "reimport_changes", "round_trip", "registry_files", "import_created",
        }:  # fmt: skip
            table.add_row(key.replace("_", " "), str(value))
    console.print(table)
    console.print(f"report: [bold]{result.report_path}[/] (opens offline)")
    console.print(f"database: {result.database_url}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
