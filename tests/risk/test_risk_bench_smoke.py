"""``benchmarks/risk.py --small`` runs, and its baselines agree with osatnet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "risk.py"


def test_small_benchmark_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--small"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "osatnet: TTS/TTR of all 80 nodes" in done.stdout
    assert "(same TTS and losses)" in done.stdout
    assert "(same matrix)" in done.stdout
    assert "osatnet Monte Carlo: 10,000 years" in done.stdout
    assert "(same losses on the same draws" in done.stdout
    assert "baseline LP per event" in done.stdout
