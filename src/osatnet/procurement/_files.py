"""The CSV interface of joint procurement: demand and quotes in, award and allocation out.

Every problem is reported as an :class:`~osatnet.errors.InputError` with the file, the row (the
header is row 1) and the column, saying what was expected and what was found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..tabular import Table, check_columns, read_csv, write_csv
from ._allocate import Allocation
from ._results import Award, InfeasibleDemand
from ._types import Demand, Discount, PriceBreak, Quote, check_breaks

__all__ = [
    "ALLOCATION_COLUMNS",
    "AWARD_COLUMNS",
    "DEMAND_COLUMNS",
    "QUOTE_COLUMNS",
    "RoundFiles",
    "read_demand",
    "read_quotes",
    "read_round",
    "write_allocation",
    "write_award",
]

# (required, optional) columns.
DEMAND_COLUMNS = (("member_id", "category", "quantity"), ("current_unit_price",))
QUOTE_COLUMNS = (
    ("supplier_id", "category", "min_qty", "unit_price"),
    ("discount", "capacity", "country", "lead_time_weeks"),
)
AWARD_COLUMNS = ("supplier_id", "category", "quantity", "unit_price", "cost")
ALLOCATION_COLUMNS = ("member_id", "cost", "solo_cost", "savings", "savings_pct")


class _Rows:
    """Typed access to the cells of one table, raising located errors."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def error(self, row: int, column: str | None, reason: str) -> InputError:
        return InputError(reason, file=self.table.label, row=row, column=column)

    def text(self, row: int, raw: dict[str, str], column: str) -> str:
        value = raw.get(column, "").strip()
        if not value:
            raise self.error(row, column, "expected a value, got an empty cell")
        return value

    def number(
        self, row: int, raw: dict[str, str], column: str, *, positive: bool = False
    ) -> float | None:
        """The cell as a number (``None`` when empty), finite and >= 0 (> 0 if positive)."""
        text = raw.get(column, "").strip()
        if not text:
            return None
        bound = "> 0" if positive else ">= 0"
        try:
            value = float(text)
        except ValueError:
            raise self.error(row, column, f"expected a number {bound}, got {text!r}") from None
        if not math.isfinite(value) or value < 0 or (positive and value == 0):
            raise self.error(row, column, f"expected a number {bound}, got {text!r}")
        return value

    def required_number(self, row: int, raw: dict[str, str], column: str) -> float:
        value = self.number(row, raw, column)
        if value is None:
            raise self.error(row, column, "expected a number >= 0, got an empty cell")
        return value


def read_demand(path: Path) -> list[Demand]:
    """The demand lines of ``path`` (one per member and category)."""
    return _read_demand(path)[0]


def _read_demand(path: Path) -> tuple[list[Demand], dict[str, int], str]:
    """Demand lines, the first row of each category (for later errors) and the file label."""
    table = read_csv(path)
    check_columns(table, *DEMAND_COLUMNS)
    cells = _Rows(table)
    out: list[Demand] = []
    seen: dict[tuple[str, str], int] = {}
    first_row: dict[str, int] = {}
    for row, raw in table.rows:
        member = cells.text(row, raw, "member_id")
        category = cells.text(row, raw, "category")
        qty = cells.required_number(row, raw, "quantity")
        price = cells.number(row, raw, "current_unit_price")
        if (member, category) in seen:
            raise cells.error(
                row,
                "category",
                f"member {member} already has a demand for {category} at row "
                f"{seen[member, category]}; expected one row per member and category",
            )
        seen[member, category] = row
        first_row.setdefault(category, row)
        out.append(Demand(member, category, qty, price))
    if not out:
        raise InputError(
            "no demand rows; expected at least one row after the header", file=table.label, row=2
        )
    return out, first_row, table.label


@dataclass
class _Group:
    row: int
    breaks: list[tuple[int, PriceBreak]] = field(default_factory=list)
    # attribute -> (value, row it was given at)
    attrs: dict[str, tuple[object, int]] = field(default_factory=dict)


def read_quotes(path: Path) -> list[Quote]:
    """One :class:`Quote` per supplier and category, from one row per price break.

    ``discount``, ``capacity``, ``country`` and ``lead_time_weeks`` belong to the supplier's
    schedule for the category: they may be given on any of its rows, but must not disagree.
    """
    table = read_csv(path)
    check_columns(table, *QUOTE_COLUMNS)
    cells = _Rows(table)
    groups: dict[tuple[str, str], _Group] = {}
    for row, raw in table.rows:
        supplier = cells.text(row, raw, "supplier_id")
        category = cells.text(row, raw, "category")
        brk = PriceBreak(
            cells.required_number(row, raw, "min_qty"),
            cells.required_number(row, raw, "unit_price"),
        )
        group = groups.setdefault((supplier, category), _Group(row))
        group.breaks.append((row, brk))
        values: dict[str, object] = {
            "capacity": cells.number(row, raw, "capacity", positive=True),
            "lead_time_weeks": cells.number(row, raw, "lead_time_weeks"),
            "country": raw.get("country", "").strip() or None,
        }
        text = raw.get("discount", "").strip().lower()
        if text:
            try:
                values["discount"] = Discount(text)
            except ValueError:
                raise cells.error(
                    row, "discount", f"expected all_units or incremental, got {text!r}"
                ) from None
        for column, value in values.items():
            if value is None:
                continue
            if column in group.attrs and group.attrs[column][0] != value:
                before, at = group.attrs[column]
                shown = before.value if isinstance(before, Discount) else before
                raise cells.error(
                    row,
                    column,
                    f"{column} {raw.get(column, '').strip()!r} disagrees with {shown!r} at row "
                    f"{at} for supplier {supplier}, category {category}; expected one value",
                )
            group.attrs[column] = (value, row)
    if not groups:
        raise InputError(
            "no quote rows; expected at least one price break after the header",
            file=table.label,
            row=2,
        )
    quotes: list[Quote] = []
    for (supplier, category), group in groups.items():
        attr = {k: v for k, (v, _) in group.attrs.items()}
        discount = attr.get("discount", Discount.ALL_UNITS)
        assert isinstance(discount, Discount)
        ordered = sorted(group.breaks, key=lambda rb: rb[1].min_qty)
        problem = check_breaks(tuple(b for _, b in ordered), discount)
        if problem is not None:
            index, column, reason = problem
            raise cells.error(ordered[index][0], column, f"supplier {supplier}: {reason}")
        cap, country, lead = attr.get("capacity"), attr.get("country"), attr.get("lead_time_weeks")
        quotes.append(
            Quote(
                supplier,
                category,
                tuple(b for _, b in ordered),
                discount,
                cap if isinstance(cap, float) else None,
                country if isinstance(country, str) else None,
                lead if isinstance(lead, float) else None,
            )
        )
    return quotes


@dataclass(frozen=True)
class RoundFiles:
    demands: list[Demand]
    quotes: list[Quote]
    demand_label: str
    first_row: dict[str, int]  # first demand row of each category

    def locate(self, exc: InfeasibleDemand) -> InputError:
        """``exc`` pointed at the first demand row of its category."""
        return InputError(
            exc.reason,
            file=self.demand_label,
            row=self.first_row.get(exc.category),
            column="quantity",
        )


def read_round(demand_path: Path, quotes_path: Path) -> RoundFiles:
    """Both files, checked against each other: every demanded category must be quoted."""
    demands, first_row, label = _read_demand(demand_path)
    quotes = read_quotes(quotes_path)
    quoted = {q.category for q in quotes}
    for d in demands:
        if d.category not in quoted and d.quantity > 0:
            raise InputError(
                f"no supplier in {quotes_path.name} quotes category {d.category!r}; "
                f"quoted categories are {', '.join(sorted(quoted))}",
                file=label,
                row=first_row[d.category],
                column="category",
            )
    return RoundFiles(demands, quotes, label, first_row)


def write_award(path: Path, result: Award) -> None:
    write_csv(
        path,
        AWARD_COLUMNS,
        (
            (
                line.supplier_id,
                line.category,
                f"{line.quantity:.6g}",
                f"{line.unit_price:.6g}",
                f"{line.cost:.2f}",
            )
            for line in result.lines
        ),
    )


def write_allocation(path: Path, allocation: Allocation) -> None:
    sampled = not allocation.exact
    columns = (*ALLOCATION_COLUMNS, "std_error") if sampled else ALLOCATION_COLUMNS
    rows = []
    for s in allocation.shares:
        row = [
            s.member_id,
            f"{s.cost:.2f}",
            f"{s.solo_cost:.2f}",
            f"{s.savings:.2f}",
            f"{s.savings_pct:.2f}",
        ]
        if sampled:
            row.append(f"{s.std_error:.4f}" if s.std_error is not None else "")
        rows.append(row)
    write_csv(path, columns, rows)
