"""Bad input is reported as FILE:ROW: column COLUMN: reason (no database needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from osatnet.db import Database
from osatnet.errors import InputError
from osatnet.registry import Registry
from osatnet.registry._files import read_registry_files
from tests.helpers import CAPABILITIES, MEMBERS, SITES, write_registry


def _error(tmp_path: Path, **tables: str) -> InputError:
    with pytest.raises(InputError) as info:
        read_registry_files(write_registry(tmp_path / "in", **tables))
    return info.value


@pytest.mark.parametrize(
    ("table", "content", "expected"),
    [
        (
            "members",
            MEMBERS.replace("JP,Kumamoto,<50", "JP,Kumamoto,<5"),
            "members.csv:2: column employee_band: Input should be '<50', '50-99', '100-299', "
            "'300-999' or '1000+', got '<5'",
        ),
        (
            "members",
            MEMBERS.replace(",JP,香川", ",XX,香川"),
            "members.csv:3: column country: expected an ISO 3166-1 alpha-2 country code such "
            "as JP, got 'XX'",
        ),
        (
            "members",
            MEMBERS.replace("JP,Kumamoto", "JP,Atlantis"),
            "members.csv:2: column prefecture: expected one of Japan's 47 prefectures "
            "(e.g. Kumamoto), got 'Atlantis'",
        ),
        (
            "members",
            MEMBERS.replace(",osat\nm2", ",broker\nm2"),
            "members.csv:2: column role: Input should be 'osat', 'materials', 'equipment' or "
            "'customer', got 'broker'",
        ),
        (
            "sites",
            SITES.replace("5.30,100.27", ",100.27"),
            "sites.csv:4: column lat: required (in Japan, leave lat and lon empty to use the "
            "prefecture capital)",
        ),
        (
            "sites",
            SITES.replace("34.34,134.04", "134.34,134.04"),
            "sites.csv:3: column lat: Input should be less than or equal to 90, got '134.34'",
        ),
        (
            "sites",
            SITES.replace("ISO 9001;IATF 16949", "ISO 9001;ISO 27001"),
            "sites.csv:2: column certifications: unknown certification 'ISO 27001'; expected "
            "one of ISO 9001, IATF 16949, ISO 14001, AEC-Q100, AEC-Q101",
        ),
        (
            "capabilities",
            CAPABILITIES.replace("s1,burn_in", "s1,burnin"),
            "capabilities.csv:3: column process: unknown process 'burnin'; expected a catalog "
            "key such as final_test (see `osatnet registry processes`)",
        ),
        (
            "capabilities",
            CAPABILITIES.replace("3000,false", "3000,maybe"),
            "capabilities.csv:4: column automotive: expected true/false (or 1/0, yes/no), "
            "got 'maybe'",
        ),
        (
            "capabilities",
            CAPABILITIES.replace("200000", "lots"),
            "capabilities.csv:2: column weekly_capacity: Input should be a valid number, unable "
            "to parse string as a number, got 'lots'",
        ),
    ],
)
def test_bad_value_names_file_row_column(
    tmp_path: Path, table: str, content: str, expected: str
) -> None:
    assert str(_error(tmp_path, **{table: content})) == expected


def test_every_bad_row_is_reported(tmp_path: Path) -> None:
    caps = CAPABILITIES.replace("200000", "-1").replace("3000", "x")
    error = _error(tmp_path, capabilities=caps)
    assert [(e.file, e.row, e.column) for e in error.all_errors] == [
        ("capabilities.csv", 2, "weekly_capacity"),
        ("capabilities.csv", 4, "weekly_capacity"),
    ]


def test_missing_and_unknown_columns(tmp_path: Path) -> None:
    missing = _error(tmp_path, capabilities="site_id,process,automotive\ns1,final_test,true\n")
    assert str(missing).startswith("capabilities.csv:1: missing required column(s) weekly_capacity")
    unknown = _error(
        tmp_path, capabilities=CAPABILITIES.replace("automotive", "automotive,colour", 1)
    )
    assert str(unknown).startswith("capabilities.csv:1: column colour: unknown column 'colour'")


def test_duplicate_ids_are_rejected(db: Database, tmp_path: Path) -> None:
    sites = SITES + "s1,m1,Second Kikuchi,JP,Kumamoto,,,ISO 9001\n"
    with pytest.raises(InputError) as info:
        Registry(db).import_path(write_registry(tmp_path / "in", sites=sites))
    assert str(info.value) == "sites.csv:5: column site_id: duplicate site_id 's1' (first on row 2)"


def test_ragged_row_and_encoding(tmp_path: Path) -> None:
    ragged = _error(tmp_path, members=MEMBERS + "m9,a,b,JP,Oita,<50,osat,extra,more\n")
    assert str(ragged) == "members.csv:5: 9 values but the header has 7 columns"
    folder = write_registry(tmp_path / "enc")
    (folder / "members.csv").write_bytes(MEMBERS.encode("shift_jis"))
    with pytest.raises(InputError, match=r"members.csv: not UTF-8 text"):
        read_registry_files(folder)


def test_bom_and_blank_lines_are_fine(tmp_path: Path) -> None:
    folder = write_registry(tmp_path / "in")
    (folder / "members.csv").write_bytes(
        b"\xef\xbb\xbf" + MEMBERS.replace("\nm2", "\n\nm2").encode()
    )
    files = read_registry_files(folder)
    assert [(n, r.member_id) for _, n, r in files.members] == [(2, "m1"), (4, "m2"), (5, "m3")]


def test_xlsx_errors_name_the_sheet(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "members"
    for line in MEMBERS.strip().splitlines():
        sheet.append(line.split(","))
    caps = book.create_sheet("capabilities")
    caps.append(["site_id", "process", "weekly_capacity", "automotive"])
    caps.append(["s1", "final_test", "many", "false"])
    path = tmp_path / "registry.xlsx"
    book.save(path)
    with pytest.raises(InputError) as info:
        read_registry_files(path)
    assert str(info.value).startswith("registry.xlsx[capabilities]:2: column weekly_capacity:")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("nothing-here", "no such file or folder"),
        ("notes.txt", "expected a folder of CSV files, an .xlsx workbook"),
    ],
)
def test_bad_paths(tmp_path: Path, name: str, expected: str) -> None:
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("hello")
    with pytest.raises(InputError, match=expected):
        read_registry_files(path)


def test_empty_folder_and_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no registry files found"):
        read_registry_files(tmp_path / "empty")
    folder = write_registry(tmp_path / "in", members="")
    with pytest.raises(InputError, match=r"members.csv: the file is empty"):
        read_registry_files(folder)
