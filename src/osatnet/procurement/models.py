"""Procurement tables: rounds, members' encrypted demand, quotes, award lines, member results.

What is confidential to a member — its demand quantity and current price, its allocated cost,
its solo cost — exists only as AES-GCM ciphertext under the member's data key, bound (as
associated data) to its row; ``member_id`` is kept in clear on those rows so PostgreSQL's
row-level security can filter them without a join. Quotes are entered by the secretariat
from suppliers' offers and the award lines are the alliance's purchase orders: neither is a
member's data, so both are stored in clear.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db._base import Base

__all__ = [
    "ProcurementAwardLine",
    "ProcurementDemand",
    "ProcurementPriceBreak",
    "ProcurementQuote",
    "ProcurementResult",
    "ProcurementRound",
]


class ProcurementRound(Base):
    """A procurement round and its resilience rules; ``summary`` holds alliance totals only."""

    __tablename__ = "procurement_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="open")
    max_supplier_share: Mapped[float | None] = mapped_column(Float)
    max_country_share: Mapped[float | None] = mapped_column(Float)
    min_suppliers: Mapped[int] = mapped_column(Integer, default=1)
    savings_target: Mapped[float] = mapped_column(Float, default=0.2)
    opened_by: Mapped[str] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    closed_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    awarded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    method: Mapped[str | None] = mapped_column(String(20))
    summary: Mapped[str | None] = mapped_column(Text)  # JSON: totals, never per-member figures

    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed', 'awarded')", name="status"),
        CheckConstraint("min_suppliers >= 1", name="min_suppliers"),
    )


class ProcurementDemand(Base):
    """One member's demand for one category in a round: the figures are ciphertext."""

    __tablename__ = "procurement_demands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_rounds.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    category: Mapped[str] = mapped_column(String(80))
    quantity: Mapped[bytes] = mapped_column(LargeBinary)
    current_unit_price: Mapped[bytes | None] = mapped_column(LargeBinary)
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        UniqueConstraint("round_id", "member_id", "category", name="uq_procurement_demands_row"),
    )


class ProcurementQuote(Base):
    """A supplier's price-break schedule for one category (entered by the secretariat)."""

    __tablename__ = "procurement_quotes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_rounds.id", ondelete="CASCADE"), index=True
    )
    supplier_id: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(80))
    discount: Mapped[str] = mapped_column(String(12))
    capacity: Mapped[float | None] = mapped_column(Float)
    country: Mapped[str | None] = mapped_column(String(40))
    lead_time_weeks: Mapped[float | None] = mapped_column(Float)
    entered_by: Mapped[str] = mapped_column(String(100))

    breaks: Mapped[list[ProcurementPriceBreak]] = relationship(
        cascade="all, delete-orphan", order_by="ProcurementPriceBreak.min_qty"
    )

    __table_args__ = (
        UniqueConstraint("round_id", "supplier_id", "category", name="uq_procurement_quotes_row"),
        CheckConstraint("discount IN ('all_units', 'incremental')", name="discount"),
    )


class ProcurementPriceBreak(Base):
    __tablename__ = "procurement_price_breaks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_quotes.id", ondelete="CASCADE"), index=True
    )
    min_qty: Mapped[float] = mapped_column(Float)
    unit_price: Mapped[float] = mapped_column(Float)


class ProcurementAwardLine(Base):
    """The alliance's purchase order to one supplier in one category (pooled: no member's)."""

    __tablename__ = "procurement_award_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_rounds.id", ondelete="CASCADE"), index=True
    )
    supplier_id: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(80))
    quantity: Mapped[float] = mapped_column(Float)
    cost: Mapped[float] = mapped_column(Float)


class ProcurementResult(Base):
    """A member's share of the awarded cost: every figure is ciphertext under its data key."""

    __tablename__ = "procurement_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_rounds.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    cost: Mapped[bytes] = mapped_column(LargeBinary)
    solo_cost: Mapped[bytes] = mapped_column(LargeBinary)
    std_error: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("round_id", "member_id", name="uq_procurement_results_row"),)
