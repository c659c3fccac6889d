"""Docs cannot drift: the CLI reference is generated, README examples run, links resolve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from osatnet.cli._docs import render
from osatnet.demo import generate_registry
from osatnet.registry._export import export_registry

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_is_current() -> None:
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == render(), "regenerate: python -m osatnet.cli._docs > docs/cli.md"


def test_readme_python_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", readme, re.S)
    assert code is not None
    assert len(code.group(1).strip().splitlines()) <= 10
    data = generate_registry(7)
    export_registry(tmp_path / "registry", data.members, data.sites, data.capabilities)
    exec(compile(code.group(1), "README.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "{'created': 30, 'updated': 0, 'unchanged': 0}"
    assert len(out) == 4
    assert (tmp_path / "registry-backup.xlsx").exists()


def test_markdown_links_resolve() -> None:
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_documented_commands_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    shell = "\n".join(re.findall(r"```sh\n(.*?)```", readme, re.S))
    for line in re.findall(r"^osatnet ([a-z][a-z ]*[a-z])", shell, re.M):
        words = line.split()
        while words and f"## osatnet {' '.join(words)}\n" not in reference:
            words.pop()
        assert words, f"README shows `osatnet {line}` but the CLI has no such command"
