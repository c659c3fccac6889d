"""Reading and checking a submission file (long format) before anything is stored.

Columns: ``member_id,site_id,process,measure,value``. Every problem is reported with its file,
row and column, and nothing is stored while any remains.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputError
from ..registry.models import Member, Site, SiteCapability
from ..tabular import Table, read_csv, read_xlsx, validate_rows
from .measures import DERIVED, END_MARKETS, MEASURES, REGIONS, Level

__all__ = ["COLUMNS", "SubmissionRow", "check_rows", "read_submission_file"]

COLUMNS = ("member_id", "site_id", "process", "measure", "value")
_SHARE_TOLERANCE = 1.0  # percentage points: shares are often rounded


class SubmissionRow(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True, extra="forbid")

    member_id: str = Field(min_length=1, max_length=64)
    site_id: str | None = None
    process: str | None = None
    measure: str
    value: float = Field(allow_inf_nan=False)

    @field_validator("site_id", "process", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("measure")
    @classmethod
    def _known_measure(cls, value: str) -> str:
        if value in DERIVED:
            parts = " + ".join(DERIVED[value])
            raise ValueError(f"{value} is computed ({parts}); submit its parts instead")
        if value not in MEASURES:
            raise ValueError(
                f"unknown measure {value!r}; see `osatnet submissions measures` for the vocabulary"
            )
        return value


@dataclass(frozen=True)
class Located:
    label: str
    row: int
    data: SubmissionRow


def read_submission_file(path: Path) -> list[Located]:
    if path.suffix.lower() == ".xlsx":
        sheets = read_xlsx(path)
        if not sheets:
            raise InputError("the workbook has no sheet", file=path.name)
        table: Table = sheets.get("submissions") or next(iter(sheets.values()))
    elif path.suffix.lower() == ".csv":
        table = read_csv(path)
    elif not path.exists():
        raise InputError("no such file", file=str(path))
    else:
        raise InputError("expected a .csv or .xlsx file", file=str(path))
    rows = validate_rows(table, SubmissionRow, COLUMNS)
    if not rows:
        raise InputError("the file has no data rows", file=table.label)
    return [Located(table.label, n, r) for n, r in rows]


def _value_error(item: Located) -> str | None:
    m = MEASURES[item.data.measure]
    value = item.data.value
    if value < m.low or (m.high is not None and value > m.high):
        upper = f" and {m.high:g}" if m.high is not None else ""
        bound = f"between {m.low:g}{upper}" if m.high is not None else f">= {m.low:g}"
        return f"{m.key} must be {bound} ({m.unit}), got {value:g}"
    if m.integer and not math.isclose(value, round(value)):
        return f"{m.key} must be a whole number, got {value:g}"
    return None


def check_rows(session: Session, rows: list[Located], member_id: str) -> None:
    """Cross-check rows against the registry and each other; raise one error for all problems."""
    errors: list[InputError] = []

    def err(item: Located, column: str, reason: str) -> None:
        errors.append(InputError(reason, file=item.label, row=item.row, column=column))

    if session.get(Member, member_id) is None:
        raise InputError(f"member {member_id!r} is not registered", column="member_id")
    sites = {s.id: s.member_id for s in session.scalars(select(Site))}
    capabilities = {(c.site_id, c.process_key) for c in session.scalars(select(SiteCapability))}
    seen: dict[tuple[str | None, str | None, str], int] = {}
    for item in rows:
        r = item.data
        if r.member_id != member_id:
            err(
                item,
                "member_id",
                f"you may submit only for member {member_id}, not {r.member_id!r}",
            )
            continue
        level = MEASURES[r.measure].level
        if level is Level.SITE:
            if r.site_id is None or r.process is None:
                missing = "site_id" if r.site_id is None else "process"
                err(item, missing, f"{r.measure} is a site measure: give site_id and process")
                continue
            if sites.get(r.site_id) != member_id:
                why = "is not registered" if r.site_id not in sites else "belongs to another member"
                err(item, "site_id", f"site {r.site_id!r} {why}")
                continue
            if (r.site_id, r.process) not in capabilities:
                err(item, "process", f"site {r.site_id} has no registered capability {r.process!r}")
                continue
        elif r.site_id is not None or r.process is not None:
            column = "site_id" if r.site_id is not None else "process"
            err(item, column, f"{r.measure} is a member measure: leave site_id and process empty")
            continue
        if (problem := _value_error(item)) is not None:
            err(item, "value", problem)
        key = (r.site_id, r.process, r.measure)
        if key in seen:
            err(item, "measure", f"duplicate of row {seen[key]}")
        else:
            seen[key] = item.row
    errors += _share_errors(rows)
    if errors:
        raise InputError.many(errors)


def _share_errors(rows: list[Located]) -> list[InputError]:
    """Revenue shares, when given, must add up to 100% per breakdown."""
    groups = {
        "end market": {f"revenue_share_{m}_pct" for m in END_MARKETS},
        "customer region": {f"revenue_share_region_{r}_pct" for r in REGIONS},
    }
    found: dict[str, list[Located]] = defaultdict(list)
    for item in rows:
        for name, keys in groups.items():
            if item.data.measure in keys:
                found[name].append(item)
    errors = []
    for name, items in found.items():
        total = sum(i.data.value for i in items)
        if abs(total - 100.0) > _SHARE_TOLERANCE:
            last = items[-1]
            errors.append(
                InputError(
                    f"revenue shares by {name} add up to {total:g}%, expected 100%",
                    file=last.label,
                    row=last.row,
                    column="value",
                )
            )
    return errors
