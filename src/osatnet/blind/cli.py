"""``osatnet node``: generate a compute node's keys, run a node."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ..errors import OsatnetError

__all__ = ["app"]

app = typer.Typer(
    help="Blind mode compute nodes (secure multi-party computation).", no_args_is_help=True
)


@app.command("keygen")
def keygen_command(
    index: Annotated[int, typer.Option("--index", "-i", help="This node's number (0, 1, 2…).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the key files.")] = Path(
        "."
    ),
    host: Annotated[
        str, typer.Option("--host", help="Address the certificate names (IP or DNS).")
    ] = "127.0.0.1",
) -> None:
    """Write an X25519 key pair (members seal shares to it) and a self-signed TLS certificate.

    Give the public key (node-I.x25519.pub) and the certificate (node-I.crt) to the other
    nodes and the secretariat; keep the two .key files on this node only.
    """
    from .config import keygen

    files = keygen(out, index, host=host)
    typer.echo(f"public key  {files.public_key}: {files.public_key_b64()}")
    typer.echo(f"certificate {files.tls_cert}")
    typer.echo(f"private     {files.private_key}, {files.tls_key} (owner-only)")


@app.command("run")
def run_command(
    config: Annotated[Path, typer.Option("--config", "-c", help="This node's node.toml.")],
    job: Annotated[Path, typer.Option("--job", "-j", help="The blind job (JSON).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the result (JSON).")],
) -> None:
    """Compute one blind table with the other nodes; write the published cells to --out."""
    from .config import load_config
    from .job import BlindJob
    from .node import run_node

    started = time.perf_counter()

    def say(text: str) -> None:
        typer.echo(f"[{time.perf_counter() - started:6.2f} s] {text}", err=True)

    try:
        result = run_node(load_config(config), BlindJob.load(job), out, say)
    except OsatnetError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"{out}: {result['revealed']['published']} of {len(result['cells'])} cells published"
    )
