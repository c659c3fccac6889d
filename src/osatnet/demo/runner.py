"""Run the demo alliance end to end and write its report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..db import Database
from ..logs import get_logger
from ..reporting import Report
from ..settings import Settings
from ..vault._keys import MasterKey, write_key_file
from ._context import DemoContext
from .steps import STEPS

__all__ = ["DemoResult", "run_demo"]

log = get_logger("demo")
Progress = Callable[[str, int, int], None]


@dataclass
class DemoResult:
    report_path: Path
    database_url: str
    summary: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


def run_demo(
    *,
    seed: int = 7,
    out: Path | str = "demo-out",
    database_url: str | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Build the demo alliance in a fresh database and run every capability on it.

    By default the data goes to ``OUT/osatnet-demo.db`` (recreated on every run), never to the
    configured database. ``progress(step_name, done, total)`` is called before each step.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        path = out / "osatnet-demo.db"
        path.unlink(missing_ok=True)
        database_url = f"sqlite:///{path}"
    # The demo's own master key, beside its database: never the operator's key.
    key_file = out / "demo-master.key"
    if not key_file.exists():
        write_key_file(key_file, MasterKey.generate(str(key_file)))
    settings = Settings(master_key_file=key_file)
    db = Database(database_url, settings=settings)
    report = Report(
        "osatnet demo alliance / デモアライアンス",
        f"A synthetic alliance shaped like Japan's back-end alliance (seed {seed}). "
        "All firms and figures are invented.",
    )
    ctx = DemoContext(seed=seed, out=out, db=db, report=report)
    timings: dict[str, float] = {}
    try:
        for done, step in enumerate(STEPS):
            if progress:
                progress(step.name, done, len(STEPS))
            t0 = time.perf_counter()
            step.run(ctx)
            timings[step.name] = time.perf_counter() - t0
            log.info("demo step %r took %.2f s", step.name, timings[step.name])
        if progress:
            progress("done", len(STEPS), len(STEPS))
        report_path = report.save(out / "report.html")
    finally:
        db.dispose()
    return DemoResult(report_path, db.display_url, ctx.summary, timings)
