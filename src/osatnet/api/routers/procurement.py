"""Joint procurement rounds: members see their own demand and result; the secretariat runs the
round and sees totals."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from ...procurement import Procurement
from ...procurement._rounds_schemas import (
    DemandReceipt,
    DemandRecord,
    MemberResult,
    RoundInfo,
    RoundSummary,
)
from ...procurement._types import Discount, PriceBreak, Quote, ResilienceRules
from ..deps import ActorDep, DbDep, SecretariatDep

__all__ = ["router"]

router = APIRouter(prefix="/procurement", tags=["procurement"])
Key = Annotated[str, Path(max_length=40)]


class NewRound(BaseModel):
    key: str = Field(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    title: str | None = Field(default=None, max_length=200)
    max_supplier_share: float | None = Field(default=None, gt=0, le=1)
    max_country_share: float | None = Field(default=None, gt=0, le=1)
    min_suppliers: int = Field(default=1, ge=1, le=20)
    savings_target: float = Field(default=0.2, ge=0, le=1)


class DemandRow(BaseModel):
    member_id: str = Field(max_length=64)
    category: str = Field(max_length=80)
    quantity: float = Field(gt=0, allow_inf_nan=False)
    current_unit_price: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class Demand(BaseModel):
    rows: list[DemandRow] = Field(min_length=1, max_length=1000)


class QuoteIn(BaseModel):
    supplier_id: str = Field(min_length=1, max_length=80)
    category: str = Field(min_length=1, max_length=80)
    breaks: list[tuple[float, float]] = Field(
        min_length=1, max_length=50, description="(min_qty, unit_price) pairs"
    )
    discount: Literal["all_units", "incremental"] = "all_units"
    capacity: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    country: str | None = Field(default=None, max_length=2)
    lead_time_weeks: float | None = Field(default=None, ge=0, le=520)


class Quotes(BaseModel):
    quotes: list[QuoteIn] = Field(min_length=1, max_length=2000)


class Entered(BaseModel):
    quotes: int


class Award(BaseModel):
    method: Literal["shapley", "proportional"] = "shapley"


@router.get("/rounds", response_model=list[RoundInfo], summary="Procurement rounds")
def rounds(actor: ActorDep, db: DbDep) -> list[RoundInfo]:
    return Procurement(db, actor).rounds()


@router.post("/rounds", response_model=RoundInfo, status_code=201, summary="Open a round")
def open_round(body: NewRound, actor: SecretariatDep, db: DbDep) -> RoundInfo:
    rules = ResilienceRules(
        max_supplier_share=body.max_supplier_share, max_country_share=body.max_country_share,
        min_suppliers=body.min_suppliers,
    )  # fmt: skip
    return Procurement(db, actor).open_round(
        body.key, title=body.title, rules=rules, savings_target=body.savings_target
    )


@router.post("/rounds/{key}/close", response_model=RoundInfo, summary="Close a round")
def close_round(key: Key, actor: SecretariatDep, db: DbDep) -> RoundInfo:
    return Procurement(db, actor).close_round(key)


@router.post(
    "/rounds/{key}/quotes", response_model=Entered, status_code=201, summary="Enter quotes"
)
def enter_quotes(key: Key, body: Quotes, actor: SecretariatDep, db: DbDep) -> Entered:
    quotes = [
        Quote(
            supplier_id=q.supplier_id, category=q.category,
            breaks=tuple(PriceBreak(min_qty=m, unit_price=p) for m, p in q.breaks),
            discount=Discount(q.discount), capacity=q.capacity, country=q.country,
            lead_time_weeks=q.lead_time_weeks,
        )
        for q in body.quotes
    ]  # fmt: skip
    return Entered(quotes=Procurement(db, actor).enter_quotes(key, quotes))


@router.post("/rounds/{key}/award", response_model=RoundSummary, summary="Award and split")
def award(key: Key, body: Award, actor: SecretariatDep, db: DbDep) -> RoundSummary:
    return Procurement(db, actor).run_award(key, method=body.method)


@router.get("/rounds/{key}/summary", response_model=RoundSummary, summary="Round totals")
def summary(key: Key, actor: ActorDep, db: DbDep) -> RoundSummary:
    return Procurement(db, actor).round_summary(key)


@router.post(
    "/rounds/{key}/demand",
    response_model=DemandReceipt,
    status_code=201,
    summary="Submit own demand",
)
def submit_demand(key: Key, body: Demand, actor: ActorDep, db: DbDep) -> DemandReceipt:
    return Procurement(db, actor).submit_demand(key, [r.model_dump() for r in body.rows])


@router.get("/rounds/{key}/demand", response_model=list[DemandRecord], summary="Own demand")
def my_demand(key: Key, actor: ActorDep, db: DbDep) -> list[DemandRecord]:
    return Procurement(db, actor).my_demand(key)


@router.get("/rounds/{key}/result", response_model=MemberResult, summary="Own cost and savings")
def my_result(key: Key, actor: ActorDep, db: DbDep) -> MemberResult:
    return Procurement(db, actor).my_result(key)
