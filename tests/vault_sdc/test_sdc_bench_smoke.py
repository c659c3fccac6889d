"""``benchmarks/sdc.py --small`` runs, and both patterns pass the audit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "sdc.py"


def test_small_benchmark_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--small"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "optimal: True" in done.stdout
    assert done.stdout.count("passed: True") == 3
    assert "same verdict: True" in done.stdout
