"""The CLI: JSON output, exit code 2 with one line per error, help everywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from osatnet import __version__
from osatnet.cli import app
from osatnet.db import Database
from tests.helpers import CAPABILITIES, run_cli, write_registry


def test_info_json(capsys: pytest.CaptureFixture[str], use_db: str) -> None:
    result = run_cli(capsys, "info", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["version"] == __version__
    assert data["schema_revision"] == Database.head_revision()
    assert data["counts"]["members"] == 0


def test_info_shows_default_sqlite_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run_cli(capsys, "info")
    assert result.code == 0
    assert str(tmp_path / "data" / "osatnet.db") in result.out.replace("\n", "")


def test_import_list_export(
    capsys: pytest.CaptureFixture[str], use_db: str, tmp_path: Path
) -> None:
    folder = write_registry(tmp_path / "in")
    result = run_cli(capsys, "registry", "import", str(folder), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["members"]["created"] == 3
    table = run_cli(capsys, "registry", "import", str(folder))
    assert "unchanged" in table.out
    members = json.loads(run_cli(capsys, "registry", "members", "--json").out)
    assert [m["member_id"] for m in members] == ["m1", "m2", "m3"]
    assert members[0]["name_ja"] == "九州マイクロ株式会社"
    sites = json.loads(run_cli(capsys, "registry", "sites", "--member", "m1", "--json").out)
    assert sites[0]["certifications"] == ["ISO 9001", "IATF 16949"]
    caps = run_cli(capsys, "registry", "capabilities", "--process", "final_test", "--json")
    assert json.loads(caps.out)[0]["weekly_capacity"] == 200000
    for command in ("members", "sites", "capabilities", "processes"):
        assert run_cli(capsys, "registry", command).code == 0
    out = run_cli(capsys, "registry", "export", "--out", str(tmp_path / "x.xlsx"), "--json")
    assert json.loads(out.out) == {"written": [str(tmp_path / "x.xlsx")]}
    assert "wrote" in run_cli(capsys, "registry", "export", "--out", str(tmp_path / "o")).out


def test_bad_file_exits_2_with_located_errors(
    capsys: pytest.CaptureFixture[str], use_db: str, tmp_path: Path
) -> None:
    caps = CAPABILITIES.replace("200000", "-1").replace("s2,wafer_sort", "s2,sorting")
    result = run_cli(
        capsys, "registry", "import", str(write_registry(tmp_path / "in", capabilities=caps))
    )
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert lines == [
        "error: capabilities.csv:2: column weekly_capacity: Input should be greater than or "
        "equal to 0, got '-1'",
        "error: capabilities.csv:4: column process: unknown process 'sorting'; expected a "
        "catalog key such as final_test (see `osatnet registry processes`)",
    ]
    assert "Traceback" not in result.err
    assert json.loads(run_cli(capsys, "info", "--json").out)["counts"]["members"] == 0


def test_periods_and_users(capsys: pytest.CaptureFixture[str], use_db: str, tmp_path: Path) -> None:
    run_cli(capsys, "registry", "import", str(write_registry(tmp_path / "in")))
    assert run_cli(capsys, "periods", "add", "2026Q3").out.strip() == "period 2026Q3 is open"
    assert (
        json.loads(run_cli(capsys, "periods", "close", "2026Q3", "--json").out)["status"]
        == "closed"
    )
    assert "is open" in run_cli(capsys, "periods", "reopen", "2026Q3").out
    assert "2026Q3" in run_cli(capsys, "periods", "list").out
    assert json.loads(run_cli(capsys, "periods", "list", "--json").out)[0]["key"] == "2026Q3"
    dup = run_cli(capsys, "periods", "add", "2026Q3")
    assert (dup.code, dup.err.strip()) == (2, "error: period 2026Q3 exists already")
    added = run_cli(
        capsys, "users", "add", "alice", "--role", "member_admin", "--member", "m1", "--json"
    )
    assert json.loads(added.out)["member_id"] == "m1"
    assert "created" in run_cli(capsys, "users", "add", "bob", "--role", "secretariat").out
    bad = run_cli(capsys, "users", "add", "carol", "--role", "member_user")
    assert (bad.code, bad.err.strip()) == (
        2,
        "error: column member_id: a member_user belongs to a member: give --member",
    )
    assert "(secretariat)" in run_cli(capsys, "users", "list").out
    assert len(json.loads(run_cli(capsys, "users", "list", "--member", "m1", "--json").out)) == 1


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "registry", "import")
    assert result.code == 2
    assert "Missing argument" in result.err


def test_config_error_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "OSATNET_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1:1/x?connect_timeout=2"
    )
    result = run_cli(capsys, "info")
    assert result.code == 2
    assert result.err.startswith(
        "error: cannot connect to database postgresql+psycopg://u@127.0.0.1:1/x"
    )
    assert len(result.err.strip().splitlines()) == 1


def _commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for info in group.registered_commands:
        name = info.name or (info.callback.__name__ if info.callback else "")
        found.append((*prefix, name))
    for sub in group.registered_groups:
        assert sub.typer_instance is not None and sub.name is not None
        found.append((*prefix, sub.name))
        found += _commands(sub.typer_instance, (*prefix, sub.name))
    return found


def test_help_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    commands = _commands(app)
    assert ("registry", "import") in commands and ("demo",) in commands
    for command in [(), *commands]:
        result = run_cli(capsys, *command, "--help")
        assert result.code == 0, command
        assert "Usage" in result.out


def test_version_and_verbose(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "--version").out.strip() == f"osatnet {__version__}"
    assert run_cli(capsys, "-vv", "info").code == 0


def test_console_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "osatnet", "--version"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, f"osatnet {__version__}")
