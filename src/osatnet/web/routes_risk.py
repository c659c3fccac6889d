"""The risk dashboard: assess an uploaded network workbook, or the demo network, under the
shipped scenarios; concentration, time to survive against time to recover, scenario losses and
a map. A member's own sites (nodes whose ``member_id`` is its member) are highlighted.

The network is the user's own file (or the demo's): nothing is stored, and the page shows only
what the workbook holds, computed by :func:`osatnet.risk.assess`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import UploadFile

from ..api.deps import DbDep
from ..db import Database
from ..demo.generator import generate_registry
from ..errors import InputError
from ..registry import Registry
from ..risk import Network, assess, generate_network, read_network, shipped_scenarios
from ..vault._context import Actor
from .charts_risk import hhi_figure, risk_map, scenario_figure, tts_figure
from .guard import ActorDep, CsrfForm, PageRoute
from .nav import N_
from .render import language_of, render, translate

__all__ = ["router"]

router = APIRouter(prefix="/risk", route_class=PageRoute, include_in_schema=False)
MAX_UPLOAD = 20 * 1024 * 1024
DEMO_SEED = 7
KINDS: dict[str, str] = {
    "member_site": N_("member site"),
    "tier1": N_("tier-1 supplier"),
    "tier2+": N_("tier-2+ supplier"),
    "logistics_hub": N_("logistics hub"),
}
LEVELS: dict[str, str] = {"high": N_("high"), "moderate": N_("moderate"), "low": N_("low")}


def _page(
    request: Request,
    actor: Actor,
    *,
    network: Network | None = None,
    source: str = "demo",
    chosen: list[str] | None = None,
    horizon: int = 26,
    reroute: bool = False,
    db: Database | None = None,
    errors: list[InputError] | None = None,
    status: int = 200,
) -> Response:
    language = language_of(request)
    library = shipped_scenarios()
    context: dict[str, Any] = {}
    if network is not None:
        capabilities = Registry(db).capabilities() if reroute and db is not None else None
        result = assess(
            network, [library[s] for s in chosen or []], horizon=horizon,
            capabilities=capabilities,
        )  # fmt: skip
        data = result.as_dict()
        own = {
            n.node_id for n in network.nodes if actor.member_id and n.member_id == actor.member_id
        }
        concentration: dict[str, Any] = data["concentration"]  # type: ignore[assignment]
        nodes: list[dict[str, Any]] = data["nodes"]  # type: ignore[assignment]
        scenarios: list[dict[str, Any]] = data["scenarios"]  # type: ignore[assignment]
        reroutes: list[dict[str, Any]] = data["reroutes"]  # type: ignore[assignment]
        weeks = translate(language, "weeks")
        context = {
            "concentration": concentration,
            "nodes": nodes,
            "scenarios": scenarios,
            "reroutes": {str(r["scenario"]): r for r in reroutes},
            "info": {n.node_id: n for n in network.nodes},
            "own": own,
            "link_count": len(network.links),
            "at_risk": sum(
                1 for r in nodes if r["tts_weeks"] is not None and r["ttr_weeks"] > r["tts_weeks"]
            ),
            "hhi_chart": hhi_figure(
                concentration["items"],
                {
                    "supplier": translate(language, "by supplier"),
                    "country": translate(language, "by country"),
                    "region": translate(language, "by region"),
                    "high": translate(language, "highly concentrated (above 2,500)"),
                    "moderate": translate(language, "moderately concentrated (1,500)"),
                    "axis": translate(language, "HHI (0–10,000)"),
                },
            ),
            "tts_chart": tts_figure(
                nodes,
                own,
                {
                    "tts": translate(language, "time to survive (weeks)"),
                    "ttr": translate(language, "time to recover (weeks)"),
                    "axis": weeks,
                    "own": translate(language, "your sites"),
                },
            ),
            "scenario_chart": scenario_figure(
                scenarios,
                reroutes,
                {
                    "lost": translate(language, "lost value"),
                    "after": translate(language, "lost value after rerouting in the alliance"),
                    "axis": "JPY",
                },
            )
            if scenarios
            else "",
            "map_chart": risk_map(
                network,
                {str(r["node_id"]): float(r["exposure"]) for r in nodes},
                actor.member_id,
                {
                    "links": translate(language, "supply links"),
                    "own": translate(language, "your sites"),
                    "exposure": translate(language, "exposure"),
                    **{k: translate(language, v) for k, v in KINDS.items()},
                },
            ),
        }
    return render(
        request,
        "risk.html",
        status=status,
        actor=actor,
        title=translate(language, "Supply-chain risk"),
        library=sorted(library.items()),
        chosen=chosen or [],
        source=source,
        horizon=horizon,
        reroute=reroute,
        errors=errors,
        kind_label=lambda k: translate(language, KINDS[k]) if k in KINDS else k,
        level_label=lambda k: translate(language, LEVELS[k]) if k in LEVELS else k,
        assessed=network is not None,
        **context,
    )


def _demo() -> Network:
    return generate_network(generate_registry(DEMO_SEED), DEMO_SEED)


def _scenarios(names: list[str]) -> list[str]:
    library = shipped_scenarios()
    unknown = [s for s in names if s not in library]
    if unknown:
        raise InputError(
            f"unknown scenario {unknown[0]!r}; expected one of {', '.join(sorted(library))}",
            column="scenario",
        )
    return names


def _horizon(raw: object) -> int:
    text = str(raw or "26").strip()
    if not text.isdigit() or not 1 <= int(text) <= 104:
        raise InputError(f"expected whole weeks from 1 to 104, got {text!r}", column="horizon")
    return int(text)


@router.get("")
def risk(
    request: Request,
    actor: ActorDep,
    db: DbDep,
    network: Annotated[str | None, Query(max_length=10)] = None,
    scenario: Annotated[list[str] | None, Query()] = None,
    horizon: Annotated[int, Query(ge=1, le=104)] = 26,
) -> Response:
    """The form; with ``?network=demo`` the demo network's assessment (read-only, so a GET)."""
    if network is None:
        return _page(request, actor, horizon=horizon)
    if network != "demo":
        raise InputError("network must be demo here; upload a workbook with the form")
    chosen = _scenarios(scenario or [])
    return _page(request, actor, network=_demo(), chosen=chosen, horizon=horizon, db=db)


@router.post("")
def assess_upload(request: Request, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    """Assess the demo network or an uploaded workbook (checked as a whole; every error shown)."""
    source = str(form.get("network") or "demo")
    chosen = [str(s) for s in form.getlist("scenario")]
    reroute = form.get("reroute") is not None
    try:
        horizon = _horizon(form.get("horizon"))
        _scenarios(chosen)
        net = _read_upload(request, form.get("file")) if source == "upload" else _demo()
    except InputError as exc:
        return _page(
            request, actor, source=source, chosen=chosen, reroute=reroute,
            errors=exc.all_errors, status=422,
        )  # fmt: skip
    return _page(
        request, actor, network=net, source=source, chosen=chosen, horizon=horizon,
        reroute=reroute, db=db,
    )  # fmt: skip


def _read_upload(request: Request, file: object) -> Network:
    if not isinstance(file, UploadFile) or not file.filename:
        raise InputError(translate(language_of(request), "Choose a file to upload."))
    name = Path(file.filename).name
    if Path(name).suffix.lower() != ".xlsx":
        raise InputError("expected an .xlsx workbook with sheets nodes, links, needs", file=name)
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InputError(f"the workbook is larger than {MAX_UPLOAD // 2**20} MB", file=name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return read_network(path)
