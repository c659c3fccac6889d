"""``osatnet risk``: demo network, concentration, stress, scenarios; exit 2 on bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from osatnet.cli import main
from osatnet.risk import read_network, write_network


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("risk") / "net"
    with pytest.raises(SystemExit) as exc:
        main(["risk", "demo-network", "--out", str(path), "--seed", "7"])
    assert exc.value.code in (0, None)
    return path


def test_demo_network_and_concentration(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert {p.name for p in demo.iterdir()} == {"nodes.csv", "links.csv", "needs.csv", "bom.csv"}
    code, out, _ = run(["risk", "concentration", "--network", str(demo), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    abf = next(i for i in data["items"] if i["item"] == "abf_film")
    assert abf["top_country"] == "JP" and abf["level_supplier"] == "high"
    code, out, _ = run(["risk", "concentration", "--network", str(demo)], capsys)
    assert code == 0 and "single-source items" in out


def test_stress_scenario(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["risk", "stress", "--network", str(demo), "--scenario", "abf-film-maker-failure"]
    code, out, _ = run([*args, "--horizon", "20", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["scenario"] == "abf-film-maker-failure" and data["horizon"] == 20
    assert 0 < data["tts_weeks"] < data["ttr_weeks"] and data["lost_value"] > 0
    code, out, _ = run(args, capsys)
    assert code == 0 and "abf-film-maker-failure" in out


def test_stress_every_node_writes_tts_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from risk_testlib import two_tier

    net = write_network(two_tier(), tmp_path / "net")
    out_csv = tmp_path / "tts.csv"
    code, out, _ = run(["risk", "stress", "--network", str(net), "--out", str(out_csv)], capsys)
    assert code == 0 and "T2" in out
    rows = {r["disrupted"]: r for r in csv.DictReader(out_csv.open(encoding="utf-8"))}
    assert list(next(iter(rows.values()))) == [
        "disrupted", "tts_weeks", "ttr_weeks", "lost_units", "lost_value",
    ]  # fmt: skip
    assert float(rows["T2"]["tts_weeks"]) == pytest.approx(8.75)
    assert rows["T1b"]["tts_weeks"] == "inf"
    code, out, _ = run(["risk", "stress", "--network", str(net), "--json"], capsys)
    assert code == 0 and json.loads(out)[0]["node_id"] == "T1"  # 33 units lost
    assert read_network(net).node("T2").ttr == 12


def test_scenarios_listing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["risk", "scenarios", "--json"], capsys)
    assert code == 0
    names = [s["name"] for s in json.loads(out)]
    assert "kumamoto-earthquake" in names and "taiwan-strait" in names
    code, out, _ = run(["risk", "scenarios"], capsys)
    assert code == 0 and "malaysia-flood" in out


def test_errors_exit_2_with_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "nodes.csv").write_text(
        "node_id,name,kind,country,region,lat,lon\nA,a,tier1,JP,Oita,33,131\n", encoding="utf-8"
    )
    (tmp_path / "links.csv").write_text(
        "supplier_id,customer_id,item,weekly_volume\nA,B,X,1\n", encoding="utf-8"
    )
    (tmp_path / "needs.csv").write_text("node_id,item,weekly_need\n", encoding="utf-8")
    code, _, err = run(["risk", "concentration", "--network", str(tmp_path)], capsys)
    assert code == 2
    assert "links.csv:2: column customer_id: unknown node 'B'" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nevents:\n  - type: supplier_failure\n", encoding="utf-8")
    (tmp_path / "links.csv").write_text(
        "supplier_id,customer_id,item,weekly_volume\n", encoding="utf-8"
    )
    code, _, err = run(
        ["risk", "stress", "--network", str(tmp_path), "--scenario", str(bad)], capsys
    )
    assert code == 2 and "bad.yaml:3: column events.0.nodes: Field required" in err


def files_of(net_dir: Path) -> list[str]:
    return [
        "--nodes", str(net_dir / "nodes.csv"), "--links", str(net_dir / "links.csv"),
        "--needs", str(net_dir / "needs.csv"),
    ]  # fmt: skip


def test_tts_from_files_writes_the_issue_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from risk_testlib import two_tier

    net = write_network(two_tier(), tmp_path / "net")
    out_csv = tmp_path / "tts.csv"
    args = ["risk", "tts", *files_of(net), "--bom", str(net / "bom.csv"), "--out", str(out_csv)]
    code, out, _ = run(args, capsys)
    assert code == 0 and "wrote 4 row(s)" in out
    with out_csv.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == [
            "disrupted", "tts_weeks", "ttr_weeks", "lost_units", "lost_value",
        ]  # fmt: skip
        rows = {r["disrupted"]: r for r in reader}
    assert float(rows["T2"]["tts_weeks"]) == pytest.approx(8.75)
    assert float(rows["T2"]["lost_value"]) == pytest.approx(1300.0)
    assert rows["T1b"]["tts_weeks"] == "inf"
    code, out, _ = run([*args, "--json"], capsys)
    data = {r["disrupted"]: r for r in json.loads(out)}
    assert code == 0 and data["T1b"]["tts_weeks"] is None and data["M"]["lost_units"] == 5.0
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: t2-fails\nevents:\n  - type: supplier_failure\n    nodes: [T2]\n"
        "    duration_weeks: 12\n",
        encoding="utf-8",
    )
    code, _, _ = run(["risk", "tts", "--network", str(net), "--scenario", str(scenario),
                      "--out", str(out_csv)], capsys)  # fmt: skip
    assert code == 0
    (row,) = csv.DictReader(out_csv.open(encoding="utf-8"))
    assert row["disrupted"] == "t2-fails" and float(row["lost_value"]) == pytest.approx(1300.0)


def test_tts_accepts_the_issue_node_kinds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nodes.csv").write_text(
        "node_id,name,kind,country,region,lat,lon\n"
        "S,s,supplier,JP,Oita,33,131\nH,h,logistics,JP,Fukuoka,33.6,130.4\n"
        "M,m,member_site,JP,Kumamoto,32.8,130.7\n",
        encoding="utf-8",
    )
    (tmp_path / "links.csv").write_text(
        "supplier_id,customer_id,item,weekly_volume,max_weekly_volume\nS,M,X,4,4\nH,M,X,0,1\n",
        encoding="utf-8",
    )
    (tmp_path / "needs.csv").write_text(
        "node_id,item,weekly_need,inventory,value_per_unit\nM,X,4,9,10\n", encoding="utf-8"
    )
    out_csv = tmp_path / "tts.csv"
    code, _, err = run(["risk", "tts", *files_of(tmp_path), "--out", str(out_csv)], capsys)
    assert code == 0, err
    rows = {r["disrupted"]: r for r in csv.DictReader(out_csv.open(encoding="utf-8"))}
    assert float(rows["S"]["tts_weeks"]) == pytest.approx(9 / 3)  # I / (n - a)
    assert read_network(tmp_path).node("S").kind.value == "tier1"


def test_tts_input_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_csv = str(tmp_path / "tts.csv")
    code, _, err = run(["risk", "tts", "--nodes", "n.csv", "--out", out_csv], capsys)
    assert code == 2 and "missing --links, --needs" in err
    code, _, err = run(
        ["risk", "tts", "--network", str(tmp_path), *files_of(tmp_path), "--out", out_csv], capsys
    )
    assert code == 2 and "not both" in err
    code, _, err = run(["risk", "tts", *files_of(tmp_path / "nowhere"), "--out", out_csv], capsys)
    assert code == 2 and "no such nodes file" in err


SCENARIO = """name: t1-fails
probability: {p}
duration:
  type: triangular
  low: 2
  mode: 4
  {last}
events:
  - type: supplier_failure
    nodes: [T1]
    duration_weeks: 4
"""


def test_simulate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from risk_testlib import two_tier

    net = write_network(two_tier(), tmp_path / "net")
    good = tmp_path / "good.yaml"
    good.write_text(SCENARIO.format(p=0.3, last="high: 8"), encoding="utf-8")
    out_csv = tmp_path / "years.csv"
    args = ["risk", "simulate", "--network", str(net), "--scenarios", str(good)]
    code, out, _ = run([*args, "--samples", "5000", "--seed", "4", "--json",
                        "--out", str(out_csv)], capsys)  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["samples"] == 5000 and data["seed"] == 4
    assert data["cvar_95"] >= data["var_95"] > 0 and data["expected_loss"] > 0
    assert data["scenarios"][0]["scenario"] == "t1-fails"
    assert len(out_csv.read_text(encoding="utf-8").splitlines()) == 5001
    code, out, _ = run([*args, "--samples", "1000"], capsys)
    assert code == 0 and "VaR 95%" in out and "CVaR 95%" in out


def test_simulate_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from risk_testlib import two_tier

    net = write_network(two_tier(), tmp_path / "net")
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCENARIO.format(p=0.3, last="hihg: 8"), encoding="utf-8")
    args = ["risk", "simulate", "--network", str(net), "--scenarios"]
    code, _, err = run([*args, str(bad)], capsys)
    assert code == 2
    assert "bad.yaml:7: column duration.hihg: Extra inputs are not permitted" in err
    assert "bad.yaml:4: column duration.high: Field required" in err
    bare = tmp_path / "bare.yaml"
    bare.write_text(
        "name: bare\nevents:\n  - type: supplier_failure\n    nodes: [T1]\n    duration_weeks: 4\n",
        encoding="utf-8",
    )
    code, _, err = run([*args, str(bare)], capsys)
    assert code == 2 and "column probability" in err
    code, _, err = run([*args, "no-such-scenario"], capsys)
    assert code == 2 and "no scenario file or shipped scenario" in err
    code, _, _ = run([*args, str(bare), "--samples", "0"], capsys)
    assert code == 2  # typer's own range check


def test_report_html(demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    code, _, err = run(["risk", "report", "--network", str(demo), "--out", str(out),
                        "--scenarios", "malaysia-flood,kumamoto-earthquake",
                        "--samples", "2000"], capsys)  # fmt: skip
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "Top risks" in html and "Simulated yearly lost value" in html
    assert '<script src="http' not in html  # plotly.js is inline: the report opens offline
