"""``osatnet release`` and ``osatnet benchmark``: disclosure-controlled tables and benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..cli._common import JsonOption, UserOption, console, print_json
from ..errors import InputError
from .benchmark import benchmark_report
from .cli import _vault
from .releases import STATS, Releases, ReleaseTable, write_release_csv
from .report import benchmark_html

__all__ = ["benchmark_app", "release_app", "show_release"]

release_app = typer.Typer(
    help="Aggregate tables under statistical disclosure control.", no_args_is_help=True
)
benchmark_app = typer.Typer(
    help="A member's position against released statistics.", no_args_is_help=True
)


def _releases(user: str | None) -> Releases:
    vault = _vault(user)
    assert vault.actor is not None
    return Releases(vault.db, vault.actor)


def show_release(table: ReleaseTable, out: Path | None, json: bool) -> None:
    """Write (``out``) and print a release: JSON, or one line of counts."""
    if out is not None:
        write_release_csv(table, out)
    if json:
        print_json(table.model_dump(mode="json"))
        return
    counts = {
        s: sum(c.status == s for c in table.cells) for s in ("published", "primary", "secondary")
    }
    console.print(
        f"release {table.id}: {table.stat} of {table.measure} for {', '.join(table.periods)} by "
        f"{', '.join(table.dims)}: {counts['published']} cells published, {counts['primary']} "
        f"withheld as sensitive, {counts['secondary']} withheld to protect them"
        + (f"; written to {out}" if out else "")
    )


@release_app.command("table")
def table(
    period: Annotated[
        str, typer.Option("--period", "-p", help="Closed period(s), comma-separated.")
    ],
    measure: Annotated[
        str, typer.Option("--measure", "-m", help="A measure (see `submissions measures`).")
    ],
    stat: Annotated[str, typer.Option("--stat", help=f"One of {', '.join(STATS)}.")] = "sum",
    by: Annotated[
        str,
        typer.Option("--by", help="Dimensions: process, region, employee_band, country, period."),
    ] = "process",
    out: Annotated[
        Path | None, typer.Option("--out", help="CSV to write (one row per cell).")
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="Secondary suppression: optimal or heuristic.")
    ] = "optimal",
    dp_epsilon: Annotated[
        float | None, typer.Option("--dp-epsilon", help="Add Laplace noise (differential privacy).")
    ] = None,
    dp_bound: Annotated[
        float | None,
        typer.Option(
            "--dp-bound",
            help="DP: largest total a member may contribute (counts: cells per member).",
        ),
    ] = None,
    wait: Annotated[
        float,
        typer.Option("--wait", help="Blind mode: seconds to wait for the compute nodes."),
    ] = 600.0,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """Publish a table after every cell passes the disclosure rules (secretariat).

    In a blind alliance the table is queued for the compute nodes (which apply the rules on
    secret shares) and published when all of them return the same table.
    """
    if method not in ("optimal", "heuristic"):
        raise InputError(f"--method must be optimal or heuristic, got {method!r}")
    dims = [d.strip() for d in by.split(",") if d.strip()]
    releases = _releases(user)
    if _blind(releases, period, measure, stat, dims, wait, out, json, dp_epsilon):
        return
    result = releases.create(
        period, measure, stat, dims, method="optimal" if method == "optimal" else "heuristic",
        dp_epsilon=dp_epsilon, dp_bound=dp_bound,
    )  # fmt: skip
    show_release(result, out, json)


def _blind(
    releases: Releases, period: str, measure: str, stat: str, dims: list[str], wait: float,
    out: Path | None, json: bool, dp_epsilon: float | None,
) -> bool:  # fmt: skip
    """Dispatch to the compute nodes when the alliance is blind; False when it is not."""
    from ..blind.cli_platform import wait_for_job
    from ..blind.platform import BlindService

    service = BlindService(releases.db, releases.actor)
    if service.trust_model() != "blind":
        return False
    if dp_epsilon is not None:
        raise InputError("blind mode does not add differential-privacy noise (yet)")
    job = service.request_release(period, measure, stat, dims)
    console.print(f"job {job.id} queued for the compute nodes; waiting up to {wait:g} s")
    job = wait_for_job(service, job, wait)
    if job.release_id is None:
        console.print(f"job {job.id} still pending: `osatnet blind jobs list` shows progress")
        return True
    show_release(releases.get(job.release_id), out, json)
    return True


@release_app.command("list")
def list_(user: UserOption = None, json: JsonOption = False) -> None:
    """Releases published so far."""
    rows = _releases(user).list()
    if json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    t = Table("id", "periods", "measure", "stat", "by", "by whom", "epsilon")
    for r in rows:
        t.add_row(str(r.id), ",".join(r.periods), r.measure, r.stat, ",".join(r.dims), r.created_by,
                  "" if r.epsilon is None else f"{r.epsilon:g}")  # fmt: skip
    console.print(t)


@release_app.command("show")
def show(
    release_id: int,
    out: Annotated[Path | None, typer.Option("--out", help="CSV to write.")] = None,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """A published release (its CSV with --out)."""
    show_release(_releases(user).get(release_id), out, json)


@benchmark_app.command("report")
def report(
    period: Annotated[str, typer.Option("--period", "-p", help="The period to benchmark.")],
    member: Annotated[
        str | None, typer.Option("--member", help="Your member (default: the user's).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="HTML report to write.")] = None,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """Your member's values against the alliance's released quartiles, with the trend."""
    vault = _vault(user)
    assert vault.actor is not None
    bench = benchmark_report(vault.db, vault.actor, period, member_id=member)
    if out is not None:
        out.write_text(benchmark_html(bench), encoding="utf-8")
    if json:
        print_json(bench.model_dump(mode="json"))
        return
    t = Table("measure", "process", "yours", "median", "quartile", "gap")
    for r in bench.rows:
        gap = "" if r.gap_to_median_pct is None else f"{r.gap_to_median_pct:+.1f}%"
        median = "withheld" if r.median is None else f"{r.median:,.4g}"
        t.add_row(r.measure, r.process, f"{r.own_value:,.4g}", median, r.band, gap)
    console.print(t)
    for note in bench.notes:
        console.print(f"note: {note}")
    if out is not None:
        console.print(f"report: {out}")
