"""The capacity exchange: members post and see their own; the secretariat clears and releases."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from ...exchange import Exchange
from ...exchange._platform_records import MatchRecord, OfferRecord, RequestRecord, RunInfo
from ...exchange.release import release_week
from ...vault.releases import ReleaseTable
from ..deps import ActorDep, DbDep, SecretariatDep

__all__ = ["router"]

router = APIRouter(prefix="/exchange", tags=["exchange"])
Period = Annotated[str, Path(max_length=10)]


class NewOffer(BaseModel):
    process: str = Field(max_length=40)
    week: str = Field(max_length=10, description="2026-W36, or a week number of the period's year")
    capacity: float = Field(gt=0, allow_inf_nan=False)
    unit_price: float = Field(ge=0, allow_inf_nan=False)
    site_id: str | None = Field(default=None, max_length=64)
    label: str | None = Field(default=None, max_length=100)


class NewRequest(BaseModel):
    process: str = Field(max_length=40)
    quantity: float = Field(gt=0, allow_inf_nan=False)
    site_id: str | None = Field(default=None, max_length=64)
    earliest_week: str | None = Field(default=None, max_length=10)
    due_week: str | None = Field(default=None, max_length=10)
    max_price: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    splittable: bool = True
    min_split: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    unserved_penalty: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    requires: list[str] = Field(default_factory=list, max_length=20)
    label: str | None = Field(default=None, max_length=100)


class Clearing(BaseModel):
    week: str = Field(max_length=10)
    pricing: Literal["pay-as-offered", "uniform"] = "pay-as-offered"
    time_limit: float = Field(default=60.0, gt=0, le=600)
    gap: float = Field(default=1e-4, gt=0, le=0.5)
    cost_per_km: float = Field(default=0.0, ge=0, le=1000)


class WeekRelease(BaseModel):
    week: str = Field(max_length=10)
    quantity: Literal["offered", "requested", "hosted", "received", "matched"] = "matched"
    stat: Literal["sum", "mean", "median", "count", "p25", "p75"] = "sum"


@router.get("/{period}/offers", response_model=list[OfferRecord], summary="Own offers")
def offers(period: Period, actor: ActorDep, db: DbDep) -> list[OfferRecord]:
    return Exchange(db, actor).my_offers(period)


@router.get("/{period}/requests", response_model=list[RequestRecord], summary="Own requests")
def requests(period: Period, actor: ActorDep, db: DbDep) -> list[RequestRecord]:
    return Exchange(db, actor).my_requests(period)


@router.get("/{period}/matches", response_model=list[MatchRecord], summary="Own matches")
def matches(period: Period, actor: ActorDep, db: DbDep) -> list[MatchRecord]:
    return Exchange(db, actor).my_matches(period)


@router.post(
    "/{period}/offers", response_model=OfferRecord, status_code=201, summary="Post spare capacity"
)
def post_offer(period: Period, body: NewOffer, actor: ActorDep, db: DbDep) -> OfferRecord:
    return Exchange(db, actor).post_offer(period, **body.model_dump())


@router.post(
    "/{period}/requests",
    response_model=RequestRecord,
    status_code=201,
    summary="Post an overflow order",
)
def post_request(period: Period, body: NewRequest, actor: ActorDep, db: DbDep) -> RequestRecord:
    return Exchange(db, actor).post_request(period, **body.model_dump())


class Withdrawn(BaseModel):
    ref: str
    status: str


@router.delete("/items/{ref}", response_model=Withdrawn, summary="Withdraw an offer or request")
def withdraw(ref: Annotated[str, Path(max_length=20)], actor: ActorDep, db: DbDep) -> Withdrawn:
    return Withdrawn(ref=ref, status=Exchange(db, actor).withdraw(ref))


@router.post("/{period}/clear", response_model=RunInfo, summary="Clear a week (secretariat)")
def clear(period: Period, body: Clearing, actor: SecretariatDep, db: DbDep) -> RunInfo:
    return Exchange(db, actor).clear(
        period, body.week, pricing=body.pricing, time_limit=body.time_limit, gap=body.gap,
        cost_per_km=body.cost_per_km,
    )  # fmt: skip


@router.post(
    "/{period}/release",
    response_model=ReleaseTable,
    status_code=201,
    summary="Publish a cleared week",
)
def release(period: Period, body: WeekRelease, actor: SecretariatDep, db: DbDep) -> ReleaseTable:
    return release_week(db, actor, period, body.week, body.quantity, body.stat)
