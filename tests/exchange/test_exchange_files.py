"""The CSV readers and writer, directly (the CLI tests cover the command around them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from osatnet.errors import InputError
from osatnet.exchange import (
    Arc,
    ClearingOptions,
    Offer,
    Request,
    clear,
    read_arcs,
    read_offers,
    read_requests,
    write_matches,
)

OFFER_HEADER = "offer_id,process,week,capacity,unit_price"


def _file(tmp_path: Path, text: str | bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_full_rows_are_read(tmp_path: Path) -> None:
    offers = read_offers(
        _file(
            tmp_path,
            "\ufeff" + OFFER_HEADER + ",site_id,country,region,certifications,latitude,longitude\n"
            "O1, FT ,7,10.5,99,kumamoto,jp,kyushu,iatf16949; aec-q100 ;,32.8,130.7\n",
        )
    )
    assert offers == [
        Offer(
            "O1",
            "FT",
            7,
            10.5,
            99.0,
            site_id="kumamoto",
            country="JP",
            region="KYUSHU",
            certifications=frozenset({"IATF16949", "AEC-Q100"}),
            latitude=32.8,
            longitude=130.7,
        )
    ]
    requests = read_requests(
        _file(
            tmp_path,
            "request_id,process,quantity,member_id,earliest_week,due_week,max_price,splittable,"
            "min_split,unserved_penalty,requires,site_id,latitude,longitude\n"
            "R1,FT,5,m1,3,4,120,no,,15.5,IATF16949;Country:jp;region:asean,s1,10,20\n"
            "R2,FT,5,,,,,,2,,,,,\n",
        )
    )
    assert requests[0] == Request(
        "R1",
        "FT",
        5.0,
        member_id="m1",
        earliest_week=3,
        due_week=4,
        max_price=120.0,
        splittable=False,
        unserved_penalty=15.5,
        requires=frozenset({"IATF16949", "country:JP", "region:ASEAN"}),
        site_id="s1",
        latitude=10.0,
        longitude=20.0,
    )
    assert requests[1] == Request("R2", "FT", 5.0, min_split=2.0)
    arcs = read_arcs(
        _file(tmp_path, "offer_id,request_id,unit_cost\nO1,R1,3.5\nO1,R2,\n"), offers, requests
    )
    assert arcs == [Arc("R1", "O1", 3.5, 1.0), Arc("R2", "O1", None, 1.0)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            OFFER_HEADER + "\n,FT,1,5,10\n",
            "f.csv:2: column offer_id: expected a value, got an empty cell",
        ),
        (
            OFFER_HEADER + "\nO1,FT,,5,10\n",
            "f.csv:2: column week: expected a value, got an empty cell",
        ),
        (
            OFFER_HEADER + "\nO1,FT,1,inf,10\n",
            "column capacity: expected a finite number, got 'inf'",
        ),
        (OFFER_HEADER + "\nO1,FT,1,5,\n", "f.csv:2: column unit_price: expected a value"),
        (OFFER_HEADER + ",offer_id\n", "f.csv:1: column offer_id: the column appears twice"),
        (OFFER_HEADER + ",\n", "f.csv:1: column #6: unknown column"),
        (
            OFFER_HEADER + ",certifications\nO1,FT,1,5,10,country:JP\n",
            "column certifications: expected a certification name, got 'country:JP'",
        ),
        (
            OFFER_HEADER + ",latitude\nO1,FT,1,5,10,95\n",
            "f.csv:2: column latitude: expected a value between -90 and 90, got 95",
        ),
        (OFFER_HEADER + '\nO1,FT,1,5,"10\n', "f.csv:2: malformed CSV: unexpected end of data"),
    ],
)
def test_offer_errors(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(InputError) as exc:
        read_offers(_file(tmp_path, text))
    assert expected in str(exc.value)


def test_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="expected UTF-8 text, got byte 0xe9"):
        read_offers(
            _file(tmp_path, (OFFER_HEADER + "\nO1,FT,1,5,10\nO\xe9,FT,1,5,10\n").encode("latin-1"))
        )
    with pytest.raises(InputError, match=r"f\.csv:1: expected UTF-8 text, got byte 0xff"):
        read_offers(_file(tmp_path, b"offer_id\xff,process\n"))


def test_matches_are_written_with_readable_numbers(tmp_path: Path) -> None:
    offers = [Offer("O1", "FT", 1, 10, 3)]
    requests = [Request("R1", "FT", 1 / 3)]
    arcs = [Arc("R1", "O1", unit_cost=0.125)]
    result = clear(offers, requests, arcs, ClearingOptions())
    path = tmp_path / "m.csv"
    write_matches(path, result)
    assert path.read_text() == (
        "request_id,offer_id,quantity,unit_cost,price\nR1,O1,0.333333,0.125,3\n"
    )
