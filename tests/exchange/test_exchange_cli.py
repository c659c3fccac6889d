"""``osatnet exchange solve``: files in, matches and JSON out, one located line per error."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from osatnet.cli import main

OFFERS = "offer_id,process,week,capacity,unit_price\nO1,FT,10,100,50\nO2,FT,10,80,40\n"
REQUESTS = "request_id,process,quantity,unserved_penalty\nR1,FT,120,\nR2,FT,50,90\n"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out, err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def solve_args(tmp_path: Path, offers: str = OFFERS, requests: str = REQUESTS) -> list[str]:
    return [
        "exchange",
        "solve",
        "--offers",
        write(tmp_path, "offers.csv", offers),
        "--requests",
        write(tmp_path, "requests.csv", requests),
        "--out",
        str(tmp_path / "matches.csv"),
    ]


def test_solve_writes_matches_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*solve_args(tmp_path), "--json"], capsys)
    assert code == 0
    summary = json.loads(out)
    assert {"status", "objective", "bound", "gap", "served", "unserved"} <= summary.keys()
    assert summary["status"] == "optimal"
    # Demand 170 < capacity 180 and R2's penalty (90) beats both prices: everyone is served,
    # the cheap offer O2 is used in full, O1 carries the other 90 units.
    assert summary["served"] == 170
    assert summary["unserved"] == 0
    assert summary["objective"] == pytest.approx(80 * 40 + 90 * 50)
    with open(tmp_path / "matches.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0].keys()) == ["request_id", "offer_id", "quantity", "unit_cost", "price"]
    per_request: dict[str, float] = {}
    per_offer: dict[str, float] = {}
    for r in rows:
        per_request[r["request_id"]] = per_request.get(r["request_id"], 0) + float(r["quantity"])
        per_offer[r["offer_id"]] = per_offer.get(r["offer_id"], 0) + float(r["quantity"])
        assert r["unit_cost"] == r["price"] == {"O1": "50", "O2": "40"}[r["offer_id"]]
    assert per_request == {"R1": 120, "R2": 50}
    assert per_offer == {"O1": 90, "O2": 80}


def test_solve_prints_a_table_without_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([*solve_args(tmp_path), "--pricing", "uniform", "--fairness", "0.5"], capsys)
    assert code == 0
    assert "optimal" in out
    assert "greedy baseline" in out


def test_infeasible_names_the_requests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    requests = REQUESTS + "R3,WB,10,\n"
    code, out, _ = run([*solve_args(tmp_path, requests=requests), "--json"], capsys)
    assert code == 0
    summary = json.loads(out)
    assert summary["status"] == "infeasible"
    assert summary["infeasible"] == [{"request_id": "R3", "reason": "no offer of process 'WB'"}]
    code, out, _ = run(solve_args(tmp_path, requests=requests), capsys)
    assert "cannot serve R3: no offer of process 'WB'" in out


def test_arcs_restrict_pairs_and_set_costs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arcs = write(
        tmp_path,
        "arcs.csv",
        "request_id,offer_id,unit_cost,capacity_per_unit\nR1,O1,7,0.5\nR2,O2,3,\n",
    )
    code, out, _ = run([*solve_args(tmp_path), "--arcs", arcs, "--json"], capsys)
    assert code == 0
    summary = json.loads(out)
    # R1 only on O1 (100 capacity at 0.5 per unit: room for 200), R2 only on O2.
    assert summary["served"] == 170
    assert summary["objective"] == pytest.approx(120 * 7 + 50 * 3)


@pytest.mark.parametrize(
    ("which", "text", "expected"),
    [
        (
            "offers",
            "offer_id,process,week,capacity\nO1,FT,1,5\n",
            "offers.csv:1: column unit_price: required column is missing",
        ),
        (
            "offers",
            "offer_id,process,week,capacity,unit_price\nO1,FT,1,-5,10\n",
            "offers.csv:2: column capacity: expected a number >= 0, got -5",
        ),
        (
            "offers",
            "offer_id,process,week,capacity,unit_price\nO1,FT,1,5,10\n\nO1,FT,2,5,10\n",
            "offers.csv:4: column offer_id: duplicate id 'O1'; it was first used on row 2",
        ),
        (
            "offers",
            "offer_id,process,week,capacity,unit_price\nO1,FT,one,5,10\n",
            "offers.csv:2: column week: expected a whole week number, got 'one'",
        ),
        (
            "offers",
            "offer_id,process,week,capacity,unit_price,capcity\nO1,FT,1,5,10,3\n",
            "offers.csv:1: column capcity: unknown column",
        ),
        (
            "requests",
            "request_id,process,quantity\nR1,FT,lots\n",
            "requests.csv:2: column quantity: expected a number, got 'lots'",
        ),
        (
            "requests",
            "request_id,process,quantity,splittable\nR1,FT,5,maybe\n",
            "requests.csv:2: column splittable: expected true or false, got 'maybe'",
        ),
        (
            "requests",
            "request_id,process,quantity,min_split\nR1,FT,5,6\n",
            "requests.csv:2: column min_split: expected at most the quantity 5, got 6",
        ),
        (
            "requests",
            "request_id,process,quantity,earliest_week,due_week\nR1,FT,5,4,3\n",
            "requests.csv:2: column due_week: expected a week >= earliest_week 4, got 3",
        ),
        (
            "requests",
            "request_id,process,quantity,requires\nR1,FT,5,site:K1\n",
            "requests.csv:2: column requires: expected a certification or country:XX",
        ),
        (
            "requests",
            "request_id,process,quantity\nR1,FT,5,9\n",
            "requests.csv:2: the row has 4 fields but the header has 3",
        ),
        ("requests", "", "requests.csv: the file is empty"),
    ],
)
def test_bad_input_is_one_located_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], which: str, text: str, expected: str
) -> None:
    args = solve_args(tmp_path, **{which: text})
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert expected in lines[0]


@pytest.mark.parametrize(
    ("arcs", "expected"),
    [
        (
            "request_id,offer_id\nR1,O9\n",
            "arcs.csv:2: column offer_id: unknown offer_id 'O9': not in the offers file",
        ),
        (
            "request_id,offer_id\nR7,O1\n",
            "arcs.csv:2: column request_id: unknown request_id 'R7'",
        ),
        (
            "request_id,offer_id\nR1,O1\nR1,O1\n",
            "arcs.csv:3: column offer_id: duplicate arc R1 -> O1; first on row 2",
        ),
        (
            "request_id,offer_id,capacity_per_unit\nR1,O1,0\n",
            "arcs.csv:2: column capacity_per_unit: expected a number > 0, got 0",
        ),
        ("offer_id\nO1\n", "arcs.csv:1: column request_id: required column is missing"),
    ],
)
def test_bad_arcs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arcs: str, expected: str
) -> None:
    args = [*solve_args(tmp_path), "--arcs", write(tmp_path, "arcs.csv", arcs)]
    code, _, err = run(args, capsys)
    assert code == 2
    assert expected in err.strip()


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--gap", "1.5", "--gap: expected a relative gap in [0, 1), got 1.5"),
        ("--time-limit", "0", "--time-limit: expected seconds > 0"),
        ("--pricing", "vickrey", "--pricing: expected one of pay-as-offered, uniform"),
        ("--fairness", "2", "--fairness: expected a share between 0 and 1"),
        ("--cost-per-km", "-1", "--cost-per-km: expected a cost >= 0"),
        ("--lateness-penalty", "-1", "--lateness-penalty: expected >= 0"),
        ("--max-lateness", "-1", "--max-lateness: expected weeks >= 0"),
    ],
)
def test_bad_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, expected: str
) -> None:
    code, _, err = run([*solve_args(tmp_path), option, value], capsys)
    assert code == 2
    assert expected in err


def test_missing_file_and_unwritable_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = solve_args(tmp_path)
    args[3] = str(tmp_path / "nope.csv")
    code, _, err = run(args, capsys)
    assert code == 2
    assert "nope.csv: cannot read the file" in err
    args = solve_args(tmp_path)
    args[-1] = str(tmp_path / "no-such-dir" / "matches.csv")
    code, _, err = run(args, capsys)
    assert code == 2
    assert "cannot write the matches" in err
