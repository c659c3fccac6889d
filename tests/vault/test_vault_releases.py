"""Releases under disclosure control, checked by an independent attacker (scipy's linprog)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path

import pytest

from osatnet.db import Database
from osatnet.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from osatnet.registry import Registry
from osatnet.vault import Vault
from osatnet.vault._context import Actor
from osatnet.vault.releases import Releases, write_release_csv
from tests.oracle import attacker_intervals

from .alliance import build_alliance

Rows = dict[str, list[list[dict[str, object]]]]


@pytest.fixture
def alliance(db: Database, tmp_path: Path) -> tuple[Database, Rows]:
    return db, build_alliance(db, tmp_path)


def _sec(db: Database) -> Releases:
    return Releases(db, Actor.load(db, "secretariat"))


def _truth(
    db: Database, rows: Rows, quarter: int, measure: str, by: list[str]
) -> dict[tuple[str, ...], dict[str, float]]:
    """The test's own computation of member contributions per cell, from the raw rows."""
    registry = Registry(db)
    sites = {s.site_id: s for s in registry.sites()}
    members = {m.member_id: m for m in registry.members()}
    from osatnet.registry.catalog import prefecture

    cells: dict[tuple[str, ...], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for member_id, quarters in rows.items():
        for r in quarters[quarter]:
            if r["measure"] != measure:
                continue
            site = sites[str(r["site_id"])]
            found = prefecture(site.region) if site.country == "JP" else None
            dims = {"process": str(r["process"]), "region": found.area if found else site.country,
                    "employee_band": members[member_id].employee_band.value, "country": site.country}  # fmt: skip
            coords = [dims[d] for d in by]
            for mask in itertools.product((False, True), repeat=len(by)):
                key = tuple("TOTAL" if m else c for m, c in zip(mask, coords, strict=True))
                cells[key][member_id] += float(r["value"])  # type: ignore[arg-type]
    return cells


@pytest.mark.parametrize("by", [["process"], ["process", "region"], ["region", "employee_band"]])
def test_no_withheld_cell_can_be_narrowed(alliance: tuple[Database, Rows], by: list[str]) -> None:
    db, rows = alliance
    table = _sec(db).create("2026Q1", "weekly_capacity", "sum", by)
    truth = _truth(db, rows, 0, "weekly_capacity", by)
    intervals = attacker_intervals(table)
    primary = [c for c in table.cells if c.status == "primary"]
    assert primary, "the demo alliance has sensitive cells"
    for cell in table.cells:
        key = tuple(cell.labels[d] for d in by)
        members = truth.get(key, {})
        if cell.status == "published":
            assert cell.value == pytest.approx(sum(members.values()))
            assert cell.contributors == len(members)
            assert len(members) == 0 or len(members) >= 5  # minimum contributors
        if cell.status == "primary":
            x = sum(members.values())
            low, high = intervals[key]
            assert low <= x * 0.9 + 1e-6 and high >= x * 1.1 - 1e-6, (key, x, low, high)


def test_release_is_stored_audited_and_written(
    alliance: tuple[Database, Rows], tmp_path: Path
) -> None:
    db, _ = alliance
    releases = _sec(db)
    table = releases.create("2026Q1", "headcount", "mean", ["process"])
    assert [r.id for r in releases.list()] == [table.id]
    member_view = Releases(db, Actor.load(db, "m01-admin"))
    assert member_view.get(table.id) == table  # anyone signed in reads published tables
    out = write_release_csv(table, tmp_path / "t.csv")
    header, *lines = out.read_text().splitlines()
    assert header == "process,value,contributors,status"
    assert len(lines) == len(table.cells) and any(line.startswith("TOTAL,") for line in lines)
    withheld = [line for line in lines if line.endswith(("primary", "secondary"))]
    assert all(line.split(",")[1:3] == ["", ""] for line in withheld)
    entry = [e for e in Vault(db, "auditor").audit_entries() if e.action == "release"][-1]
    assert entry.target == f"release {table.id}" and '"measure":"headcount"' in entry.details
    with pytest.raises(NotFoundError, match="no release 999"):
        releases.get(999)


def test_quantiles_and_counts(alliance: tuple[Database, Rows]) -> None:
    db, rows = alliance
    releases = _sec(db)
    median = releases.create("2026Q2", "yield_pct", "median", ["process"])
    count = releases.create("2026Q2", "yield_pct", "count", ["process"])
    p25 = releases.create("2026Q2", "yield_pct", "p25", ["process"])
    by_process = {c.labels["process"]: c for c in median.cells}
    counts = {c.labels["process"]: c for c in count.cells}
    lows = {c.labels["process"]: c for c in p25.cells}
    for process, cell in by_process.items():
        if cell.value is not None and process != "TOTAL":
            assert counts[process].value == cell.contributors
            assert lows[process].value is not None and lows[process].value <= cell.value
            values = [float(r["value"]) for q in rows.values() for r in q[1]  # type: ignore[arg-type]
                      if r["measure"] == "yield_pct" and r["process"] == process]  # fmt: skip
            assert min(values) <= cell.value <= max(values)


def test_requests_are_checked(alliance: tuple[Database, Rows]) -> None:
    db, _ = alliance
    releases = _sec(db)
    cases = [
        (("2026Q3", "headcount", "sum", ["process"]), ConflictError, "period 2026Q3 is still open"),
        (("2026Q1", "colour", "sum", ["process"]), InputError, "unknown measure 'colour'"),
        (("2026Q1", "headcount", "mode", ["process"]), InputError, "stat must be one of"),
        (("2026Q1", "yield_pct", "sum", ["process"]), InputError, "a sum means nothing"),
        (("2026Q1", "headcount", "sum", ["shift"]), InputError, "unknown dimension 'shift'"),
        (("2026Q1", "headcount", "sum", []), InputError, "one to four different dimensions"),
        (("2026Q1", "spend_leadframe", "sum", ["process"]), InputError, "member-level measure"),
        (("2025Q4", "headcount", "sum", ["process"]), NotFoundError, "no reporting period 2025Q4"),
    ]
    for args, error, message in cases:
        with pytest.raises(error, match=message):
            releases.create(*args)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        Releases(db, Actor.load(db, "m01-admin")).create("2026Q1", "headcount", "sum", ["process"])


def _gap(
    truth_records: list[tuple[str, dict[str, str]]], big: dict[str, str], small: dict[str, str]
) -> int:
    inside = lambda dims, dom: all(dims.get(k) == v for k, v in dom.items())  # noqa: E731
    return len({m for m, dims in truth_records if inside(dims, big) and not inside(dims, small)})


def test_differencing_never_lets_an_exposure_through(alliance: tuple[Database, Rows]) -> None:
    """Whatever the second release does, refused or published, the oracle agrees with it."""
    db, rows = alliance
    truth = _truth(db, rows, 0, "weekly_capacity", ["process", "region"])
    records = [(m, {"process": p, "region": r}) for (p, r), ms in truth.items()
               if "TOTAL" not in (p, r) for m in ms]  # fmt: skip
    releases = _sec(db)
    first = releases.create("2026Q1", "weekly_capacity", "sum", ["process", "region"])

    def domain(labels: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in labels.items() if v != "TOTAL"}

    first_cells = [domain(c.labels) for c in first.cells if c.value is not None]
    try:
        second = releases.create("2026Q1", "weekly_capacity", "sum", ["process"])
    except ConflictError as exc:
        assert "release refused" in str(exc)
        gap = int(str(exc).split("differ by the data of ")[1].split(" ")[0])
        assert 0 < gap < 5
        return
    for cell in (domain(c.labels) for c in second.cells if c.value is not None):
        for other in first_cells:
            if set(cell.items()) <= set(other.items()) and cell != other:
                assert not 0 < _gap(records, cell, other) < 5, (cell, other)


def test_find_differencing_on_hand_made_records() -> None:
    from osatnet.vault._differencing import find_differencing
    from osatnet.vault._gather import Record

    recs = [Record(f"m{i}", 1.0, {"process": "final_test", "region": "Kyushu"}) for i in range(6)]
    recs += [Record("m9", 1.0, {"process": "final_test", "region": "Tohoku"})]
    recs += [Record(f"w{i}", 1.0, {"process": "wafer_sort", "region": "Tohoku"}) for i in range(2)]
    kyushu = ("final_test/Kyushu", {"process": "final_test", "region": "Kyushu"})
    total = ("final_test", {"process": "final_test"})
    sort_tohoku = ("wafer_sort/Tohoku", {"process": "wafer_sort", "region": "Tohoku"})
    assert find_differencing(recs, [total], [kyushu], 5) == ("final_test", "final_test/Kyushu", 1)
    assert find_differencing(recs, [kyushu], [total], 5) == ("final_test/Kyushu", "final_test", 1)
    assert find_differencing(recs, [kyushu], [sort_tohoku], 5) is None  # not nested
    assert find_differencing(recs, [kyushu], [kyushu], 5) is None  # the same cell
    assert find_differencing(recs, [total], [kyushu], 1) is None  # a group of one is allowed


def test_differential_privacy_budget(alliance: tuple[Database, Rows]) -> None:
    db, _ = alliance
    releases = _sec(db)
    exact = releases.create("2026Q1", "headcount", "sum", ["region"])
    noisy = releases.create("2026Q2", "headcount", "sum", ["region"], dp_epsilon=0.6, dp_bound=400)
    assert noisy.epsilon == 0.6
    shown = [c.value for c in noisy.cells if c.value is not None]
    assert shown and all(v >= 0 for v in shown)
    assert [c.value for c in exact.cells] != [c.value for c in noisy.cells]
    with pytest.raises(ConflictError, match=r"privacy budget exceeded: 0\.6 of 1 already spent"):
        releases.create("2026Q2", "headcount", "mean", ["process"], dp_epsilon=0.5, dp_bound=400)
    releases.create("2026Q2", "headcount", "mean", ["process"], dp_epsilon=0.3, dp_bound=400)
    counted = releases.create(
        "2026Q2", "headcount", "count", ["region"], dp_epsilon=0.1, dp_bound=3
    )
    assert all(c.value is None or (c.value >= 0 and c.value == int(c.value)) for c in counted.cells)
    with pytest.raises(ConflictError, match="privacy budget exceeded"):
        releases.create("2026Q2", "headcount", "count", ["region"], dp_epsilon=0.01, dp_bound=3)
    with pytest.raises(InputError, match="needs both --dp-epsilon and --dp-bound"):
        releases.create("2026Q1", "headcount", "sum", ["process"], dp_epsilon=0.1)
    with pytest.raises(InputError, match="offered for count, sum and mean"):
        releases.create("2026Q1", "headcount", "median", ["process"], dp_epsilon=0.1, dp_bound=5)
