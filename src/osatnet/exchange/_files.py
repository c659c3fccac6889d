"""The CSV file interface: offers.csv, requests.csv, arcs.csv in; matches.csv out.

Every problem is reported as one :class:`~osatnet.errors.InputError` naming the file, the row
(the header is row 1, as a spreadsheet shows it) and the column, saying what was expected and
what was found. Unknown columns are refused rather than ignored, so that a misspelt optional
column (``unserved_penalty`` as ``unserved_penalti``) cannot silently change the clearing.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from ..errors import InputError
from ._types import Arc, ClearingResult, Offer, Request

__all__ = [
    "ARC_COLUMNS",
    "MATCH_COLUMNS",
    "OFFER_COLUMNS",
    "REQUEST_COLUMNS",
    "read_arcs",
    "read_offers",
    "read_requests",
    "write_matches",
]

T = TypeVar("T")

# (required, optional) columns, in the documented order.
OFFER_COLUMNS = (
    ("offer_id", "process", "week", "capacity", "unit_price"),
    ("site_id", "country", "region", "certifications", "latitude", "longitude"),
)
REQUEST_COLUMNS = (
    ("request_id", "process", "quantity"),
    (
        "member_id",
        "earliest_week",
        "due_week",
        "max_price",
        "splittable",
        "min_split",
        "unserved_penalty",
        "requires",
        "site_id",
        "latitude",
        "longitude",
    ),
)
ARC_COLUMNS = (("request_id", "offer_id"), ("unit_cost", "capacity_per_unit"))
MATCH_COLUMNS = ("request_id", "offer_id", "quantity", "unit_cost", "price")

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


class _Row:
    """One data row: typed getters that raise located errors."""

    def __init__(self, file: str, row: int, cells: dict[str, str]) -> None:
        self.file, self.row, self.cells = file, row, cells

    def error(self, column: str, reason: str) -> InputError:
        return InputError(reason, file=self.file, row=self.row, column=column)

    def text(self, column: str) -> str | None:
        value = self.cells.get(column, "").strip()
        return value or None

    def required(self, column: str) -> str:
        value = self.text(column)
        if value is None:
            raise self.error(column, "expected a value, got an empty cell")
        return value

    def _parse(self, column: str, convert: Callable[[str], T], expected: str) -> T | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            return convert(value)
        except ValueError:
            raise self.error(column, f"expected {expected}, got {value!r}") from None

    def number(
        self, column: str, *, minimum: float | None = None, positive: bool = False
    ) -> float | None:
        value = self._parse(column, float, "a number")
        if value is None:
            return None
        if not math.isfinite(value):
            raise self.error(column, f"expected a finite number, got {self.text(column)!r}")
        if positive and value <= 0:
            raise self.error(column, f"expected a number > 0, got {value:g}")
        if minimum is not None and value < minimum:
            raise self.error(column, f"expected a number >= {minimum:g}, got {value:g}")
        return value

    def required_number(
        self, column: str, *, minimum: float | None = None, positive: bool = False
    ) -> float:
        self.required(column)
        value = self.number(column, minimum=minimum, positive=positive)
        assert value is not None
        return value

    def whole(self, column: str) -> int | None:
        return self._parse(column, int, "a whole week number")

    def flag(self, column: str, default: bool) -> bool:
        value = self.text(column)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise self.error(column, f"expected true or false, got {value!r}")

    def tokens(self, column: str, *, locations: bool) -> frozenset[str]:
        """``;``-separated tokens; certifications upper-cased, ``country:``/``region:`` kept."""
        value = self.text(column)
        if value is None:
            return frozenset()
        out = set()
        for raw in value.split(";"):
            token = raw.strip()
            if not token:
                continue
            if ":" in token:
                kind, _, name = token.partition(":")
                kind = kind.strip().lower()
                if not locations or kind not in ("country", "region") or not name.strip():
                    allowed = (
                        "a certification or country:XX / region:YY"
                        if locations
                        else ("a certification name")
                    )
                    raise self.error(column, f"expected {allowed}, got {token!r}")
                out.add(f"{kind}:{name.strip().upper()}")
            else:
                out.add(token.upper())
        return frozenset(out)

    def coordinate(self, column: str, limit: float) -> float | None:
        value = self.number(column)
        if value is not None and abs(value) > limit:
            raise self.error(
                column, f"expected a value between -{limit:g} and {limit:g}, got {value:g}"
            )
        return value


def _rows(path: Path | str, columns: tuple[tuple[str, ...], tuple[str, ...]]) -> Iterator[_Row]:
    """Rows of a CSV file after checking its header against the expected columns."""
    file = str(path)
    required, optional = columns
    try:
        handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=file) from None
    with handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise InputError(
                f"the file is empty; expected a header with {', '.join(required)}", file=file
            ) from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(_unreadable(exc), file=file, row=1) from None
        known = set(required) | set(optional)
        for i, name in enumerate(header):
            if name in header[:i]:
                raise InputError(
                    "the column appears twice in the header", file=file, row=1, column=name
                )
            if name not in known:
                raise InputError(
                    f"unknown column; expected {', '.join(required)} "
                    f"(optional: {', '.join(optional)})",
                    file=file,
                    row=1,
                    column=name or f"#{i + 1}",
                )
        for name in required:
            if name not in header:
                raise InputError(
                    f"required column is missing from the header (got: {', '.join(header)})",
                    file=file,
                    row=1,
                    column=name,
                )
        row_number = 1
        try:
            for cells in reader:
                row_number += 1
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) > len(header):
                    raise InputError(
                        f"the row has {len(cells)} fields but the header has {len(header)}",
                        file=file,
                        row=row_number,
                    )
                yield _Row(file, row_number, dict(zip(header, cells, strict=False)))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(_unreadable(exc), file=file, row=row_number + 1) from None


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"expected UTF-8 text, got byte 0x{exc.object[exc.start]:02x} ({exc.reason})"
    return f"malformed CSV: {exc}"


def _check_unique(row: _Row, column: str, key: str, seen: dict[str, int]) -> None:
    if key in seen:
        raise row.error(column, f"duplicate id {key!r}; it was first used on row {seen[key]}")
    seen[key] = row.row


def read_offers(path: Path | str) -> list[Offer]:
    """Offers from ``offers.csv`` (columns: see ``OFFER_COLUMNS`` and ``docs/exchange.md``)."""
    offers: list[Offer] = []
    seen: dict[str, int] = {}
    for row in _rows(path, OFFER_COLUMNS):
        offer_id = row.required("offer_id")
        _check_unique(row, "offer_id", offer_id, seen)
        week = row.whole("week")
        if week is None:
            raise row.error("week", "expected a value, got an empty cell")
        country = row.text("country")
        region = row.text("region")
        offers.append(
            Offer(
                offer_id=offer_id,
                process=row.required("process"),
                week=week,
                capacity=row.required_number("capacity", minimum=0),
                unit_price=row.required_number("unit_price", minimum=0),
                site_id=row.text("site_id"),
                country=country.upper() if country else None,
                region=region.upper() if region else None,
                certifications=row.tokens("certifications", locations=False),
                latitude=row.coordinate("latitude", 90),
                longitude=row.coordinate("longitude", 180),
            )
        )
    return offers


def read_requests(path: Path | str) -> list[Request]:
    """Requests from ``requests.csv`` (columns: see ``REQUEST_COLUMNS``)."""
    requests: list[Request] = []
    seen: dict[str, int] = {}
    for row in _rows(path, REQUEST_COLUMNS):
        request_id = row.required("request_id")
        _check_unique(row, "request_id", request_id, seen)
        quantity = row.required_number("quantity", positive=True)
        earliest, due = row.whole("earliest_week"), row.whole("due_week")
        if earliest is not None and due is not None and due < earliest:
            raise row.error("due_week", f"expected a week >= earliest_week {earliest}, got {due}")
        min_split = row.number("min_split", minimum=0) or 0.0
        if min_split > quantity:
            raise row.error(
                "min_split", f"expected at most the quantity {quantity:g}, got {min_split:g}"
            )
        requests.append(
            Request(
                request_id=request_id,
                process=row.required("process"),
                quantity=quantity,
                member_id=row.text("member_id"),
                earliest_week=earliest,
                due_week=due,
                max_price=row.number("max_price", minimum=0),
                splittable=row.flag("splittable", True),
                min_split=min_split,
                unserved_penalty=row.number("unserved_penalty", minimum=0),
                requires=row.tokens("requires", locations=True),
                site_id=row.text("site_id"),
                latitude=row.coordinate("latitude", 90),
                longitude=row.coordinate("longitude", 180),
            )
        )
    return requests


def read_arcs(path: Path | str, offers: Sequence[Offer], requests: Sequence[Request]) -> list[Arc]:
    """Arcs from ``arcs.csv``; ids must name rows of the offers and requests files."""
    offer_ids = {o.offer_id for o in offers}
    request_ids = {r.request_id for r in requests}
    arcs: list[Arc] = []
    seen: dict[tuple[str, str], int] = {}
    for row in _rows(path, ARC_COLUMNS):
        request_id = row.required("request_id")
        if request_id not in request_ids:
            raise row.error(
                "request_id", f"unknown request_id {request_id!r}: not in the requests file"
            )
        offer_id = row.required("offer_id")
        if offer_id not in offer_ids:
            raise row.error("offer_id", f"unknown offer_id {offer_id!r}: not in the offers file")
        key = (request_id, offer_id)
        if key in seen:
            raise row.error(
                "offer_id", f"duplicate arc {request_id} -> {offer_id}; first on row {seen[key]}"
            )
        seen[key] = row.row
        cpu = row.number("capacity_per_unit", positive=True)
        arcs.append(
            Arc(
                request_id=request_id,
                offer_id=offer_id,
                unit_cost=row.number("unit_cost", minimum=0),
                capacity_per_unit=1.0 if cpu is None else cpu,
            )
        )
    return arcs


def _fmt(value: float) -> str:
    """Whole numbers without a decimal point; others with up to 6 decimals."""
    if abs(value - round(value)) < 1e-9:
        return str(round(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def write_matches(path: Path | str, result: ClearingResult) -> None:
    """Write ``matches.csv``: one row per (request, offer) with a positive quantity."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(MATCH_COLUMNS)
        for m in result.matches():
            writer.writerow(
                [m.request_id, m.offer_id, _fmt(m.quantity), _fmt(m.unit_cost), _fmt(m.price)]
            )
