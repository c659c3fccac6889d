"""Reading and writing a network: a folder of four CSVs or one workbook with four sheets.

All or nothing: every bad cell of every file is reported (``FILE:ROW: column COLUMN: reason``)
before anything is returned. The columns are documented in ``docs/risk.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import InputError
from ..tabular import Table, read_csv, read_xlsx, validate_rows, write_csv, write_xlsx
from ._network import BomLine, Link, Need, Network, Node, NodeKind

__all__ = ["COLUMNS", "read_network", "read_network_files", "write_network"]

TABLES = ("nodes", "links", "needs", "bom")
# (required, optional) columns per table; bom.csv itself is optional.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "nodes": (
        ("node_id", "name", "kind", "country", "region", "lat", "lon"),
        ("member_id", "ttr_weeks"),
    ),
    "links": (("supplier_id", "customer_id", "item", "weekly_volume"), ("max_weekly_volume",)),
    "needs": (("node_id", "item", "weekly_need"), ("inventory", "value_per_unit")),
    "bom": (("node_id", "output_item", "input_item", "quantity"), ()),
}
# Shorter kind names are accepted on import; "supplier" gets its tier from the links.
_KIND_ALIASES = {"logistics": "logistics_hub", "hub": "logistics_hub", "tier2": "tier2+"}


class _Row(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class _NodeRow(_Row):
    node_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: NodeKind | Literal["supplier"]
    country: str = Field(min_length=2, max_length=2, pattern="^[A-Za-z]{2}$")
    region: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    member_id: str | None = None
    ttr_weeks: int | None = Field(default=None, ge=0)

    @field_validator("kind", mode="before")
    @classmethod
    def _alias(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower()
            return _KIND_ALIASES.get(value, value)
        return value

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class _LinkRow(_Row):
    supplier_id: str = Field(min_length=1)
    customer_id: str = Field(min_length=1)
    item: str = Field(min_length=1)
    weekly_volume: float = Field(ge=0, allow_inf_nan=False)
    max_weekly_volume: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class _NeedRow(_Row):
    node_id: str = Field(min_length=1)
    item: str = Field(min_length=1)
    weekly_need: float = Field(ge=0, allow_inf_nan=False)
    inventory: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    value_per_unit: float = Field(default=0.0, ge=0, allow_inf_nan=False)


class _BomRow(_Row):
    node_id: str = Field(min_length=1)
    output_item: str = Field(min_length=1)
    input_item: str = Field(min_length=1)
    quantity: float = Field(gt=0, allow_inf_nan=False)


def read_network(path: Path) -> Network:
    """Read a folder (``nodes.csv``, ``links.csv``, ``needs.csv``, optional ``bom.csv``) or
    an ``.xlsx`` workbook with sheets of those names; validate it whole."""
    return _parse(_tables(path))


def read_network_files(nodes: Path, links: Path, needs: Path, bom: Path | None = None) -> Network:
    """Read the tables from CSV files named one by one (any file names)."""
    paths = {"nodes": nodes, "links": links, "needs": needs, "bom": bom}
    tables = {}
    for name, path in paths.items():
        if path is None:
            continue
        if not path.is_file():
            raise InputError(f"no such {name} file", file=str(path))
        tables[name] = read_csv(path)
    return _parse(tables)


def _parse(tables: dict[str, Table]) -> Network:
    errors: list[InputError] = []
    parsed: dict[str, list[tuple[int, Any]]] = {}
    models: dict[str, type[_Row]] = {
        "nodes": _NodeRow, "links": _LinkRow, "needs": _NeedRow, "bom": _BomRow,
    }  # fmt: skip
    for name in TABLES:
        table = tables.get(name)
        if table is None:
            parsed[name] = []
            continue
        required, optional = COLUMNS[name]
        try:
            parsed[name] = list(validate_rows(table, models[name], required, optional))
        except InputError as exc:
            errors.extend(exc.all_errors)
    if errors:
        raise InputError.many(errors)
    network = Network(
        nodes=_with_tiers(parsed["nodes"], parsed["links"]),
        links=[
            Link(
                r.supplier_id, r.customer_id, r.item, r.weekly_volume,
                r.weekly_volume if r.max_weekly_volume is None else r.max_weekly_volume, row=n,
            )
            for n, r in parsed["links"]
        ],
        needs=[Need(**r.model_dump(), row=n) for n, r in parsed["needs"]],
        bom=[BomLine(**r.model_dump(), row=n) for n, r in parsed["bom"]],
        labels={name: t.label for name, t in tables.items()},
    )  # fmt: skip
    return network.validate()


def _with_tiers(nodes: list[tuple[int, Any]], links: list[tuple[int, Any]]) -> list[Node]:
    """Nodes of kind ``supplier`` become tier1 when they ship to a member site, else tier2+."""
    members = {r.node_id for _, r in nodes if r.kind == NodeKind.MEMBER_SITE}
    tier1 = {r.supplier_id for _, r in links if r.customer_id in members}
    out = []
    for number, row in nodes:
        data = row.model_dump()
        if data["kind"] == "supplier":
            data["kind"] = NodeKind.TIER1 if row.node_id in tier1 else NodeKind.TIER2_PLUS
        out.append(Node(**data, row=number))
    return out


def _tables(path: Path) -> dict[str, Table]:
    if not path.exists():
        raise InputError("no such folder or workbook", file=str(path))
    if path.is_dir():
        tables = {}
        for name in TABLES:
            file = path / f"{name}.csv"
            if file.exists():
                tables[name] = read_csv(file)
            elif name != "bom":
                raise InputError(f"missing {name}.csv in the network folder", file=str(path))
        return tables
    if path.suffix.lower() == ".xlsx":
        sheets = read_xlsx(path)
        missing = [n for n in TABLES[:3] if n not in sheets]
        if missing:
            raise InputError(
                f"missing sheet(s) {', '.join(missing)}; expected sheets {', '.join(TABLES)}",
                file=path.name,
            )
        return {n: sheets[n] for n in TABLES if n in sheets}
    raise InputError("expected a folder of CSV files or an .xlsx workbook", file=str(path))


def _rows(network: Network) -> dict[str, tuple[list[str], list[list[Any]]]]:
    def cols(name: str) -> list[str]:
        required, optional = COLUMNS[name]
        return [*required, *optional]

    return {
        "nodes": (
            cols("nodes"),
            [
                [n.node_id, n.name, n.kind.value, n.country, n.region, n.lat, n.lon,
                 n.member_id, n.ttr_weeks]
                for n in network.nodes
            ],
        ),
        "links": (
            cols("links"),
            [[k.supplier_id, k.customer_id, k.item, k.weekly_volume, k.max_weekly_volume]
             for k in network.links],
        ),
        "needs": (
            cols("needs"),
            [[d.node_id, d.item, d.weekly_need, d.inventory, d.value_per_unit]
             for d in network.needs],
        ),
        "bom": (
            cols("bom"),
            [[b.node_id, b.output_item, b.input_item, b.quantity] for b in network.bom],
        ),
    }  # fmt: skip


def write_network(network: Network, path: Path) -> Path:
    """Write ``network`` as a folder of CSVs, or as a workbook when ``path`` ends in .xlsx."""
    tables = _rows(network)
    if path.suffix.lower() == ".xlsx":
        path.parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(path, {name: (c, r) for name, (c, r) in tables.items()})
        return path
    path.mkdir(parents=True, exist_ok=True)
    for name, (columns, rows) in tables.items():
        write_csv(path / f"{name}.csv", columns, rows)
    return path
