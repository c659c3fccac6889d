"""The registry's file layout: a folder of CSV files or one workbook with a sheet per table."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from ..errors import InputError
from ..tabular import Table, read_csv, read_xlsx, validate_rows
from .schemas import CapabilityRow, MemberRow, SiteRow

__all__ = ["COLUMNS", "RegistryFiles", "read_registry_files"]

# Required columns, then optional ones, per table; export writes both, in this order.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "members": (
        ("member_id", "name", "name_ja", "country", "prefecture", "employee_band", "role"),
        ("website",),
    ),
    "sites": (
        ("site_id", "member_id", "name", "country", "region", "lat", "lon", "certifications"),
        ("name_ja",),
    ),
    "capabilities": (("site_id", "process", "weekly_capacity", "automotive"), ()),
}
TABLES = tuple(COLUMNS)


@dataclass
class RegistryFiles:
    """Validated rows, each with the place it came from (for cross-reference errors)."""

    members: list[tuple[str, int, MemberRow]] = field(default_factory=list)
    sites: list[tuple[str, int, SiteRow]] = field(default_factory=list)
    capabilities: list[tuple[str, int, CapabilityRow]] = field(default_factory=list)


def _tables(path: Path) -> dict[str, Table]:
    if path.is_dir():
        found = {t: read_csv(path / f"{t}.csv") for t in TABLES if (path / f"{t}.csv").exists()}
        if not found:
            raise InputError(
                "no registry files found; expected members.csv, sites.csv and/or "
                "capabilities.csv in this folder",
                file=str(path),
            )
        return found
    if path.suffix.lower() == ".xlsx":
        sheets = read_xlsx(path)
        found = {t: sheets[t] for t in TABLES if t in sheets}
        if not found:
            raise InputError(
                f"no sheet named members, sites or capabilities (found: {', '.join(sheets)})",
                file=path.name,
            )
        return found
    if path.suffix.lower() == ".csv" and path.stem in TABLES:
        return {path.stem: read_csv(path)}
    if not path.exists():
        raise InputError("no such file or folder", file=str(path))
    raise InputError(
        "expected a folder of CSV files, an .xlsx workbook, or one of members.csv, "
        "sites.csv, capabilities.csv",
        file=str(path),
    )


def read_registry_files(path: Path) -> RegistryFiles:
    """Read and validate every table found at ``path``; all errors of all tables at once."""
    tables = _tables(path)
    out = RegistryFiles()
    errors: list[InputError] = []
    models: dict[str, type[BaseModel]] = {
        "members": MemberRow,
        "sites": SiteRow,
        "capabilities": CapabilityRow,
    }
    for name, table in tables.items():
        required, optional = COLUMNS[name]
        try:
            rows: list[tuple[int, BaseModel]] = validate_rows(
                table, models[name], required, optional
            )
        except InputError as exc:
            errors.extend(exc.all_errors)
            continue
        getattr(out, name).extend((table.label, n, r) for n, r in rows)
    if errors:
        raise InputError.many(errors)
    return out
