"""The firewall's tables. Raw values exist only as AES-GCM ciphertext (``submission_values``)."""

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

from ..audit.models import AuditEntry
from ..db._base import Base

__all__ = [
    "AuditEntry",
    "MemberKey",
    "PrivacySpend",
    "Release",
    "Submission",
    "SubmissionValue",
]


class MemberKey(Base):
    """A member's data key, wrapped (AES-GCM) by the master key kept outside the database."""

    __tablename__ = "member_keys"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), primary_key=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    master_key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Submission(Base):
    """One version of one member's confidential submission for one period."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    period_key: Mapped[str] = mapped_column(ForeignKey("reporting_periods.key"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    source: Mapped[str | None] = mapped_column(String(300))
    row_count: Mapped[int] = mapped_column(Integer)

    values: Mapped[list[SubmissionValue]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionValue.id"
    )

    __table_args__ = (
        UniqueConstraint("member_id", "period_key", "version", name="uq_submissions_version"),
        CheckConstraint("status IN ('active', 'superseded', 'withdrawn')", name="status"),
    )


class SubmissionValue(Base):
    """One measure of a submission. Which measure is in clear; its value is ciphertext.

    ``member_id`` is repeated here so PostgreSQL's row-level security can filter this table
    without a join.
    """

    __tablename__ = "submission_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))
    process_key: Mapped[str | None] = mapped_column(ForeignKey("process_families.key"))
    measure: Mapped[str] = mapped_column(String(80))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)

    submission: Mapped[Submission] = relationship(back_populates="values")


class Release(Base):
    """A published aggregate table, kept to check later releases for differencing."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_keys: Mapped[str] = mapped_column(String(200))
    measure: Mapped[str] = mapped_column(String(80))
    stat: Mapped[str] = mapped_column(String(20))
    dims: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    epsilon: Mapped[float | None] = mapped_column(Float)
    cells: Mapped[str] = mapped_column(Text)  # JSON: published cells and their contributor sets


class PrivacySpend(Base):
    """The differential-privacy ledger: epsilon spent per period."""

    __tablename__ = "privacy_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_key: Mapped[str] = mapped_column(ForeignKey("reporting_periods.key"), index=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"))
    epsilon: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
