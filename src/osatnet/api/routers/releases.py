"""Releases: published tables anyone signed in may read; the secretariat creates them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from ...vault.benchmark import BenchmarkReport, benchmark_report
from ...vault.releases import Releases, ReleaseSummary, ReleaseTable
from ..deps import ActorDep, DbDep, SecretariatDep

__all__ = ["router"]

router = APIRouter(tags=["releases"])


class NewRelease(BaseModel):
    periods: list[str] = Field(min_length=1, max_length=12, description="Closed periods.")
    measure: str = Field(max_length=80)
    stat: Literal["sum", "mean", "median", "count", "p25", "p75"] = "sum"
    by: list[str] = Field(min_length=1, max_length=4)
    method: Literal["optimal", "heuristic"] = "optimal"
    dp_epsilon: float | None = Field(default=None, gt=0, le=10)
    dp_bound: float | None = Field(default=None, gt=0)


@router.post("/releases", response_model=ReleaseTable, status_code=201, summary="Publish a table")
def create(body: NewRelease, actor: SecretariatDep, db: DbDep) -> ReleaseTable:
    return Releases(db, actor).create(
        body.periods, body.measure, body.stat, body.by, method=body.method,
        dp_epsilon=body.dp_epsilon, dp_bound=body.dp_bound,
    )  # fmt: skip


@router.get("/releases", response_model=list[ReleaseSummary], summary="Published tables")
def listing(actor: ActorDep, db: DbDep) -> list[ReleaseSummary]:
    return Releases(db, actor).list()


@router.get("/releases/{release_id}", response_model=ReleaseTable, summary="One published table")
def one(
    release_id: Annotated[int, Path(ge=1, le=2**31 - 1)], actor: ActorDep, db: DbDep
) -> ReleaseTable:
    return Releases(db, actor).get(release_id)


@router.get("/benchmark/{period}", response_model=BenchmarkReport, summary="The caller's benchmark")
def benchmark(period: str, actor: ActorDep, db: DbDep) -> BenchmarkReport:
    return benchmark_report(db, actor, period)
