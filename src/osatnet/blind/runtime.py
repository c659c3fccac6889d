"""An MPyC runtime for one compute node: parties from ``node.toml``, TLS with pinned peers.

MPyC reads its configuration from the command line when ``mpyc.runtime`` is imported; a node
builds its runtime with :func:`mpyc.runtime.setup` from an explicit argument list instead, and
replaces MPyC's ``--ssl`` mode (fixed ``.config/`` files signed by one CA) by
:func:`tls_start`: every node presents its own self-signed certificate and accepts exactly the
certificates listed for the other nodes. The MPC protocol itself is MPyC's, unchanged.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ConfigError, OsatnetError
from ._mpyc import mpyc_argv
from .config import NodeConfig, node_name
from .field import THRESHOLD

__all__ = [
    "NodeFailure",
    "make_runtime",
    "peers_down",
    "run_mpc",
    "tls_context",
    "tls_start",
    "write_result",
]

T = TypeVar("T")

_RETRY = 0.1  # seconds between connection attempts while the other nodes start


class NodeFailure(OsatnetError):
    """Another node is unreachable or left: the computation stops, nothing is revealed."""


def make_runtime(config: NodeConfig) -> Any:
    """A fresh MPyC runtime for ``config`` (MPyC is untyped: the runtime is ``Any``)."""
    with mpyc_argv([]):
        from mpyc import runtime as mpyc_runtime  # type: ignore[import-untyped]
    parties = [f"-P{n.host}:{n.port}" for n in config.nodes]
    args = ["-I", str(config.index), "-T", str(THRESHOLD), *parties]
    with mpyc_argv(args):
        return mpyc_runtime.setup()


def tls_context(config: NodeConfig, server: bool) -> ssl.SSLContext:
    purpose = ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT
    ctx = ssl.SSLContext(purpose)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    try:
        ctx.load_cert_chain(config.tls_cert, keyfile=config.tls_key)
        pinned = "".join(
            n.tls_cert.read_text(encoding="ascii")
            for i, n in enumerate(config.nodes)
            if i != config.index
        )
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"node {config.index}: cannot load TLS files: {exc}") from None
    ctx.load_verify_locations(cadata=pinned)
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


async def tls_start(rt: Any, config: NodeConfig, deadline: float) -> None:
    """Connect to every other node over mutually authenticated TLS (replaces ``mpc.start``).

    As in MPyC, node ``i`` listens for the nodes before it and connects to those after it.
    """
    from mpyc import asyncoro

    loop = rt._loop
    for peer in rt.parties:
        peer.protocol = asyncio.Future(loop=loop) if peer.pid == rt.pid else None
    server = None
    if rt.pid:
        me = config.me
        server = await loop.create_server(
            lambda: asyncoro.MessageExchanger(rt), host=me.host, port=me.port,
            ssl=tls_context(config, server=True),
        )  # fmt: skip
    client_ctx = tls_context(config, server=False)
    for peer in rt.parties[rt.pid + 1 :]:
        while True:
            try:
                await loop.create_connection(
                    lambda pid=peer.pid: asyncoro.MessageExchanger(rt, pid), peer.host, peer.port,
                    ssl=client_ctx, server_hostname=node_name(peer.pid),
                )  # fmt: skip
                break
            except (OSError, ssl.SSLError) as exc:
                if time.monotonic() > deadline:
                    raise NodeFailure(
                        f"node {rt.pid}: node {peer.pid} at {peer.host}:{peer.port} is "
                        f"unreachable ({exc})"
                    ) from None
            await asyncio.sleep(_RETRY)
    remaining = max(deadline - time.monotonic(), 0.0)
    try:
        await asyncio.wait_for(asyncio.shield(rt.parties[rt.pid].protocol), remaining)
    except TimeoutError:
        missing = [p.pid for p in rt.parties if p.pid != rt.pid and p.protocol is None]
        raise NodeFailure(f"node {rt.pid}: node(s) {missing} never connected") from None
    finally:
        if server is not None:
            server.close()
    # MPyC also resolves that future when every peer has *disconnected*: check who is there.
    down = peers_down(rt)
    if down:
        raise NodeFailure(f"node {rt.pid}: node(s) {down} never connected or left at once")
    rt.start_time = time.time()


def peers_down(rt: Any) -> list[int]:
    """Nodes whose connection is gone (closed by the peer or broken)."""
    down = []
    for peer in rt.parties:
        if peer.pid == rt.pid:
            continue
        proto = peer.protocol
        transport = getattr(proto, "transport", None)
        if proto is None or transport is None or transport.is_closing():
            down.append(peer.pid)
    return down


def run_mpc(config: NodeConfig, session: Callable[[Any], Coroutine[Any, Any, T]]) -> T:
    """Run ``session(runtime)`` on a fresh MPyC runtime; a lost peer becomes a NodeFailure."""
    rt = make_runtime(config)
    try:
        return rt.run(session(rt))  # type: ignore[no-any-return]
    except OsatnetError:
        raise
    except OSError as exc:
        raise NodeFailure(f"node {config.index}: connection failed: {exc}") from None
    except Exception as exc:
        # MPyC stops its event loop when a peer's connection is lost mid-run; whatever it
        # raises then, the run is over and nothing was revealed.
        down = peers_down(rt)
        stopped = isinstance(exc, RuntimeError) and "Event loop stopped" in str(exc)
        if down or stopped:
            who = f"node(s) {down}" if down else "another node"
            raise NodeFailure(
                f"node {config.index}: {who} left; nothing was revealed or written"
            ) from None
        raise


def write_result(out: Path, result: dict[str, Any]) -> None:
    """Write a node's result atomically: a reader sees the whole file or none."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=1), encoding="utf-8")
    os.replace(tmp, out)
