"""Posting from the same offers.csv / requests.csv files as ``osatnet exchange solve``.

The columns are those of the file interface. In the platform the caller's rights decide the
member, so ``member_id`` may only name the caller's own member; ``week`` (and the request
window) may be ISO weeks (``2026-W36``) or week numbers of the period's year, as ``solve``
files have them; location, certifications and coordinates come from the registry and, when a
file states them, must agree with it. ``offer_id`` / ``request_id`` are kept as the member's
own labels.
"""

from __future__ import annotations

from pathlib import Path

from ._files import OFFER_COLUMNS, REQUEST_COLUMNS, _Row, _rows
from ._platform_checks import Located
from ._platform_records import OfferDraft, RequestDraft

__all__ = ["read_offer_drafts", "read_request_drafts"]

_OFFER_CLAIMS = ("country", "region", "certifications", "latitude", "longitude")
_REQUEST_CLAIMS = ("member_id", "latitude", "longitude")


def _claims(row: _Row, columns: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out = []
    for column in columns:
        value = row.text(column)
        if value is None:
            continue
        if column in ("latitude", "longitude"):
            row.coordinate(column, 90 if column == "latitude" else 180)
        out.append((column, value))
    return tuple(out)


def _week(row: _Row, column: str) -> str | None:
    # Checked against the period later, where the period is known.
    return row.text(column)


def _seen(row: _Row, column: str, seen: dict[str, int]) -> str:
    label = row.required(column)
    if label in seen:
        raise row.error(column, f"duplicate id {label!r}; it was first used on row {seen[label]}")
    seen[label] = row.row
    return label


def read_offer_drafts(path: Path | str) -> list[Located[OfferDraft]]:
    out: list[Located[OfferDraft]] = []
    seen: dict[str, int] = {}
    for row in _rows(path, OFFER_COLUMNS):
        label = _seen(row, "offer_id", seen)
        week = _week(row, "week")
        if week is None:
            raise row.error("week", "expected a value, got an empty cell")
        draft = OfferDraft(
            process=row.required("process"),
            week=week,
            capacity=row.required_number("capacity", positive=True),
            unit_price=row.required_number("unit_price", minimum=0),
            site_id=row.text("site_id"),
            label=label,
            claims=_claims(row, _OFFER_CLAIMS),
        )
        out.append(Located(draft, row.file, row.row))
    return out


def read_request_drafts(path: Path | str) -> list[Located[RequestDraft]]:
    out: list[Located[RequestDraft]] = []
    seen: dict[str, int] = {}
    for row in _rows(path, REQUEST_COLUMNS):
        label = _seen(row, "request_id", seen)
        requires = row.text("requires")
        draft = RequestDraft(
            process=row.required("process"),
            quantity=row.required_number("quantity", positive=True),
            site_id=row.text("site_id"),
            earliest_week=_week(row, "earliest_week"),
            due_week=_week(row, "due_week"),
            max_price=row.number("max_price", minimum=0),
            splittable=row.flag("splittable", True),
            min_split=row.number("min_split", minimum=0) or 0.0,
            unserved_penalty=row.number("unserved_penalty", minimum=0),
            requires=tuple(requires.split(";")) if requires else (),
            label=label,
            claims=_claims(row, _REQUEST_CLAIMS),
        )
        out.append(Located(draft, row.file, row.row))
    return out
