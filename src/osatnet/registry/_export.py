"""Writing the registry in the layout :mod:`._files` reads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..tabular import write_csv, write_xlsx
from ._files import COLUMNS
from .schemas import CapabilityRow, MemberRow, SiteRow

__all__ = ["export_registry"]


def _format(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, tuple):
        return ";".join(str(v) for v in value)
    return value.value if hasattr(value, "value") else value


def _rows(items: Sequence[Any], columns: Sequence[str]) -> list[list[Any]]:
    return [[_format(getattr(item, c)) for c in columns] for item in items]


def export_registry(
    out: Path,
    members: Sequence[MemberRow],
    sites: Sequence[SiteRow],
    capabilities: Sequence[CapabilityRow],
) -> list[Path]:
    data = {"members": members, "sites": sites, "capabilities": capabilities}
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {}
    for name, items in data.items():
        columns = [*COLUMNS[name][0], *COLUMNS[name][1]]
        tables[name] = (columns, _rows(items, columns))
    if out.suffix.lower() == ".xlsx":
        out.parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(out, tables)
        return [out]
    if out.exists() and not out.is_dir():
        raise InputError("expected a folder (or a path ending in .xlsx)", file=str(out))
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (columns, rows) in tables.items():
        path = out / f"{name}.csv"
        write_csv(path, columns, rows)
        paths.append(path)
    return paths
