"""What the stored rounds return: plain, frozen records (JSON-ready with ``model_dump``).

None of them carries another member's figure: :class:`MemberResult` and :class:`DemandRecord`
go to the member they belong to, :class:`RoundSummary` holds alliance totals only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["DemandReceipt", "DemandRecord", "MemberResult", "RoundInfo", "RoundSummary"]


class RoundInfo(BaseModel):
    """A round as everyone may see it: its rules and state, no demand."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    key: str
    title: str | None
    status: str
    max_supplier_share: float | None
    max_country_share: float | None
    min_suppliers: int
    savings_target: float
    opened_by: str
    opened_at: datetime | None
    closed_at: datetime | None
    awarded_at: datetime | None
    method: str | None


class DemandRecord(BaseModel):
    """One line of the caller's own demand, decrypted."""

    model_config = ConfigDict(frozen=True)

    member_id: str
    category: str
    quantity: float
    current_unit_price: float | None = None


class MemberResult(BaseModel):
    """A member's own outcome of an awarded round: its share, its solo cost, its savings."""

    model_config = ConfigDict(frozen=True)

    round_key: str
    member_id: str
    method: str
    cost: float
    solo_cost: float
    savings: float
    savings_pct: float
    std_error: float | None = None
    # Categories the member asked for that no other member did: not pooled (see docs).
    unpooled_categories: tuple[str, ...] = ()


class RoundSummary(BaseModel):
    """Alliance totals of an awarded round, for the secretariat.

    Per-member figures appear only as ``savings_distribution`` (how many members fall in each
    band of savings percent, unnamed) and only when at least ``min_contributors`` members
    took part, so that no band can single out a member.
    """

    model_config = ConfigDict(frozen=True)

    round_key: str
    method: str
    exact: bool
    members: int
    total_cost: float
    solo_total: float
    savings: float
    savings_pct: float
    target_pct: float
    target_reached: bool
    current_spend: float | None
    savings_vs_current_pct: float | None
    categories: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    rule_costs: list[dict[str, Any]]
    shadow_prices: list[dict[str, Any]]
    core: dict[str, Any] | None
    savings_distribution: list[dict[str, Any]] | None
    unpooled_categories: int


class DemandReceipt(BaseModel):
    """What a member's demand submission stored (no figures: the caller has them)."""

    model_config = ConfigDict(frozen=True)

    round_key: str
    member_id: str
    lines: int
    replaced: int  # lines of an earlier submission this one replaced
    source: str
