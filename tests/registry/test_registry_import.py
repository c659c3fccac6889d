"""Registry import/export on SQLite and PostgreSQL: round trip, idempotence, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from osatnet.db import Database
from osatnet.errors import InputError
from osatnet.registry import Registry
from tests.helpers import CAPABILITIES, MEMBERS, SITES, write_registry


def _snapshot(reg: Registry) -> tuple[list[object], list[object], list[object]]:
    return (reg.members(), reg.sites(), reg.capabilities())


def test_import_creates_rows(db: Database, tmp_path: Path) -> None:
    reg = Registry(db)
    report = reg.import_path(write_registry(tmp_path / "in"))
    assert report.as_dict()["members"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert report.as_dict()["capabilities"]["created"] == 4
    m2 = reg.member("m2")
    assert m2.prefecture == "Kagawa"  # 香川 normalised to the English name
    s1 = next(s for s in reg.sites() if s.site_id == "s1")
    # No coordinates in the file: the site sits at its prefecture's capital.
    assert (s1.lat, s1.lon) == (32.7898, 130.7417)
    assert [c.value for c in s1.certifications] == ["ISO 9001", "IATF 16949"]
    assert reg.capabilities(site_id="s1", process="final_test")[0].automotive is True


def test_reimport_is_idempotent(db: Database, tmp_path: Path) -> None:
    reg = Registry(db)
    folder = write_registry(tmp_path / "in")
    reg.import_path(folder)
    before = _snapshot(reg)
    again = reg.import_path(folder)
    assert again.changed == 0
    assert again.as_dict()["sites"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert _snapshot(reg) == before


def test_reimport_updates_changed_rows(db: Database, tmp_path: Path) -> None:
    reg = Registry(db)
    reg.import_path(write_registry(tmp_path / "a"))
    changed_sites = SITES.replace("ISO 9001;ISO 14001", "ISO 9001")
    changed_caps = CAPABILITIES.replace("s2,wafer_sort,3000", "s2,wafer_sort,3500")
    report = reg.import_path(
        write_registry(tmp_path / "b", sites=changed_sites, capabilities=changed_caps)
    )
    assert report.as_dict()["sites"] == {"created": 0, "updated": 1, "unchanged": 2}
    assert report.as_dict()["capabilities"]["updated"] == 1
    assert reg.capabilities(site_id="s2")[0].weekly_capacity == 3500
    s3 = next(s for s in reg.sites() if s.site_id == "s3")
    assert [c.value for c in s3.certifications] == ["ISO 9001"]


@pytest.mark.parametrize("fmt", ["folder", "xlsx"])
def test_export_then_import_gives_the_same_registry(db: Database, tmp_path: Path, fmt: str) -> None:
    reg = Registry(db)
    reg.import_path(write_registry(tmp_path / "in"))
    out = tmp_path / ("export" if fmt == "folder" else "registry.xlsx")
    reg.export(out)
    fresh = Registry(Database(f"sqlite:///{tmp_path / 'fresh.db'}"))
    fresh.import_path(out)
    assert _snapshot(fresh) == _snapshot(reg)
    # and exporting the copy gives the same bytes (folder) / same rows
    if fmt == "folder":
        fresh.export(tmp_path / "export2")
        for name in ("members", "sites", "capabilities"):
            first = (out / f"{name}.csv").read_text()
            assert (tmp_path / "export2" / f"{name}.csv").read_text() == first


def test_bad_row_imports_nothing(db: Database, tmp_path: Path) -> None:
    reg = Registry(db)
    reg.import_path(write_registry(tmp_path / "good"))
    before = _snapshot(reg)
    # New valid rows everywhere, and one bad capacity on the last capability row.
    members = MEMBERS + "m4,Tohoku Bond,東北ボンド,JP,Miyagi,<50,osat\n"
    sites = SITES + "s4,m4,Sendai plant,JP,Miyagi,,,ISO 9001\n"
    caps = CAPABILITIES + "s4,final_test,-5,false\n"
    bad = write_registry(tmp_path / "bad", members=members, sites=sites, capabilities=caps)
    with pytest.raises(InputError) as info:
        reg.import_path(bad)
    assert str(info.value).startswith("capabilities.csv:6: column weekly_capacity: ")
    assert _snapshot(reg) == before


def test_cross_reference_error_imports_nothing(db: Database, tmp_path: Path) -> None:
    reg = Registry(db)
    sites = SITES + "s9,nobody,Ghost plant,JP,Oita,,,ISO 9001\n"
    with pytest.raises(InputError) as info:
        reg.import_path(write_registry(tmp_path / "in", sites=sites))
    assert str(info.value) == (
        "sites.csv:5: column member_id: unknown member 'nobody': not in members and not registered"
    )
    assert reg.members() == []


def test_automotive_capability_needs_iatf(db: Database, tmp_path: Path) -> None:
    caps = CAPABILITIES.replace("s2,wafer_sort,3000,false", "s2,wafer_sort,3000,yes")
    with pytest.raises(InputError, match=r"capabilities.csv:4: column automotive: .*IATF 16949"):
        Registry(db).import_path(write_registry(tmp_path / "in", capabilities=caps))


def test_references_to_registered_rows_are_accepted(db: Database, tmp_path: Path) -> None:
    reg = Registry(db)
    reg.import_path(write_registry(tmp_path / "first"))
    only_caps = tmp_path / "caps"
    only_caps.mkdir()
    (only_caps / "capabilities.csv").write_text(
        "site_id,process,weekly_capacity,automotive\ns1,molding,90000,true\n"
    )
    report = reg.import_path(only_caps)
    assert report.as_dict()["capabilities"]["created"] == 1
    assert len(reg.capabilities(site_id="s1")) == 3


def test_database_file_holds_everything_after_reopen(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'persist.db'}"
    Registry(Database(url)).import_path(write_registry(tmp_path / "in"))
    reopened = Registry(Database(url))
    assert [m.member_id for m in reopened.members()] == ["m1", "m2", "m3"]
