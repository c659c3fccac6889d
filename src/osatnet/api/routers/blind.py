"""Blind mode: members upload sealed shares; the secretariat queues jobs; nodes pull work."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from ...blind.gateway import NodeGateway, PendingJob
from ...blind.platform import BlindService, JobInfo, NodeInfo, UploadInfo
from ...errors import PermissionDenied
from ..deps import ActorDep, DbDep, SecretariatDep
from ..errors import Unauthenticated

__all__ = ["router"]

router = APIRouter(prefix="/blind", tags=["blind mode"])
Period = Annotated[str, Path(max_length=10)]
JobId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class SealedShare(BaseModel):
    measure: str = Field(max_length=80)
    site: str = Field(max_length=64)
    process: str = Field(max_length=40)
    sealed: str = Field(max_length=200)


class Bundle(BaseModel):
    """One node's sealed shares, made by the member's client (``osatnet blind seal``)."""

    format: str = Field(max_length=40)
    member: str = Field(max_length=64)
    period: str = Field(max_length=10)
    node: int = Field(ge=0, le=15)
    value_modulus: str = Field(max_length=64)
    fraction_bits: int = Field(ge=0, le=64)
    ephemeral: str = Field(max_length=64)
    shares: list[SealedShare] = Field(max_length=100_000)


class Upload(BaseModel):
    bundles: list[Bundle] = Field(min_length=1, max_length=16)


class BlindRelease(BaseModel):
    period: str = Field(max_length=10)
    measure: str = Field(max_length=80)
    stat: Literal["sum", "count", "mean", "median", "p25", "p75"] = "sum"
    by: list[str] = Field(min_length=1, max_length=4)
    checks: Literal["all", "min_contributors"] = "all"


class NodeResult(BaseModel):
    attempt: int = Field(ge=1, le=2**31 - 1)
    result: dict[str, Any]


class NodeFailure(BaseModel):
    attempt: int = Field(ge=1, le=2**31 - 1)
    reason: str = Field(max_length=2000)


class Status(BaseModel):
    status: str


@router.get("/nodes", response_model=list[NodeInfo], summary="The compute nodes and their keys")
def nodes(actor: ActorDep, db: DbDep) -> list[NodeInfo]:
    return BlindService(db, actor).nodes()


@router.post(
    "/uploads", response_model=UploadInfo, status_code=201, summary="Upload own sealed shares"
)
def upload(body: Upload, actor: ActorDep, db: DbDep) -> UploadInfo:
    bundles = [b.model_dump() for b in body.bundles]
    return BlindService(db, actor).store_bundles(bundles)


@router.get("/uploads/{period}", response_model=UploadInfo, summary="Own upload (metadata)")
def my_upload(
    period: Period, actor: ActorDep, db: DbDep,
    member_id: Annotated[str | None, Query(max_length=64)] = None,
) -> UploadInfo:  # fmt: skip
    return BlindService(db, actor).my_upload(period, member_id)


@router.get("/jobs", response_model=list[JobInfo], summary="Blind release jobs")
def jobs(actor: ActorDep, db: DbDep) -> list[JobInfo]:
    return BlindService(db, actor).jobs()


@router.post("/jobs", response_model=JobInfo, status_code=201, summary="Queue a blind release")
def request_release(body: BlindRelease, actor: SecretariatDep, db: DbDep) -> JobInfo:
    return BlindService(db, actor).request_release(
        body.period, body.measure, body.stat, body.by, checks=body.checks
    )


@router.get("/jobs/{job_id}", response_model=JobInfo, summary="One blind job")
def job(job_id: JobId, actor: ActorDep, db: DbDep) -> JobInfo:
    return BlindService(db, actor).job(job_id)


@router.post("/jobs/{job_id}/retry", response_model=JobInfo, summary="Run a job again")
def retry(job_id: JobId, actor: SecretariatDep, db: DbDep) -> JobInfo:
    return BlindService(db, actor).retry(job_id)


# -- the compute nodes' side: authenticated by a node token, not a user ----------------------
def _gateway(request: Request, db: DbDep) -> NodeGateway:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("compute nodes send 'Authorization: Bearer <node token>'")
    try:
        return NodeGateway(db, token.strip())
    except PermissionDenied as exc:
        raise Unauthenticated(str(exc)) from None


NodeDep = Annotated[NodeGateway, Depends(_gateway)]


@router.get("/node/jobs", response_model=list[PendingJob], summary="Node: jobs waiting")
def node_jobs(node: NodeDep) -> list[PendingJob]:
    return node.pending()


@router.get("/node/jobs/{job_id}/bundles", summary="Node: its own sealed bundles")
def node_bundles(job_id: JobId, node: NodeDep) -> list[dict[str, Any]]:
    return node.bundles(job_id)


@router.post("/node/jobs/{job_id}/result", response_model=Status, summary="Node: post a table")
def node_result(job_id: JobId, body: NodeResult, node: NodeDep) -> Status:
    return Status(status=node.post(job_id, body.attempt, body.result))


@router.post("/node/jobs/{job_id}/failure", response_model=Status, summary="Node: report failure")
def node_failure(job_id: JobId, body: NodeFailure, node: NodeDep) -> Status:
    node.fail(job_id, body.attempt, body.reason)
    return Status(status="failed")
