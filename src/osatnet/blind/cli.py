"""``osatnet node``: generate a compute node's keys, run a node."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ConfigError, OsatnetError

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
    job: Annotated[
        Path | None, typer.Option("--job", "-j", help="One blind job (JSON) to run, offline.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="With --job: where to write the result.")
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option("--platform", help="The osatnet server to take jobs from (its URL)."),
    ] = None,
    token_file: Annotated[
        Path | None,
        typer.Option("--token-file", help="With --platform: a file holding this node's token."),
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="With --platform: run the work waiting now, then stop.")
    ] = False,
    poll: Annotated[
        float, typer.Option("--poll", help="With --platform: seconds between checks for work.")
    ] = 5.0,
) -> None:
    """Compute blind tables with the other nodes.

    With --platform, take the release jobs the secretariat queued and the sealed-bid
    auctions it is clearing, download this node's sealed shares or orders, compute, and post
    the result (repeatedly, or --once). With --job, run one job on the shares already in the
    node's store and write the result to --out.
    """
    from .config import load_config
    from .job import BlindJob
    from .node import run_node
    from .node_client import NodeClient, work

    started = time.perf_counter()

    def say(text: str) -> None:
        typer.echo(f"[{time.perf_counter() - started:6.2f} s] {text}", err=True)

    try:
        node = load_config(config)
        if platform is not None:
            if token_file is None:
                raise ConfigError(
                    "--platform needs --token-file (the token `blind nodes add` printed)"
                )
            token = token_file.read_text(encoding="utf-8").strip()
            failed = work(node, NodeClient(platform, token), once=once, poll=poll, say=say)
            if failed:
                raise ConfigError(
                    f"{failed} job(s) or auction(s) failed on this node (reported to the platform)"
                )
            return
        if job is None or out is None:
            raise ConfigError("give --platform URL --token-file F, or --job JOB --out RESULT")
        result = run_node(node, BlindJob.load(job), out, say)
    except OsatnetError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"{out}: {result['revealed']['published']} of {len(result['cells'])} cells published"
    )


@app.command("auction")
def auction_command(
    config: Annotated[Path, typer.Option("--config", "-c", help="This node's node.toml.")],
    auction: Annotated[Path, typer.Option("--auction", "-a", help="The auction (JSON).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the result (JSON).")],
) -> None:
    """Clear one sealed-bid auction with the other nodes; write prices and sealed quantities."""
    from .auction import Auction
    from .auction_node import run_auction
    from .config import load_config

    started = time.perf_counter()

    def say(text: str) -> None:
        typer.echo(f"[{time.perf_counter() - started:6.2f} s] {text}", err=True)

    try:
        result = run_auction(load_config(config), Auction.load(auction), out, say)
    except OsatnetError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    priced = result["revealed"]["prices"]
    typer.echo(f"{out}: {priced} of {len(result['markets'])} markets trade")
