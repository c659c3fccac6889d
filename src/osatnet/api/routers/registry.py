"""The registry: readable by every signed-in user of the alliance; periods managed by the
secretariat."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from ...registry import CapabilityRow, MemberRow, Registry, SiteRow
from ...registry.service import PeriodInfo, ProcessInfo
from ..deps import ActorDep, DbDep, SecretariatDep

__all__ = ["router"]

router = APIRouter(tags=["registry"])


@router.get("/members", response_model=list[MemberRow], summary="All members")
def members(actor: ActorDep, db: DbDep) -> list[MemberRow]:
    return Registry(db).members()


@router.get("/members/{member_id}", response_model=MemberRow, summary="One member")
def member(member_id: str, actor: ActorDep, db: DbDep) -> MemberRow:
    return Registry(db).member(member_id)


@router.get("/sites", response_model=list[SiteRow], summary="Sites, optionally of one member")
def sites(
    actor: ActorDep, db: DbDep, member: Annotated[str | None, Query(max_length=64)] = None
) -> list[SiteRow]:
    return Registry(db).sites(member)


@router.get("/capabilities", response_model=list[CapabilityRow], summary="Site capabilities")
def capabilities(
    actor: ActorDep,
    db: DbDep,
    site: Annotated[str | None, Query(max_length=64)] = None,
    process: Annotated[str | None, Query(max_length=40)] = None,
) -> list[CapabilityRow]:
    return Registry(db).capabilities(site_id=site, process=process)


@router.get("/processes", response_model=list[ProcessInfo], summary="The process-family catalog")
def processes(actor: ActorDep, db: DbDep) -> list[ProcessInfo]:
    return Registry(db).processes()


@router.get("/periods", response_model=list[PeriodInfo], summary="Reporting periods")
def periods(actor: ActorDep, db: DbDep) -> list[PeriodInfo]:
    return Registry(db).periods()


class NewPeriod(BaseModel):
    key: str = Field(description="A quarter such as 2026Q3.", max_length=10)


@router.post("/periods", response_model=PeriodInfo, status_code=201, summary="Open a period")
def add_period(body: NewPeriod, actor: SecretariatDep, db: DbDep) -> PeriodInfo:
    return Registry(db).add_period(body.key)


@router.post("/periods/{key}/close", response_model=PeriodInfo, summary="Close a period")
def close_period(key: str, actor: SecretariatDep, db: DbDep) -> PeriodInfo:
    return Registry(db).set_period_status(key, "closed")


@router.post("/periods/{key}/reopen", response_model=PeriodInfo, summary="Reopen a period")
def reopen_period(key: str, actor: SecretariatDep, db: DbDep) -> PeriodInfo:
    return Registry(db).set_period_status(key, "open")
