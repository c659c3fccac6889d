"""``benchmarks/blind.py --small`` runs end to end, checks itself and prints its ratio."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_blind_benchmark_small_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "blind.py"), "--small"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("checked against sdc") == 2
    assert "ratio blind / operator-trusted" in done.stdout
    assert "checked against the operator-trusted release" in done.stdout  # the quartile step
