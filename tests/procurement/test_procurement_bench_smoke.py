"""``benchmarks/procurement.py --small`` runs and checks its two implementations agree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "procurement.py"


def test_small_benchmark_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--small"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "exact Shapley, 10 members" in done.stdout
    assert "reached: True" in done.stdout
    assert done.stdout.count("(same values)") == 2
