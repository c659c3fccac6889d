"""schemathesis explores every operation of the OpenAPI schema: no input may cause a 5xx."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import LiveServer


def _run(live: LiveServer, user: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("schemathesis")
    return subprocess.run(
        [
            str(exe), "run", f"{live.url}/openapi.json",
            "--checks", "not_a_server_error",
            "--header", f"Authorization: Bearer {live.tokens[user]}",
            "--max-examples", "15", "--seed", "20261125", "--generation-deterministic",
            "--request-timeout", "30", "--phases", "examples,fuzzing",
        ],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""},
    )  # fmt: skip


def test_no_server_errors_as_member(submitted: LiveServer, tmp_path: Path) -> None:
    done = _run(submitted, "m1-admin", tmp_path)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_no_server_errors_as_secretariat(submitted: LiveServer, tmp_path: Path) -> None:
    done = _run(submitted, "sec", tmp_path)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
