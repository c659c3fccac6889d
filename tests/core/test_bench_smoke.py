"""The registry benchmark script runs (its figures live in docs/benchmarks.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_registry_benchmark_small() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "registry.py"), "--small"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "speed-up vs baseline" in done.stdout


def test_api_benchmark_small() -> None:
    from tests.conftest import require_postgres

    require_postgres()
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "api.py"), "--small"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "of the bare route" in done.stdout
