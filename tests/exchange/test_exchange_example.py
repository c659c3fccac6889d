"""The worked example of docs/exchange.md: its files give the numbers the document states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from osatnet.cli import main
from osatnet.exchange import (
    ClearingOptions,
    ClearingStatus,
    Offer,
    Request,
    clear,
    read_offers,
    read_requests,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "exchange"


def _load(requests: str = "requests.csv") -> tuple[list[Offer], list[Request]]:
    return read_offers(EXAMPLE / "offers.csv"), read_requests(EXAMPLE / requests)


def test_documented_optimum() -> None:
    offers, requests = _load()
    result = clear(offers, requests)
    assert result.status is ClearingStatus.OPTIMAL
    assert result.objective == pytest.approx(138_500)
    assert result.cost == pytest.approx(88_500)
    assert result.unserved_penalty == pytest.approx(50_000)
    assert result.greedy_objective == pytest.approx(143_500)
    assert result.served_total == 1150
    assert result.unserved_total == 300
    assert {(m.request_id, m.offer_id, m.quantity) for m in result.matches()} == {
        ("R1", "K-FT-24", 250),
        ("R2", "P-FT-23", 200),
        ("R3", "P-FT-23", 300),
        ("R4", "C-WB-23", 400),
    }


def test_documented_uniform_prices() -> None:
    offers, requests = _load()
    result = clear(offers, requests, options=ClearingOptions(pricing="uniform"))
    assert {(m.process, m.week): m.price for m in result.markets} == {
        ("FT", 23): 95.0,
        ("FT", 24): 130.0,
        ("WB", 23): 45.0,
    }
    assert result.payments == pytest.approx(98_000)
    assert result.objective == pytest.approx(138_500)


def test_documented_infeasibility() -> None:
    offers, requests = _load("requests-infeasible.csv")
    result = clear(offers, requests)
    assert result.status is ClearingStatus.INFEASIBLE
    assert {i.request_id: i.reason for i in result.infeasible} == {
        "R5": "no offer of process 'FT' is in the week window week 25 to week 26",
        "R6": "every eligible offer asks more than the max price 30 (cheapest: 35)",
    }


def test_documented_command_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "matches.csv"
    args = [
        "exchange",
        "solve",
        "--offers",
        str(EXAMPLE / "offers.csv"),
        "--requests",
        str(EXAMPLE / "requests.csv"),
        "--out",
        str(out),
        "--json",
    ]
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["status"], summary["objective"], summary["served"], summary["unserved"]) == (
        "optimal",
        138500.0,
        1150.0,
        300.0,
    )
    assert out.read_text() == (EXAMPLE / "matches.csv").read_text()
