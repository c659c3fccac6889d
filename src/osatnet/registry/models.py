"""The registry's tables: alliance, members, sites, process families, capabilities, users,
reporting periods."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db._base import Base
from .catalog import Certification, EmployeeBand, MemberRole, UserRole

__all__ = [
    "Alliance",
    "Member",
    "ProcessFamily",
    "ReportingPeriod",
    "Site",
    "SiteCapability",
    "SiteCertification",
    "User",
]


def _one_of(column: str, values: type[object]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)  # type: ignore[attr-defined]
    return f"{column} IN ({listed})"


class Alliance(Base):
    """The alliance this database serves, with the disclosure settings of its firewall."""

    __tablename__ = "alliances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_ja: Mapped[str | None] = mapped_column(String(200))
    trust_model: Mapped[str] = mapped_column(String(20), default="operator-trusted")
    min_contributors: Mapped[int] = mapped_column(Integer, default=5)
    dominance_n: Mapped[int] = mapped_column(Integer, default=2)
    dominance_k_pct: Mapped[float] = mapped_column(Float, default=85.0)
    p_percent: Mapped[float] = mapped_column(Float, default=10.0)
    protection_pct: Mapped[float] = mapped_column(Float, default=10.0)
    # Differential privacy budget per reporting period (epsilon), for releases that ask for DP.
    privacy_budget: Mapped[float] = mapped_column(Float, default=1.0, server_default="1.0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("trust_model IN ('operator-trusted', 'blind')", name="trust_model"),
        CheckConstraint("min_contributors >= 1", name="min_contributors"),
        CheckConstraint("dominance_n >= 1", name="dominance_n"),
        CheckConstraint("dominance_k_pct > 0 AND dominance_k_pct <= 100", name="dominance_k"),
        CheckConstraint("p_percent >= 0", name="p_percent"),
        CheckConstraint("protection_pct >= 0", name="protection_pct"),
    )


class Member(Base):
    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ja: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    prefecture: Mapped[str] = mapped_column(String(100))
    employee_band: Mapped[str] = mapped_column(String(10))
    role: Mapped[str] = mapped_column(String(20))
    website: Mapped[str | None] = mapped_column(String(300))

    sites: Mapped[list[Site]] = relationship(back_populates="member", order_by="Site.id")

    __table_args__ = (
        CheckConstraint(_one_of("employee_band", EmployeeBand), name="employee_band"),
        CheckConstraint(_one_of("role", MemberRole), name="role"),
    )


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ja: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(100))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)

    member: Mapped[Member] = relationship(back_populates="sites")
    certifications: Mapped[list[SiteCertification]] = relationship(
        cascade="all, delete-orphan", order_by="SiteCertification.certification"
    )
    capabilities: Mapped[list[SiteCapability]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="SiteCapability.process_key"
    )

    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon"),
    )


class SiteCertification(Base):
    __tablename__ = "site_certifications"

    site_id: Mapped[str] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    certification: Mapped[str] = mapped_column(String(20), primary_key=True)

    __table_args__ = (
        CheckConstraint(_one_of("certification", Certification), name="certification"),
    )


class ProcessFamily(Base):
    """The shipped catalog of back-end process families (rows come from a migration)."""

    __tablename__ = "process_families"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_ja: Mapped[str] = mapped_column(String(100))
    stage: Mapped[str] = mapped_column(String(20))
    capacity_unit: Mapped[str] = mapped_column(String(20))
    sort_order: Mapped[int] = mapped_column(Integer)


class SiteCapability(Base):
    __tablename__ = "site_capabilities"

    site_id: Mapped[str] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    process_key: Mapped[str] = mapped_column(ForeignKey("process_families.key"), primary_key=True)
    weekly_capacity: Mapped[float] = mapped_column(Float)
    automotive: Mapped[bool] = mapped_column(Boolean, default=False)

    site: Mapped[Site] = relationship(back_populates="capabilities")

    __table_args__ = (CheckConstraint("weekly_capacity >= 0", name="weekly_capacity"),)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    member_id: Mapped[str | None] = mapped_column(ForeignKey("members.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    password_hash: Mapped[str | None] = mapped_column(String(200))  # argon2id; None: no sign-in
    language: Mapped[str | None] = mapped_column(String(5))  # "en" / "ja"; None: the browser's

    __table_args__ = (
        CheckConstraint(_one_of("role", UserRole), name="role"),
        # Member roles belong to a member; the secretariat and auditors belong to none.
        CheckConstraint(
            "(role IN ('member_user', 'member_admin')) = (member_id IS NOT NULL)",
            name="member_matches_role",
        ),
    )


class ReportingPeriod(Base):
    __tablename__ = "reporting_periods"

    key: Mapped[str] = mapped_column(String(10), primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="status"),)
