"""One compute node's run: open its own shares, compute with the others, write the result.

A node opens only the shares sealed to its key. Before any secure step the nodes exchange a
digest of the job and of the public record list (who reported where): nodes that would
compute on different inputs stop instead. The result file is written only after MPyC's
closing barrier succeeded on every node, atomically; a node that fails, or sees another node
leave, writes nothing and exits with an error.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError, OsatnetError
from .config import NodeConfig
from .envelope import FORMAT, SHARE_BYTES, Opener, share_aad, unb64
from .field import value_modulus
from .job import BlindJob, location_key
from .layout import Layout
from .protocol import Revealed, compute
from .runtime import NodeFailure, peers_down, run_mpc, tls_start, write_result
from .store import ShareStore

__all__ = ["RESULT_FORMAT", "NodeInput", "guarded", "open_shares", "run_node", "session"]

T = TypeVar("T")

RESULT_FORMAT = "osatnet-blind-result/1"
_WATCH = 0.2  # seconds between checks that every other node is still connected
ObjArray = npt.NDArray[np.object_]


@dataclass(frozen=True, eq=False)
class NodeInput:
    layout: Layout
    values: ObjArray  # this node's shares of the records' fixed-point values
    present: ObjArray  # … and of their contributor indicators
    digest: str  # job + public record list: equal on every node or nobody computes


def open_shares(config: NodeConfig, job: BlindJob) -> NodeInput:
    key = config.load_private_key()
    members: list[str] = []
    coords: list[tuple[str, ...]] = []
    values: list[int] = []
    present: list[int] = []
    public = hashlib.sha256(job.digest().encode())
    for bundle in ShareStore(config.store).bundles(job.period, config.index):
        member = str(bundle["member"])
        if (
            bundle.get("format") != FORMAT
            or int(bundle["node"]) != config.index
            or bundle["period"] != job.period
            or int(bundle["value_modulus"]) != value_modulus()
        ):
            raise ConfigError(f"{member}'s bundle for node {config.index} does not fit this job")
        opener = Opener.of(key, unb64(str(bundle["ephemeral"])))
        places = job.locations.get(member, {})
        rows = sorted(bundle["shares"], key=lambda s: (s["site"], s["process"], s["measure"]))
        for s in rows:
            if s["measure"] != job.measure:
                continue
            where = location_key(s["site"], s["process"])
            if where not in places:
                raise ConfigError(f"the job places no {member} value at {where}")
            aad = share_aad(member, job.period, job.measure, s["site"], s["process"], config.index)
            plain = opener.open(unb64(s["sealed"]), aad)
            if len(plain) != 2 * SHARE_BYTES:  # a modified client: refuse, don't guess
                raise ConfigError(f"{member}'s share at {where} is malformed ({len(plain)} bytes)")
            values.append(int.from_bytes(plain[:SHARE_BYTES], "big"))
            present.append(int.from_bytes(plain[SHARE_BYTES:], "big"))
            members.append(member)
            coords.append(tuple(places[where][d] for d in job.by))
            public.update(f"{member}\x1f{where}\x1e".encode())
    if not members:
        raise ConfigError(f"no share of {job.measure} for {job.period} in {config.store}")
    return NodeInput(
        Layout.build(job.by, members, coords),
        np.array(values, dtype=object),
        np.array(present, dtype=object),
        public.hexdigest(),
    )


async def guarded(rt: Any, work: Any, deadline: float) -> Any:
    """Await ``work`` while watching the other nodes: any of them gone stops everything."""
    task = asyncio.ensure_future(work)
    while not task.done():
        await asyncio.wait([task], timeout=_WATCH)
        if task.done():
            break
        down = peers_down(rt)
        if down or time.monotonic() > deadline:
            task.cancel()
            why = f"node(s) {down} left" if down else "the computation timed out"
            raise NodeFailure(f"node {rt.pid}: {why}; nothing was revealed or written")
    try:
        return task.result()
    except OsatnetError:
        raise  # raised on purpose by every node alike (invalid inputs…): not a departure
    except Exception:
        # A peer that drops between two checks makes MPyC fail inside its own send (for
        # instance on a protocol that is already gone): report the departure, not that.
        down = peers_down(rt)
        if down:
            raise NodeFailure(
                f"node {rt.pid}: node(s) {down} left; nothing was revealed or written"
            ) from None
        raise


async def session(
    rt: Any, config: NodeConfig, digest: str, what: str, work: Callable[[], Awaitable[T]],
    say: Callable[[str], None],
) -> T:  # fmt: skip
    """One watched MPC session: connect over TLS, check every node holds the same inputs
    (``digest``), run ``work()``, then a closing barrier before any connection closes."""
    deadline = time.monotonic() + config.timeout
    await tls_start(rt, config, deadline)
    say(f"node {config.index}: connected to all nodes over TLS")
    digests = await guarded(rt, rt.transfer(digest), deadline)
    if len(set(digests)) != 1:
        raise NodeFailure(
            f"node {config.index}: the nodes hold different {what} "
            "(a member's upload missing on some node?); nothing computed"
        )
    t0 = time.perf_counter()
    done: T = await guarded(rt, work(), deadline)
    say(f"node {config.index}: computed in {time.perf_counter() - t0:.2f} s")
    # Our own barrier, still watched: every node has finished before any connection closes
    # (MPyC's shutdown closes them, which the watch would take for a node leaving).
    await guarded(rt, rt.transfer(True), deadline)
    try:
        await asyncio.wait_for(rt.shutdown(), max(deadline - time.monotonic(), 1.0))
    except TimeoutError:
        raise NodeFailure(f"node {config.index}: closing timed out; nothing written") from None
    return done


def _result(config: NodeConfig, job: BlindJob, data: NodeInput, rev: Revealed) -> dict[str, Any]:
    # Members with a record in each cell (zeros included): public metadata, and what an
    # operator-trusted release calls its contributors and counts.
    members = np.bincount(data.layout.pair_cell, minlength=data.layout.num_cells)
    cells = []
    for i in range(data.layout.num_cells):
        status = "published"
        if rev.withheld[i]:
            status = "secondary" if rev.passing[i] else "primary"
        cells.append(
            {
                "labels": dict(zip(job.by, data.layout.cell_labels(i), strict=True)),
                "status": status,
                "value": rev.sums.get(i),
                "contributors": rev.counts.get(i),  # members with a positive value
                "members": int(members[i]) if i in rev.counts else None,
                # mean / quartiles the job asked for: None when withheld
                **{s: rev.stats.get(s, {}).get(i) for s in job.stats if s not in ("sum", "count")},
            }
        )
    return {
        "format": RESULT_FORMAT, "node": config.index, "period": job.period,
        "measure": job.measure, "by": list(job.by), "job": job.digest(), "inputs": data.digest,
        # Everything the nodes learned, counted: the validity bit, the rules' bits, the
        # protection bits, sums of cells withheld after they were seen, the published cells.
        "revealed": {
            "validity_bits": 1, "rule_bits": data.layout.num_cells,
            "protection_bits": rev.protection_bits, "sums_seen_then_withheld": rev.seen_withheld,
            "published": len(rev.sums),
        },
        "cells": cells,
    }  # fmt: skip


def run_node(
    config: NodeConfig, job: BlindJob, out: Path, say: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    data = open_shares(config, job)
    say(f"node {config.index}: opened {data.values.size} shares, {data.layout.num_cells} cells")
    revealed = run_mpc(
        config,
        lambda rt: session(
            rt,
            config,
            data.digest,
            "jobs or share sets",
            lambda: compute(rt, data.layout, data.values, data.present, job),
            say,
        ),
    )
    result = _result(config, job, data, revealed)
    write_result(out, result)
    return result
