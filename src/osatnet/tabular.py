"""Reading and writing tables (CSV files, .xlsx sheets) with row numbers kept for errors.

Row numbers are those a spreadsheet shows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InputError

__all__ = ["Table", "read_csv", "read_xlsx", "validate_rows", "write_csv", "write_xlsx"]

M = TypeVar("M", bound=BaseModel)
MAX_ERRORS = 50


@dataclass
class Table:
    label: str  # how errors name the source: "sites.csv" or "registry.xlsx[sites]"
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def read_csv(path: Path, label: str | None = None) -> Table:
    label = label or path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=str(path)) from exc
    try:
        text = raw.decode("utf-8-sig")  # Excel writes a BOM
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start}); save the CSV as UTF-8", file=label
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the file is empty; expected a header row", file=label) from None
    columns = [h.strip() for h in header]
    table = Table(label, columns)
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue  # blank lines are not rows
        if len(values) > len(columns):
            raise InputError(
                f"{len(values)} values but the header has {len(columns)} columns",
                file=label,
                row=number,
            )
        values = values + [""] * (len(columns) - len(values))
        table.rows.append((number, dict(zip(columns, values, strict=True))))
    return table


def read_xlsx(path: Path) -> dict[str, Table]:
    """Every sheet of a workbook as a table, keyed by sheet name."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(f"cannot read workbook: {exc}", file=path.name) from exc
    tables: dict[str, Table] = {}
    try:
        for sheet in book.worksheets:
            label = f"{path.name}[{sheet.title}]"
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            columns = [_cell(h).strip() for h in header]
            while columns and not columns[-1]:
                columns.pop()
            table = Table(label, columns)
            for number, values in enumerate(rows, start=2):
                cells = [_cell(v) for v in values[: len(columns)]]
                if not any(c.strip() for c in cells):
                    continue
                cells += [""] * (len(columns) - len(cells))
                table.rows.append((number, dict(zip(columns, cells, strict=True))))
            tables[sheet.title] = table
    finally:
        book.close()
    return tables


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return str(int(value))
    return str(value)


def check_columns(table: Table, required: Sequence[str], optional: Sequence[str]) -> None:
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise InputError(
            f"missing required column(s) {', '.join(missing)}; "
            f"the header must contain {','.join(required)}",
            file=table.label,
            row=1,
        )
    known = set(required) | set(optional)
    unknown = [c for c in table.columns if c not in known]
    if unknown:
        raise InputError(
            f"unknown column {unknown[0]!r}; expected columns "
            f"{','.join(required)} (optional: {','.join(optional) or 'none'})",
            file=table.label,
            row=1,
            column=unknown[0],
        )
    dupes = sorted({c for c in table.columns if table.columns.count(c) > 1})
    if dupes:
        raise InputError(f"column {dupes[0]!r} appears twice", file=table.label, row=1)


def validate_rows(
    table: Table,
    model: type[M],
    required: Sequence[str],
    optional: Sequence[str] = (),
    rename: Mapping[str, str] | None = None,
) -> list[tuple[int, M]]:
    """Validate every row with ``model``; raise one :class:`InputError` carrying all bad rows."""
    check_columns(table, required, optional)
    rename = rename or {}
    good: list[tuple[int, M]] = []
    errors: list[InputError] = []
    for number, raw in table.rows:
        data = {rename.get(k, k): v for k, v in raw.items() if v.strip() != "" or k in required}
        try:
            good.append((number, model.model_validate(data)))
        except ValidationError as exc:
            errors.extend(_row_errors(exc, table.label, number, rename))
            if len(errors) >= MAX_ERRORS:
                break
    if errors:
        raise InputError.many(errors)
    return good


def _row_errors(
    exc: ValidationError, label: str, number: int, rename: Mapping[str, str]
) -> list[InputError]:
    back = {v: k for k, v in rename.items()}
    found = []
    for err in exc.errors():
        column = str(err["loc"][0]) if err["loc"] else None
        column = back.get(column, column) if column else None
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] != "value_error" and "input" in err and not isinstance(err["input"], dict):
            message += f", got {err['input']!r}"
        found.append(InputError(message, file=label, row=number, column=column))
    return found


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])


def write_xlsx(
    path: Path, sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]
) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, (columns, rows) in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(list(columns))
        for row in rows:
            sheet.append(["" if v is None else v for v in row])
    book.save(path)
