"""Blind mode's tables on the platform: compute nodes, sealed share bundles, jobs, results,
and sealed-bid auctions (the auction, members' sealed orders, the nodes' results).

Nothing here can be opened by the platform: a bundle is ciphertext sealed to one node's key
(the platform has none of the nodes' private keys), plus public metadata (which member has a
value for which site, process and measure). A node authenticates with a token whose hash is
kept in ``blind_nodes``; a job's result is stored once every node has posted the same table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db._base import Base

__all__ = [
    "AUCTION_STATUSES",
    "BlindAuctionResult",
    "BlindAuctionRow",
    "BlindBundle",
    "BlindJobRow",
    "BlindNode",
    "BlindNodeResult",
    "BlindOrders",
]

JOB_STATUSES = ("pending", "done", "failed")
AUCTION_STATUSES = ("open", "clearing", "done", "failed")


class BlindNode(Base):
    """One compute node of the alliance: where it runs and the key members seal shares to."""

    __tablename__ = "blind_nodes"

    index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    operator: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))
    port: Mapped[int] = mapped_column(Integer)
    public_key: Mapped[str] = mapped_column(String(64))  # X25519, base64
    token_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the node's API token
    registered_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class BlindBundle(Base):
    """A member's sealed shares for one period and one node (re-sending replaces it)."""

    __tablename__ = "blind_share_bundles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_key: Mapped[str] = mapped_column(ForeignKey("reporting_periods.key"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    node_index: Mapped[int] = mapped_column(Integer)
    bundle: Mapped[str] = mapped_column(Text)  # JSON: sealed shares + public metadata
    values: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        UniqueConstraint("period_key", "member_id", "node_index", name="uq_blind_bundle"),
    )


class BlindJobRow(Base):
    """A release the nodes are asked to compute; ``release_id`` once every node agreed."""

    __tablename__ = "blind_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_key: Mapped[str] = mapped_column(ForeignKey("reporting_periods.key"), index=True)
    measure: Mapped[str] = mapped_column(String(80))
    stat: Mapped[str] = mapped_column(String(20))
    dims: Mapped[str] = mapped_column(String(200))
    job: Mapped[str] = mapped_column(Text)  # the BlindJob JSON the nodes run
    digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text)
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint("status IN ('pending', 'done', 'failed')", name="status"),)


class BlindNodeResult(Base):
    """What one node computed for one attempt of a job (published cells only)."""

    __tablename__ = "blind_results"

    job_id: Mapped[int] = mapped_column(ForeignKey("blind_jobs.id"), primary_key=True)
    node_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    attempt: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BlindAuctionRow(Base):
    """A sealed-bid auction: public grid and markets; the prices once every node agreed."""

    __tablename__ = "blind_auctions"

    auction_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period_key: Mapped[str] = mapped_column(ForeignKey("reporting_periods.key"), index=True)
    week: Mapped[str] = mapped_column(String(8))
    auction: Mapped[str] = mapped_column(Text)  # the Auction JSON: id, grid, markets
    digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="open")
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text)
    prices: Mapped[str | None] = mapped_column(Text)  # JSON market -> price, once done
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("status IN ('open', 'clearing', 'done', 'failed')", name="status"),
    )


class BlindOrders(Base):
    """A member's sealed schedules for one auction and one node (re-sending replaces them)."""

    __tablename__ = "blind_auction_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    auction_id: Mapped[str] = mapped_column(ForeignKey("blind_auctions.auction_id"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    node_index: Mapped[int] = mapped_column(Integer)
    bundle: Mapped[str] = mapped_column(Text)  # JSON: sealed schedules + the reply key
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        UniqueConstraint("auction_id", "member_id", "node_index", name="uq_blind_orders"),
    )


class BlindAuctionResult(Base):
    """What one node computed for one attempt of an auction: prices, sealed member parts."""

    __tablename__ = "blind_auction_results"

    auction_id: Mapped[str] = mapped_column(
        ForeignKey("blind_auctions.auction_id"), primary_key=True
    )
    node_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    attempt: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
