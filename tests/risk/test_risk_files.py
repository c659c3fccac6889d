"""Network files: round trips, and every error located as FILE:ROW: column COLUMN."""

from __future__ import annotations

from pathlib import Path

import pytest
from risk_testlib import two_tier

from osatnet.demo.generator import generate_registry
from osatnet.errors import InputError
from osatnet.risk import NodeKind, generate_network, read_network, write_network

NODES = (
    "node_id,name,kind,country,region,lat,lon\n"
    "S,Maker,supplier,JP,Kumamoto,32.8,130.7\n"
    "D,Deep maker,supplier,TW,Taipei,25.0,121.5\n"
    "M,Site,member_site,jp,Oita,33.2,131.6\n"
)
LINKS = "supplier_id,customer_id,item,weekly_volume,max_weekly_volume\nS,M,X,5,8\nD,S,R,3,\n"
NEEDS = "node_id,item,weekly_need,inventory,value_per_unit\nM,X,5,10,100\n"


def folder(tmp_path: Path, **files: str) -> Path:
    base = {"nodes": NODES, "links": LINKS, "needs": NEEDS}
    base.update(files)
    for name, text in base.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return tmp_path


def messages(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(e) for e in exc.value.all_errors]


def test_reads_a_folder_and_derives_tiers(tmp_path: Path) -> None:
    net = read_network(folder(tmp_path))
    kinds = {n.node_id: n.kind for n in net.nodes}
    assert kinds == {"S": NodeKind.TIER1, "D": NodeKind.TIER2_PLUS, "M": NodeKind.MEMBER_SITE}
    assert net.node("M").country == "JP"
    assert net.links[1].max_weekly_volume == 3.0  # defaults to the weekly volume
    assert net.node("S").ttr == 12 and net.node("M").ttr == 8


@pytest.mark.parametrize("suffix", ["", ".xlsx"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    net = generate_network(generate_registry(3), 3)
    path = write_network(net, tmp_path / f"net{suffix}")
    again = read_network(path)
    assert again.nodes == net.nodes
    assert again.links == net.links
    assert again.needs == net.needs
    assert again.bom == net.bom


def test_cell_errors_of_all_files_at_once(tmp_path: Path) -> None:
    links = "supplier_id,customer_id,item,weekly_volume\nS,M,X,five\n"
    needs = "node_id,item,weekly_need,inventory\nM,X,-1,0\n"
    with pytest.raises(InputError) as exc:
        read_network(folder(tmp_path, links=links, needs=needs))
    found = messages(exc)
    assert any(m.startswith("links.csv:2: column weekly_volume:") for m in found)
    assert any(m.startswith("needs.csv:2: column weekly_need:") for m in found)


def test_cross_file_errors(tmp_path: Path) -> None:
    links = (
        "supplier_id,customer_id,item,weekly_volume,max_weekly_volume\n"
        "S,M,X,5,4\nQ,M,X,1,1\nM,M,Y,1,1\nS,M,X,1,1\n"
    )
    bom = "node_id,output_item,input_item,quantity\nM,P,Z,1\nS,A,B,1\nS,B,A,1\nM,Q,Q,1\n"
    needs = "node_id,item,weekly_need\nM,X,5\nN,X,1\nM,X,1\n"
    with pytest.raises(InputError) as exc:
        read_network(folder(tmp_path, links=links, bom=bom, needs=needs))
    found = "\n".join(messages(exc))
    assert "links.csv:2: column max_weekly_volume: 4 is below weekly_volume 5" in found
    assert "links.csv:3: column supplier_id: unknown node 'Q'" in found
    assert "links.csv:4: column customer_id: a node cannot supply itself" in found
    assert "links.csv:5: column item: duplicate link" in found
    assert "needs.csv:3: column node_id: unknown node 'N'" in found
    assert "needs.csv:4: column item: duplicate (node_id, item)" in found
    assert "bom.csv:2: column input_item: no link supplies 'Z' to 'M'" in found
    assert "column input_item: recipe cycle at 'S'" in found
    assert "bom.csv:5: column input_item: an item cannot be its own input" in found


def test_header_and_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nodes.csv:1: .*missing required column\(s\) lat"):
        read_network(folder(tmp_path, nodes="node_id,name,kind,country,region,lon\n"))
    (tmp_path / "links.csv").unlink()
    with pytest.raises(InputError, match=r"missing links\.csv"):
        read_network(tmp_path)
    (tmp_path / "net.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="expected a folder"):
        read_network(tmp_path / "net.txt")
    with pytest.raises(InputError, match="no such folder or workbook"):
        read_network(tmp_path / "none.xlsx")


def test_bad_kind_and_country(tmp_path: Path) -> None:
    nodes = "node_id,name,kind,country,region,lat,lon\nS,Maker,factory,JPN,Kumamoto,132,130\n"
    with pytest.raises(InputError) as exc:
        read_network(folder(tmp_path, nodes=nodes))
    found = "\n".join(messages(exc))
    assert "nodes.csv:2: column kind:" in found
    assert "nodes.csv:2: column country:" in found
    assert "nodes.csv:2: column lat:" in found


def test_workbook_needs_its_sheets(tmp_path: Path) -> None:
    path = write_network(two_tier(), tmp_path / "net.xlsx")
    from openpyxl import load_workbook

    book = load_workbook(path)
    del book["needs"]
    book.save(path)
    with pytest.raises(InputError, match="missing sheet\\(s\\) needs"):
        read_network(path)
