"""The file interface and ``osatnet procure``: outputs, JSON, one-line located errors."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from osatnet.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "procurement"
DEMAND = str(EXAMPLES / "demand.csv")
QUOTES = str(EXAMPLES / "quotes.csv")


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    try:
        main(["procure", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def error_line(result: Run) -> str:
    assert result.code == 2, result
    lines = [x for x in result.err.splitlines() if x.startswith("error:")]
    assert len(lines) == 1, result.err
    return lines[0]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_worked_example_award(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "award.csv"
    result = run(
        capsys, "award", "--demand", DEMAND, "--quotes", QUOTES, "--out", str(out), "--json"
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["total_cost"] == 140000.0
    rows = read_rows(out)
    assert list(rows[0]) == ["supplier_id", "category", "quantity", "unit_price", "cost"]
    got = {(r["supplier_id"], r["quantity"], r["unit_price"], r["cost"]) for r in rows}
    assert got == {
        ("wire_a", "150", "100", "15000.00"),
        ("wire_b", "900", "70", "63000.00"),
        ("emc_x", "300", "20", "6000.00"),
        ("emc_y", "4000", "14", "56000.00"),
    }
    costs = {(r["category"], r["rule"]): r["cost"] for r in data["rule_costs"]}
    assert costs == {
        ("bonding_wire_cu", "capacity"): 4500.0,
        ("epoxy_mold_compound", "capacity"): 1800.0,
    }
    prices = {(p["constraint"], p["subject"]): p["saving"] for p in data["shadow_prices"]}
    assert prices["capacity", "wire_b"] == pytest.approx(30.0)
    assert prices["capacity", "emc_y"] == pytest.approx(6.0)
    table = run(capsys, "award", "--demand", DEMAND, "--quotes", QUOTES, "--out", str(out))
    assert "140,000.00" in table.out and "capacity rule costs 4,500.00" in table.out


def test_worked_example_allocations(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "allocation.csv"
    shapley = run(
        capsys, "allocate", "--demand", DEMAND, "--quotes", QUOTES, "--out", str(out), "--json"
    )
    assert shapley.code == 0, shapley.err
    data = json.loads(shapley.out)
    got = {m["member_id"]: (m["cost"], m["solo_cost"], m["savings"]) for m in data["members"]}
    assert got == {
        "kyushu_pkg": (75625.0, 86000.0, 10375.0),
        "tohoku_test": (39800.0, 48600.0, 8800.0),
        "chubu_osat": (24575.0, 25800.0, 1225.0),
    }
    assert data["core"]["in_core"] is False
    assert data["core"]["coalition"] == ["kyushu_pkg", "tohoku_test"]
    assert data["core"]["max_excess"] == 625.0
    assert data["core"]["core_empty"] is False
    # Every group saves at least 300; the least-core point nearest the Shapley split.
    assert data["core"]["least_core_epsilon"] == -300.0
    assert data["core"]["least_core_allocation"] == {
        "kyushu_pkg": 74700.0,
        "tohoku_test": 39800.0,
        "chubu_osat": 25500.0,
    }
    rows = read_rows(out)
    assert list(rows[0]) == ["member_id", "cost", "solo_cost", "savings", "savings_pct"]
    assert sum(float(r["cost"]) for r in rows) == pytest.approx(140000.0)

    prop = run(
        capsys,
        "allocate",
        "--demand",
        DEMAND,
        "--quotes",
        QUOTES,
        "--out",
        str(out),
        "--method",
        "proportional",
        "--json",
    )
    members = json.loads(prop.out)["members"]
    assert [m["cost"] for m in members] == [80617.94, 39588.04, 19794.02]

    sampled = run(
        capsys,
        "allocate",
        "--demand",
        DEMAND,
        "--quotes",
        QUOTES,
        "--out",
        str(out),
        "--samples",
        "400",
    )
    assert sampled.code == 0, sampled.err
    assert "std error" in sampled.out and "Not in the core" in sampled.out
    assert list(read_rows(out)[0])[-1] == "std_error"


def test_report_and_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "report", "--demand", DEMAND, "--quotes", QUOTES, "--json")
    data = json.loads(result.out)
    assert data["total_cost"] == 140000.0
    assert data["solo_total"] == 160400.0
    assert data["savings_pct"] == 12.72
    assert data["target_reached"] is False
    assert data["current_spend"] == 188650.0
    assert data["savings_vs_current_pct"] == 25.79
    assert data["charts"]["member_savings"]["member_id"][0] == "kyushu_pkg"
    assert data["categories"][0]["name_ja"] == "銅ボンディングワイヤ"
    text = run(
        capsys,
        "report",
        "--demand",
        DEMAND,
        "--quotes",
        QUOTES,
        "--max-supplier-share",
        "0.7",
        "--min-suppliers",
        "2",
    )
    assert text.code == 0 and "target 20% not reached" in text.out
    assert "max_supplier_share rule costs" in text.out
    catalog = json.loads(run(capsys, "catalog", "--json").out)
    assert {
        "key": "epoxy_mold_compound",
        "name_en": "Epoxy mold compound",
        "name_ja": "エポキシ封止材",
        "unit": "kg",
        "kind": "material",
    } in catalog
    assert "ワイヤボンダ" in run(capsys, "catalog").out


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD_QUOTES = "supplier_id,category,min_qty,unit_price,capacity\ns1,wire,0,10,100\ns1,wire,50,9,\n"
GOOD_DEMAND = "member_id,category,quantity\nm1,wire,30\nm2,wire,40\n"


@pytest.mark.parametrize(
    ("demand", "quotes", "expected"),
    [
        (
            "member_id,category\nm1,wire\n",
            GOOD_QUOTES,
            "demand.csv:1: missing required column(s) quantity",
        ),
        (
            "member_id,category,quantity\nm1,wire,30\nm2,wire,lots\n",
            GOOD_QUOTES,
            "demand.csv:3: column quantity: expected a number >= 0, got 'lots'",
        ),
        (
            "member_id,category,quantity\nm1,wire,-4\n",
            GOOD_QUOTES,
            "demand.csv:2: column quantity: expected a number >= 0, got '-4'",
        ),
        (
            "member_id,category,quantity\nm1,wire,\n",
            GOOD_QUOTES,
            "demand.csv:2: column quantity: expected a number >= 0, got an empty cell",
        ),
        (
            "member_id,category,quantity\n,wire,3\n",
            GOOD_QUOTES,
            "demand.csv:2: column member_id: expected a value, got an empty cell",
        ),
        (
            "member_id,category,quantity\nm1,wire,3\nm1,wire,4\n",
            GOOD_QUOTES,
            "demand.csv:3: column category: member m1 already has a demand for wire at row 2",
        ),
        ("member_id,category,quantity\n", GOOD_QUOTES, "demand.csv:2: no demand rows"),
        (
            "member_id,category,quantity\nm1,emc,3\n",
            GOOD_QUOTES,
            "demand.csv:2: column category: no supplier in quotes.csv quotes category 'emc'",
        ),
        (
            "member_id,category,quantity\nm1,wire,300\n",
            GOOD_QUOTES,
            "demand.csv:2: column quantity: category wire: not enough capacity: shortfall 200",
        ),
        (
            GOOD_DEMAND,
            "supplier_id,category,min_qty,unit_price,discount\ns1,wire,0,10,bulk\n",
            "quotes.csv:2: column discount: expected all_units or incremental, got 'bulk'",
        ),
        (
            GOOD_DEMAND,
            "supplier_id,category,min_qty,unit_price\ns1,wire,0,10\ns1,wire,50,11\n",
            "quotes.csv:3: column unit_price: supplier s1: all-units unit_price 11",
        ),
        (
            GOOD_DEMAND,
            "supplier_id,category,min_qty,unit_price\ns1,wire,50,9\ns1,wire,50,8\n",
            "quotes.csv:3: column min_qty: supplier s1: min_qty 50 repeats",
        ),
        (
            GOOD_DEMAND,
            "supplier_id,category,min_qty,unit_price,capacity\ns1,wire,0,10,100\ns1,wire,50,9,90\n",
            "quotes.csv:3: column capacity: capacity '90' disagrees with 100.0 at row 2",
        ),
        (
            GOOD_DEMAND,
            "supplier_id,category,min_qty,unit_price,capacity\ns1,wire,0,10,0\n",
            "quotes.csv:2: column capacity: expected a number > 0, got '0'",
        ),
        (
            GOOD_DEMAND,
            "supplier_id,category,min_qty,unit_price,colour\ns1,wire,0,10,red\n",
            "quotes.csv:1: column colour: unknown column 'colour'",
        ),
        (GOOD_DEMAND, "supplier_id,category,min_qty,unit_price\n", "quotes.csv:2: no quote rows"),
    ],
)
def test_bad_input_is_one_located_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, demand: str, quotes: str, expected: str
) -> None:
    d = _write(tmp_path / "demand.csv", demand)
    q = _write(tmp_path / "quotes.csv", quotes)
    result = run(capsys, "award", "--demand", d, "--quotes", q, "--out", str(tmp_path / "a.csv"))
    assert expected in error_line(result)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--method", "nash"], "--method expects proportional or shapley, got 'nash'"),
        (["--max-supplier-share", "60"], "--max-supplier-share expects a fraction in (0, 1]"),
        (["--max-country-share", "0"], "--max-country-share expects a fraction"),
        (["--min-suppliers", "0"], "--min-suppliers expects a whole number >= 1, got 0"),
        (["--samples", "1"], "--samples expects a whole number >= 2, got 1"),
        (["--min-suppliers", "3"], "demand.csv:2: column quantity: category wire: the resilience"),
    ],
)
def test_bad_options(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], expected: str
) -> None:
    d = _write(tmp_path / "demand.csv", GOOD_DEMAND)
    q = _write(tmp_path / "quotes.csv", GOOD_QUOTES)
    result = run(
        capsys, "allocate", "--demand", d, "--quotes", q, "--out", str(tmp_path / "x.csv"), *args
    )
    assert expected in error_line(result)


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run(
        capsys,
        "award",
        "--demand",
        str(tmp_path / "nope.csv"),
        "--quotes",
        QUOTES,
        "--out",
        str(tmp_path / "a.csv"),
    )
    assert "cannot read file" in error_line(result)


def test_python_file_api_reads_the_example() -> None:
    from osatnet.procurement import allocate, read_demand, read_quotes

    demands = read_demand(Path(DEMAND))
    quotes = read_quotes(Path(QUOTES))
    assert len(demands) == 6 and len(quotes) == 4
    emc_x = next(q for q in quotes if q.supplier_id == "emc_x")
    assert emc_x.discount.value == "incremental" and emc_x.min_order == 100
    assert emc_x.cost(1500) == 1000 * 20 + 500 * 16
    result = allocate(demands, quotes, method="shapley")
    assert [s.cost for s in result.shares] == [75625.0, 39800.0, 24575.0]
