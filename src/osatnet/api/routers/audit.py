"""The audit trail, for auditors and the secretariat."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from ...vault import Vault
from ..deps import ActorDep, DbDep

__all__ = ["router"]

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    target: str
    details: str
    hash: str


class Problem(BaseModel):
    seq: int
    kind: str
    message: str


class Verification(BaseModel):
    ok: bool
    problems: list[Problem]


@router.get("", response_model=list[AuditOut], summary="The newest audit entries")
def entries(
    actor: ActorDep, db: DbDep, limit: Annotated[int, Query(ge=1, le=1000)] = 50
) -> list[AuditOut]:
    return [
        AuditOut(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            action=e.action,
            target=e.target,
            details=e.details,
            hash=e.hash,
        )
        for e in Vault(db, actor).audit_entries(limit)
    ]


@router.get("/verify", response_model=Verification, summary="Check the hash chain")
def verify(
    actor: ActorDep, db: DbDep, anchor: Annotated[str | None, Query(max_length=64)] = None
) -> Verification:
    problems = Vault(db, actor).verify_audit(anchor)
    return Verification(
        ok=not problems,
        problems=[Problem(seq=p.seq, kind=p.kind, message=p.message) for p in problems],
    )
