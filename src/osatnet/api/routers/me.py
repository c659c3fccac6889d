"""Who am I."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from ...registry.catalog import UserRole
from ..deps import ActorDep

__all__ = ["router"]

router = APIRouter(tags=["me"])


class Me(BaseModel):
    username: str
    role: UserRole
    member_id: str | None


@router.get("/me", response_model=Me, summary="The calling user")
def me(actor: ActorDep) -> Me:
    return Me(username=actor.username, role=actor.role, member_id=actor.member_id)
