"""``benchmarks/exchange.py --small`` runs end to end and prints its ratios."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_small_benchmark_runs() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "exchange.py"), "--small"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "status optimal" in out
    assert "optimiser cost / greedy cost" in out
    assert "PuLP / osatnet: model build" in out
    assert "solve" in out
