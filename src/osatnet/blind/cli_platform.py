"""``osatnet blind``: compute nodes, members' sealed uploads, release jobs and sealed-bid
auctions (:mod:`.cli_auction`) on the platform."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..cli._common import JsonOption, UserOption, console, poll, print_json, require_user
from ..db import Database
from ..errors import ConflictError
from .cli_auction import app as auction_app
from .platform import BlindService, JobInfo

__all__ = ["app", "wait_for_job"]

app = typer.Typer(
    help="Blind mode on the platform: compute nodes, sealed uploads, release jobs, auctions.",
    no_args_is_help=True,
)
nodes_app = typer.Typer(help="The alliance's compute nodes.", no_args_is_help=True)
jobs_app = typer.Typer(help="Blind release jobs.", no_args_is_help=True)
app.add_typer(nodes_app, name="nodes")
app.add_typer(jobs_app, name="jobs")
app.add_typer(auction_app, name="auction")
PeriodOption = Annotated[str, typer.Option("--period", "-p", help="An open reporting period.")]


def _service(user: str | None) -> BlindService:
    return BlindService.login(Database(), require_user(user), via="cli")


@nodes_app.command("add")
def nodes_add(
    index: Annotated[int, typer.Argument(help="The node's number: 0, 1, 2, …")],
    public_key: Annotated[
        Path, typer.Option("--public-key", help="The node's node-I.x25519.pub file.")
    ],
    operator: Annotated[str, typer.Option("--operator", help="Who runs it (organisation).")],
    host: Annotated[str, typer.Option("--host", help="The node's address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="The node's MPyC port.")] = 11365,
    user: UserOption = None,
) -> None:
    """Register a compute node (secretariat); prints its API token once."""
    key = public_key.read_text(encoding="utf-8").strip()
    node, token = _service(user).register_node(index, key, operator=operator, host=host, port=port)
    console.print(f"node {node.index} ({node.operator}, {node.host}:{node.port}) registered")
    console.print(f"key fingerprint {node.fingerprint}: members compare it with the operator's")
    typer.echo(f"token (give it to the node's operator; shown once): {token}")


@nodes_app.command("list")
def nodes_list(user: UserOption = None, json: JsonOption = False) -> None:
    """The registered nodes with their key fingerprints."""
    rows = _service(user).nodes()
    if json:
        print_json([n.model_dump() for n in rows])
        return
    t = Table("node", "operator", "address", "key fingerprint")
    for n in rows:
        t.add_row(str(n.index), n.operator, f"{n.host}:{n.port}", n.fingerprint)
    console.print(t)


@app.command("upload")
def upload(
    file: Annotated[
        Path, typer.Argument(help="member_id,site_id,process,measure,value (CSV/xlsx).")
    ],
    period: PeriodOption,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """Share and seal your values on this machine, then upload the sealed shares (members).

    The values are checked like a submission, split into one secret share per node and each
    share encrypted to its node's key before anything is stored: the platform never sees a
    value. Uploading again replaces your earlier shares for the period.
    """
    info = _service(user).upload_file(period, file)
    if json:
        print_json(info.model_dump(mode="json"))
        return
    console.print(
        f"{info.member_id}: {info.values} value(s) for {info.period} shared and sealed to "
        f"{info.nodes} nodes; the platform holds only ciphertext"
    )


@app.command("seal")
def seal(
    file: Annotated[
        Path, typer.Argument(help="member_id,site_id,process,measure,value (CSV/xlsx).")
    ],
    period: PeriodOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the sealed bundles.")],
    user: UserOption = None,
) -> None:
    """Share and seal your values into a file, for POST /api/v1/blind/uploads (members)."""
    bundles = _service(user).seal_file(period, file)
    out.write_text(json.dumps({"bundles": bundles}), encoding="utf-8")
    console.print(f"{out}: sealed shares for {len(bundles)} nodes (ciphertext only)")


@app.command("uploads")
def uploads(period: PeriodOption, user: UserOption = None, json: JsonOption = False) -> None:
    """What your member has uploaded for a period (where, never a value)."""
    info = _service(user).my_upload(period)
    if json:
        print_json(info.model_dump(mode="json"))
        return
    console.print(
        f"{info.member_id}: {info.values} value(s) for {info.period}, uploaded by "
        f"{info.uploaded_by} at {info.uploaded_at}"
    )


def _job_line(j: JobInfo) -> str:
    state = {"done": f"done: release {j.release_id}", "failed": f"failed: {j.error}"}
    return (
        f"job {j.id} (attempt {j.attempt}): {j.stat} of {j.measure} for {j.period} by "
        f"{', '.join(j.dims)}: {state.get(j.status, f'pending, {j.results} node(s) done')}"
    )


def wait_for_job(service: BlindService, job: JobInfo, seconds: float) -> JobInfo:
    """Poll until the nodes finish (or fail) the job, for at most ``seconds``."""
    job = poll(job, lambda j: j.status == "pending", lambda j: service.job(j.id), seconds)
    if job.status == "failed":
        raise ConflictError(f"{_job_line(job)}; run it again with `osatnet blind jobs retry`")
    return job


@jobs_app.command("list")
def jobs_list(user: UserOption = None, json: JsonOption = False) -> None:
    """Blind release jobs and their state (secretariat, auditors)."""
    rows = _service(user).jobs()
    if json:
        print_json([j.model_dump(mode="json") for j in rows])
        return
    for j in rows:
        console.print(_job_line(j))


@jobs_app.command("retry")
def jobs_retry(
    job_id: int,
    wait: Annotated[float, typer.Option("--wait", help="Seconds to wait for the nodes.")] = 0.0,
    user: UserOption = None,
) -> None:
    """Run a failed or stuck job again from the start (the shares are still stored)."""
    service = _service(user)
    job = wait_for_job(service, service.retry(job_id), wait)
    console.print(_job_line(job))
