"""Confidential submissions: a member's users reach their own member's data, nobody else's."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel

from ...errors import InputError
from ...vault import SubmissionInfo, ValueRecord, Vault
from ...vault._intake import SubmissionRow
from ..deps import ActorDep, DbDep

__all__ = ["router"]

router = APIRouter(prefix="/submissions", tags=["submissions"])
MAX_UPLOAD = 20 * 1024 * 1024


@router.get("", response_model=list[SubmissionInfo], summary="The caller's own submissions")
def mine(
    actor: ActorDep, db: DbDep, period: Annotated[str | None, Query(max_length=10)] = None
) -> list[SubmissionInfo]:
    return Vault(db, actor).submissions(period)


@router.get("/{period}/values", response_model=list[ValueRecord], summary="Own raw values")
def values(
    period: str,
    actor: ActorDep,
    db: DbDep,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[ValueRecord]:
    return Vault(db, actor).values(period, version=version)


class Rows(BaseModel):
    rows: list[SubmissionRow]


@router.post("/{period}", response_model=SubmissionInfo, status_code=201, summary="Submit rows")
def submit_rows(period: str, body: Rows, actor: ActorDep, db: DbDep) -> SubmissionInfo:
    if not body.rows:
        raise InputError("no rows to submit", column="rows")
    return Vault(db, actor).submit(period, body.rows, source="api")


@router.post(
    "/{period}/file", response_model=SubmissionInfo, status_code=201, summary="Submit a file"
)
async def submit_file(
    period: str, actor: ActorDep, db: DbDep, file: Annotated[UploadFile, File()]
) -> SubmissionInfo:
    name = Path(file.filename or "upload.csv").name
    if Path(name).suffix.lower() not in (".csv", ".xlsx"):
        raise InputError("expected a .csv or .xlsx file", file=name)
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InputError(f"the file is larger than {MAX_UPLOAD // 1024 // 1024} MB", file=name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return Vault(db, actor).submit_file(path, period)


@router.delete("/{period}", response_model=SubmissionInfo, summary="Withdraw the active version")
def withdraw(period: str, actor: ActorDep, db: DbDep) -> SubmissionInfo:
    return Vault(db, actor).withdraw(period)


@router.get("/{period}/status", response_model=list[SubmissionInfo], summary="Who submitted")
def status(period: str, actor: ActorDep, db: DbDep) -> list[SubmissionInfo]:
    return Vault(db, actor).status(period)
