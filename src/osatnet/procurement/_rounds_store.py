"""Between the tables and the core's values: demand input, ciphertext binding, quote rows.

Every ciphertext is bound (AES-GCM associated data) to its round, member, row id and field, so
a value copied to another row, member, round or column fails to decrypt instead of lying.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputError
from ..tabular import read_csv
from ..vault._keys import KeyRing, decrypt_value
from ._files import _read_demand, read_quotes
from ._types import Demand, Discount, PriceBreak, Quote
from .models import ProcurementDemand, ProcurementPriceBreak, ProcurementQuote, ProcurementResult

__all__ = [
    "DemandInput",
    "demand_aad",
    "load_demands",
    "load_quotes",
    "quote_row",
    "read_demand_input",
    "read_quote_input",
    "result_aad",
]

DemandInput = Path | str | Sequence[Demand | Mapping[str, Any]]


def demand_aad(round_key: str, row: ProcurementDemand, field: str) -> str:
    return f"procurement-demand|{round_key}|{row.member_id}|{row.id}|{row.category}|{field}"


def result_aad(round_key: str, row: ProcurementResult, field: str) -> str:
    return f"procurement-result|{round_key}|{row.member_id}|{row.id}|{field}"


def _from_mapping(index: int, raw: Mapping[str, Any], member_id: str) -> Demand:
    unknown = sorted(set(raw) - {"member_id", "category", "quantity", "current_unit_price"})
    if unknown:
        raise InputError(f"unknown field {unknown[0]!r}", file="rows", row=index)
    try:
        price = raw.get("current_unit_price")
        return Demand(
            str(raw.get("member_id") or member_id),
            str(raw.get("category") or ""),
            float(raw.get("quantity", "nan")),
            None if price is None or price == "" else float(price),
        )
    except InputError as exc:
        raise InputError(exc.reason, file="rows", row=index, column=exc.column) from None
    except (TypeError, ValueError) as exc:
        raise InputError(f"expected numbers: {exc}", file="rows", row=index) from None


def read_demand_input(source: DemandInput, member_id: str) -> tuple[list[Demand], str]:
    """Demand lines of ``member_id`` from a demand.csv file or from rows, and a source label.

    A row for another member is an error at its row and column: a member submits only its
    own demand. Rows (dicts) may leave ``member_id`` out; it is the caller's member.
    """
    if isinstance(source, str | Path):
        path = Path(source)
        demands, _first, label = _read_demand(path)
        table = read_csv(path)
        located = list(zip((row for row, _ in table.rows), demands, strict=True))
    else:
        label = "rows"
        located = [
            (i, d if isinstance(d, Demand) else _from_mapping(i, d, member_id))
            for i, d in enumerate(source, start=1)
        ]
        if not located:
            raise InputError("no demand rows; expected at least one", file=label)
        seen: dict[str, int] = {}
        for row, d in located:
            if d.category in seen:
                raise InputError(
                    f"{d.category} repeats row {seen[d.category]}; expected one row per category",
                    file=label,
                    row=row,
                    column="category",
                )
            seen[d.category] = row
    for row, d in located:
        if d.member_id != member_id:
            raise InputError(
                f"you may submit demand only for member {member_id}, not {d.member_id!r}",
                file=label,
                row=row,
                column="member_id",
            )
    return [d for _, d in located], label


def read_quote_input(source: Path | str | Sequence[Quote]) -> tuple[list[Quote], str]:
    if isinstance(source, str | Path):
        path = Path(source)
        return read_quotes(path), path.name
    quotes = list(source)
    if not quotes:
        raise InputError("no quotes; expected at least one", file="quotes")
    return quotes, "quotes"


def quote_row(round_id: int, quote: Quote, entered_by: str) -> ProcurementQuote:
    row = ProcurementQuote(
        round_id=round_id,
        supplier_id=quote.supplier_id,
        category=quote.category,
        discount=quote.discount.value,
        capacity=quote.capacity,
        country=quote.country,
        lead_time_weeks=quote.lead_time_weeks,
        entered_by=entered_by,
    )
    row.breaks = [
        ProcurementPriceBreak(min_qty=b.min_qty, unit_price=b.unit_price) for b in quote.breaks
    ]
    return row


def load_quotes(session: Session, round_id: int) -> list[Quote]:
    stmt = (
        select(ProcurementQuote)
        .where(ProcurementQuote.round_id == round_id)
        .order_by(ProcurementQuote.category, ProcurementQuote.supplier_id)
    )
    return [
        Quote(
            q.supplier_id,
            q.category,
            tuple(PriceBreak(b.min_qty, b.unit_price) for b in q.breaks),
            Discount(q.discount),
            q.capacity,
            q.country,
            q.lead_time_weeks,
        )
        for q in session.scalars(stmt)
    ]


def load_demands(
    session: Session,
    round_key: str,
    round_id: int,
    keyring: KeyRing,
    member_id: str | None = None,
) -> list[Demand]:
    """Decrypt the round's demand rows (of ``member_id`` only, if given).

    The application filters by member; on PostgreSQL the session's scope filters again.
    """
    stmt = select(ProcurementDemand).where(ProcurementDemand.round_id == round_id)
    if member_id is not None:
        stmt = stmt.where(ProcurementDemand.member_id == member_id)
    out = []
    for row in session.scalars(
        stmt.order_by(ProcurementDemand.member_id, ProcurementDemand.category)
    ):
        aes = keyring.data_key(session, row.member_id)
        price = row.current_unit_price
        out.append(
            Demand(
                row.member_id,
                row.category,
                decrypt_value(aes, row.quantity, demand_aad(round_key, row, "quantity")),
                None
                if price is None
                else decrypt_value(aes, price, demand_aad(round_key, row, "current_unit_price")),
            )
        )
    return out
