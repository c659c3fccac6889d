"""Small helpers shared by tests: writing registry files, running the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from osatnet.cli import main

MEMBERS = """member_id,name,name_ja,country,prefecture,employee_band,role
m1,Kyushu Micro Co.,九州マイクロ株式会社,JP,Kumamoto,<50,osat
m2,Shikoku Test Co.,四国テスト株式会社,JP,香川,50-99,osat
m3,Penang Packaging Sdn Bhd,ペナン・パッケージング,MY,Penang,100-299,osat
"""
SITES = """site_id,member_id,name,country,region,lat,lon,certifications
s1,m1,Kikuchi plant,JP,Kumamoto,,,ISO 9001;IATF 16949
s2,m2,Takamatsu plant,JP,Kagawa,34.34,134.04,ISO 9001
s3,m3,Bayan Lepas,MY,Penang,5.30,100.27,ISO 9001;ISO 14001
"""
CAPABILITIES = """site_id,process,weekly_capacity,automotive
s1,final_test,200000,true
s1,burn_in,40000,false
s2,wafer_sort,3000,false
s3,substrate_package,500000,false
"""


def write_registry(folder: Path, **overrides: str) -> Path:
    """The small valid registry above, with any table replaced by ``overrides``."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"members": MEMBERS, "sites": SITES, "capabilities": CAPABILITIES} | overrides
    for name, content in tables.items():
        (folder / f"{name}.csv").write_text(content, encoding="utf-8")
    return folder


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> CliResult:
    capsys.readouterr()
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:
        code = 0
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)
