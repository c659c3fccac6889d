"""The exchange's tables: offers, requests, clearing runs and matches.

Which member, site, process and week are in clear (the optimiser and the row-level security
policies need them); every confidential number (capacity, price, quantity, penalty) is AES-GCM
ciphertext under the owning member's data key, bound to its row. A match is stored once per
side, each copy under that side's key and visible (on PostgreSQL) to that side only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db._base import Base

__all__ = ["ExchangeMatch", "ExchangeOffer", "ExchangeRequest", "ExchangeRun"]

_STATUS = "status IN ('open', 'withdrawn', 'cleared')"


class ExchangeOffer(Base):
    """Spare capacity of one site, process and ISO week (``2026-W36``).

    ``run_id`` is the clearing it took part in (status ``cleared``).
    """

    __tablename__ = "exchange_offers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    period_key: Mapped[str] = mapped_column(ForeignKey("reporting_periods.key"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    process_key: Mapped[str] = mapped_column(ForeignKey("process_families.key"))
    week: Mapped[str] = mapped_column(String(8), index=True)
    label: Mapped[str | None] = mapped_column(String(64))  # the member's own id (offer_id)
    status: Mapped[str] = mapped_column(String(10), default="open")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_runs.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    capacity_ct: Mapped[bytes] = mapped_column(LargeBinary)
    unit_price_ct: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (CheckConstraint(_STATUS, name="status"),)


class ExchangeRequest(Base):
    """An overflow order of one member's site, with its week window and requirements.

    ``requires`` holds ``;``-separated tokens (certifications, ``AUTOMOTIVE``, ``country:XX``,
    ``region:YY``). A limit the requester did not set is stored as encrypted NaN, so that even
    whether a request has a price limit or a penalty is not readable in clear.
    """

    __tablename__ = "exchange_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    period_key: Mapped[str] = mapped_column(ForeignKey("reporting_periods.key"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    process_key: Mapped[str] = mapped_column(ForeignKey("process_families.key"))
    earliest_week: Mapped[str | None] = mapped_column(String(8))
    due_week: Mapped[str | None] = mapped_column(String(8))
    splittable: Mapped[bool] = mapped_column(Boolean, default=True)
    requires: Mapped[str] = mapped_column(String(300), default="")
    label: Mapped[str | None] = mapped_column(String(64))  # the member's own id (request_id)
    status: Mapped[str] = mapped_column(String(10), default="open")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_runs.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    quantity_ct: Mapped[bytes] = mapped_column(LargeBinary)
    max_price_ct: Mapped[bytes] = mapped_column(LargeBinary)
    min_split_ct: Mapped[bytes] = mapped_column(LargeBinary)
    penalty_ct: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (CheckConstraint(_STATUS, name="status"),)


class ExchangeRun(Base):
    """One clearing of one week. Only counts and settings: no confidential number."""

    __tablename__ = "exchange_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_key: Mapped[str] = mapped_column(ForeignKey("reporting_periods.key"), index=True)
    week: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12))
    pricing: Mapped[str] = mapped_column(String(20))
    gap: Mapped[float | None] = mapped_column(Float)
    offers: Mapped[int] = mapped_column(Integer)
    requests: Mapped[int] = mapped_column(Integer)
    matches: Mapped[int] = mapped_column(Integer)
    options: Mapped[str] = mapped_column(Text)  # canonical JSON of the clearing options
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("period_key", "week", name="uq_exchange_runs_week"),)


class ExchangeMatch(Base):
    """One side's copy of a match: ``member_id`` is that side, under that side's data key."""

    __tablename__ = "exchange_matches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_runs.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[str] = mapped_column(String(10))
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    counterparty_id: Mapped[str] = mapped_column(ForeignKey("members.id"))
    request_id: Mapped[int] = mapped_column(ForeignKey("exchange_requests.id"))
    offer_id: Mapped[int] = mapped_column(ForeignKey("exchange_offers.id"))
    quantity_ct: Mapped[bytes] = mapped_column(LargeBinary)
    price_ct: Mapped[bytes] = mapped_column(LargeBinary)
    logistics_ct: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (
        CheckConstraint("side IN ('requester', 'host')", name="side"),
        UniqueConstraint("run_id", "side", "request_id", "offer_id", name="uq_exchange_matches"),
    )
