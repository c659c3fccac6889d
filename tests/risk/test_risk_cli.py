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
