"""Supply-chain risk: the shipped scenarios, and an assessment of an uploaded network."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel

from ...errors import InputError
from ...registry import Registry
from ...risk import assess, read_network, shipped_scenarios
from ..deps import ActorDep, DbDep

__all__ = ["router"]

router = APIRouter(prefix="/risk", tags=["risk"])
MAX_UPLOAD = 20 * 1024 * 1024


class ScenarioInfo(BaseModel):
    name: str
    description: str


@router.get("/scenarios", response_model=list[ScenarioInfo], summary="The shipped scenarios")
def scenarios(actor: ActorDep) -> list[ScenarioInfo]:
    return [
        ScenarioInfo(name=name, description=s.description)
        for name, s in sorted(shipped_scenarios().items())
    ]


@router.post("/assess", summary="Assess an uploaded network (.xlsx with nodes, links, needs)")
async def assess_network(
    actor: ActorDep,
    db: DbDep,
    network: Annotated[
        UploadFile, File(description="Workbook with sheets nodes, links, needs (and bom).")
    ],
    scenario: Annotated[list[str] | None, Form(description="Shipped scenario names.")] = None,
    horizon: Annotated[int, Form(ge=1, le=104)] = 26,
) -> dict[str, Any]:
    name = Path(network.filename or "network.xlsx").name
    if Path(name).suffix.lower() != ".xlsx":
        raise InputError("expected an .xlsx workbook", file=name)
    data = await network.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InputError("the workbook is larger than 20 MB", file=name)
    library = shipped_scenarios()
    unknown = [s for s in scenario or [] if s not in library]
    if unknown:
        raise InputError(
            f"unknown scenario {unknown[0]!r}; expected one of {', '.join(sorted(library))}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        net = read_network(path)
    result = assess(
        net, [library[s] for s in scenario or []], horizon=horizon,
        capabilities=Registry(db).capabilities(),
    )  # fmt: skip
    return result.as_dict()
