"""The blind-mode demo step: the same alliance, but nobody — the platform included — sees a value.

In a database of its own (``OUT/blind/osatnet-blind.db``: the main demo stays
operator-trusted), the OSAT members upload their weekly capacities as sealed shares, the
secretariat asks for the sum by process, three compute nodes (separate processes on
loopback, TLS between them) pull the job from the platform's REST API, compute it with MPyC
and post it back; the release is stored once all three agree. The report compares every
published cell with the plain sum of the same invented data.
"""

from __future__ import annotations

import shutil
import time
from collections import defaultdict
from typing import TYPE_CHECKING

from ..api.server import serving
from ..db import Database
from ..errors import OsatnetError
from ..registry import Registry
from ..vault.releases import Releases
from .client import BlindValue
from .cluster import LocalCluster, free_ports
from .platform import BlindService

if TYPE_CHECKING:
    from ..demo._context import DemoContext

__all__ = ["demo_step"]

_PERIOD, _MEASURE = "2026Q2", "weekly_capacity"


def _platform(ctx: DemoContext) -> tuple[Database, dict[str, list[BlindValue]]]:
    from ..demo.generator import generate_registry
    from ..demo.submissions import demo_submission_rows

    folder = ctx.out / "blind"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "osatnet-blind.db").unlink(missing_ok=True)
    db = Database(f"sqlite:///{folder / 'osatnet-blind.db'}", settings=ctx.db.settings)
    reg = Registry(db)
    reg.configure_alliance(name="Demo Back-end Alliance (blind)", trust_model="blind")
    reg.import_path(ctx.out / "registry")
    reg.add_period(_PERIOD)
    reg.add_user("secretariat", "secretariat")
    data = generate_registry(ctx.seed)
    quarters = demo_submission_rows(data, ctx.seed, 2)
    values: dict[str, list[BlindValue]] = {}
    for member, rows in quarters.items():
        mine = [
            BlindValue(_MEASURE, float(str(r["value"])), str(r["site_id"]), str(r["process"]))
            for r in rows[1]
            if r["measure"] == _MEASURE
        ]
        if mine:
            values[member] = mine
            reg.add_user(f"{member.lower()}-admin", "member_admin", member_id=member)
    return db, values


def demo_step(ctx: DemoContext) -> None:
    started = time.perf_counter()
    db, values = _platform(ctx)
    # Fresh node keys on every run (keygen never overwrites a key: a node's key is precious).
    shutil.rmtree(ctx.out / "blind" / "nodes", ignore_errors=True)
    cluster = LocalCluster(ctx.out / "blind" / "nodes", timeout=120.0, shared_store=False).setup()
    sec = BlindService(db, "secretariat")
    token_files = []
    for i, key in enumerate(cluster.keys):
        operator = ("Alliance secretariat", "Research institute", "Audit firm")[i]
        _, token = sec.register_node(
            i, key.public_key_b64(), operator=operator, host="127.0.0.1", port=11365 + i
        )
        token_files.append(cluster.node_dir(i) / "node.token")
        token_files[-1].write_text(token, encoding="utf-8")
    for member, mine in values.items():
        BlindService(db, f"{member.lower()}-admin").upload(_PERIOD, mine)
    Registry(db).set_period_status(_PERIOD, "closed")
    job = sec.request_release(_PERIOD, _MEASURE, "sum", ["process"])
    (port,) = free_ports(1)
    with serving(db, port) as url:
        procs = cluster.pull(url, token_files)
        errors = [p.communicate(timeout=300)[1] for p in procs]
    done = sec.job(job.id)
    if done.release_id is None:
        raise OsatnetError(f"blind demo: job {done.id} {done.status}: {done.error or errors}")
    table = Releases(db, sec.who).get(done.release_id)
    plain: dict[str, float] = defaultdict(float)
    for mine in values.values():
        for v in mine:
            plain[str(v.process)] += v.value
    plain["TOTAL"] = sum(plain.values())
    rows, worst = [], 0.0
    for cell in table.cells:
        process = cell.labels["process"]
        if cell.value is not None:
            worst = max(worst, abs(cell.value - plain[process]))
        shown = "" if cell.value is None else f"{cell.value:,.2f}"
        count = "" if cell.contributors is None else cell.contributors
        rows.append([process, shown, count, cell.status])
    took = time.perf_counter() - started
    section = ctx.report.section("Blind mode / ブラインドモード (secure multi-party computation)")
    section.paragraph(
        f"{len(values)} members uploaded {sum(map(len, values.values()))} weekly capacities "
        "as secret shares sealed to three compute nodes; the platform stored only ciphertext. "
        f"The nodes computed the sum by process and the disclosure rules on the shares and "
        f"published {sum(c.status == 'published' for c in table.cells)} of {len(table.cells)} "
        f"cells (release {table.id}, {took:.1f} s including starting the nodes). Largest "
        f"difference from the plain sum of the same data: {worst:.4f} (fixed-point rounding)."
    )
    section.table(["process", "sum", "contributors", "status"], rows,
                  caption="Weekly capacity by process, computed blind")  # fmt: skip
    ctx.summary["blind"] = {
        "members": len(values), "release": table.id,
        "published": sum(c.status == "published" for c in table.cells),
        "cells": len(table.cells), "max_abs_difference": round(worst, 6),
    }  # fmt: skip
    db.dispose()
