"""What the platform's exchange takes in (drafts) and gives back (records), and how the
confidential numbers of a stored row are sealed and opened.

Every number is AES-GCM ciphertext under the owning member's data key with associated data
naming the table, member, period, row id and field, so a ciphertext moved to another row,
member or field fails to decrypt instead of lying. "Not set" (no price limit, no penalty) is
sealed as NaN, so not even its absence is readable in clear.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict

from ..vault._keys import decrypt_value, encrypt_value
from .models import ExchangeMatch, ExchangeOffer, ExchangeRequest

__all__ = [
    "MatchRecord",
    "OfferDraft",
    "OfferRecord",
    "PostReport",
    "RequestDraft",
    "RequestRecord",
    "RunInfo",
    "offer_ref",
    "open_match",
    "open_offer",
    "open_request",
    "parse_ref",
    "request_ref",
    "seal_match",
    "seal_offer",
    "seal_request",
]


@dataclass(frozen=True)
class OfferDraft:
    """An offer before it is checked and stored. ``week``: ``2026-W36`` or a week number.

    ``claims`` are registry facts a file stated (``country``, ``certifications``…): they
    must agree with the registry, which is what the clearing uses.
    """

    process: str
    week: str | int
    capacity: float
    unit_price: float
    site_id: str | None = None
    label: str | None = None
    claims: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RequestDraft:
    """A request before it is checked and stored (see :class:`~osatnet.exchange.Request`)."""

    process: str
    quantity: float
    site_id: str | None = None
    earliest_week: str | int | None = None
    due_week: str | int | None = None
    max_price: float | None = None
    splittable: bool = True
    min_split: float = 0.0
    unserved_penalty: float | None = None
    requires: tuple[str, ...] = ()
    label: str | None = None
    claims: tuple[tuple[str, str], ...] = ()


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class OfferRecord(_Out):
    ref: str  # "O12": what `withdraw` takes
    label: str | None
    member_id: str
    period: str
    site_id: str
    process: str
    week: str
    capacity: float
    unit_price: float
    status: str


class RequestRecord(_Out):
    ref: str  # "R7"
    label: str | None
    member_id: str
    period: str
    site_id: str
    process: str
    quantity: float
    earliest_week: str | None
    due_week: str | None
    max_price: float | None
    splittable: bool
    min_split: float
    unserved_penalty: float | None
    requires: list[str]
    status: str


class MatchRecord(_Out):
    """One of the caller's matches; ``counterparty`` is the other side's member."""

    run_id: int
    period: str
    week: str
    side: str  # requester | host
    request_ref: str
    offer_ref: str
    counterparty: str
    counterparty_name: str
    quantity: float
    price: float  # settlement price per unit
    logistics: float  # planning cost per unit (distance x rate); borne by the requester


class RunInfo(_Out):
    """A clearing as the secretariat sees it: counts and alliance-wide totals."""

    run_id: int
    period: str
    week: str
    status: str
    pricing: str
    gap: float | None
    offers: int
    requests: int
    matches: int
    requested: float
    served: float
    match_rate: float  # served / requested
    infeasible: int
    created_by: str
    created_at: datetime | None = None


class PostReport(_Out):
    member_id: str
    period: str
    offers: list[str]
    requests: list[str]


def offer_ref(row_id: int) -> str:
    return f"O{row_id}"


def request_ref(row_id: int) -> str:
    return f"R{row_id}"


def parse_ref(ref: str) -> tuple[str, int] | None:
    """``"O12"`` -> ``("offer", 12)``; ``None`` when it is not a reference."""
    text = ref.strip().upper()
    kinds = {"O": "offer", "R": "request"}
    if len(text) < 2 or text[0] not in kinds or not text[1:].isdigit():
        return None
    return kinds[text[0]], int(text[1:])


def _aad(table: str, member_id: str, period: str, row_id: int, field: str) -> str:
    return f"exchange|{table}|{member_id}|{period}|{row_id}|{field}"


def _seal(aes: AESGCM, value: float | None, aad: str) -> bytes:
    return encrypt_value(aes, math.nan if value is None else float(value), aad)


def _open(aes: AESGCM, blob: bytes, aad: str) -> float | None:
    value = decrypt_value(aes, blob, aad)
    return None if math.isnan(value) else value


def _required(value: float | None, aad: str) -> float:
    if value is None:  # sealed by this module as a number: NaN here means a forged row
        raise ValueError(f"stored value {aad} is missing")
    return value


def seal_offer(aes: AESGCM, row: ExchangeOffer, capacity: float, unit_price: float) -> None:
    """Seal an offer's numbers (the row must have its id: flush first)."""
    aad = _aad("offer", row.member_id, row.period_key, row.id, "{}")
    row.capacity_ct = _seal(aes, capacity, aad.format("capacity"))
    row.unit_price_ct = _seal(aes, unit_price, aad.format("unit_price"))


def open_offer(aes: AESGCM, row: ExchangeOffer) -> tuple[float, float]:
    """``(capacity, unit_price)``."""
    aad = _aad("offer", row.member_id, row.period_key, row.id, "{}")
    return (
        _required(_open(aes, row.capacity_ct, aad.format("capacity")), aad),
        _required(_open(aes, row.unit_price_ct, aad.format("unit_price")), aad),
    )


def seal_request(
    aes: AESGCM,
    row: ExchangeRequest,
    quantity: float,
    max_price: float | None,
    min_split: float,
    penalty: float | None,
) -> None:
    aad = _aad("request", row.member_id, row.period_key, row.id, "{}")
    row.quantity_ct = _seal(aes, quantity, aad.format("quantity"))
    row.max_price_ct = _seal(aes, max_price, aad.format("max_price"))
    row.min_split_ct = _seal(aes, min_split, aad.format("min_split"))
    row.penalty_ct = _seal(aes, penalty, aad.format("penalty"))


def open_request(
    aes: AESGCM, row: ExchangeRequest
) -> tuple[float, float | None, float, float | None]:
    """``(quantity, max_price, min_split, unserved_penalty)``."""
    aad = _aad("request", row.member_id, row.period_key, row.id, "{}")
    return (
        _required(_open(aes, row.quantity_ct, aad.format("quantity")), aad),
        _open(aes, row.max_price_ct, aad.format("max_price")),
        _required(_open(aes, row.min_split_ct, aad.format("min_split")), aad),
        _open(aes, row.penalty_ct, aad.format("penalty")),
    )


def _match_aad(row: ExchangeMatch) -> str:
    return (
        f"exchange|match|{row.member_id}|{row.run_id}|{row.side}|{row.request_id}|"
        f"{row.offer_id}|{{}}"
    )


def seal_match(
    aes: AESGCM, row: ExchangeMatch, quantity: float, price: float, logistics: float
) -> None:
    """Seal one side's copy of a match (``row.member_id`` is that side; ids set already)."""
    aad = _match_aad(row)
    row.quantity_ct = _seal(aes, quantity, aad.format("quantity"))
    row.price_ct = _seal(aes, price, aad.format("price"))
    row.logistics_ct = _seal(aes, logistics, aad.format("logistics"))


def open_match(aes: AESGCM, row: ExchangeMatch) -> tuple[float, float, float]:
    """``(quantity, price, logistics)``."""
    aad = _match_aad(row)
    return (
        _required(_open(aes, row.quantity_ct, aad.format("quantity")), aad),
        _required(_open(aes, row.price_ct, aad.format("price")), aad),
        _required(_open(aes, row.logistics_ct, aad.format("logistics")), aad),
    )
