"""The capacity exchange: a member's own offers, requests and matches; the secretariat's clearing.

Everything goes through :class:`~osatnet.exchange.Exchange` on behalf of the signed-in user: a
member reads back only its own rows (the counterparty of a match only as the service names
it), and the secretariat sees a clearing run's totals and the week's released table, never a
member's figures.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import FormData

from ..api.deps import DbDep
from ..db import Database
from ..errors import InputError
from ..exchange import Exchange, RunInfo, period_weeks
from ..exchange.release import QUANTITIES, release_week
from ..registry import Registry, UserRole
from ..vault._context import Actor
from ..vault.releases import STATS
from .guard import ActorDep, CsrfForm, PageRoute, see_other
from .labels import stat_label
from .nav import MEMBER_ROLES, N_
from .render import language_of, render, translate

__all__ = ["router"]

router = APIRouter(prefix="/exchange", route_class=PageRoute, include_in_schema=False)
PRICINGS: dict[str, str] = {
    "pay-as-offered": N_("pay as offered (each host's own price)"),
    "uniform": N_("uniform (one clearing price per process)"),
}
_QUANTITY_LABELS: dict[str, str] = {
    "offered": N_("capacity offered"),
    "requested": N_("quantity requested"),
    "hosted": N_("quantity hosted"),
    "received": N_("quantity received"),
    "matched": N_("quantity matched"),
}
_RUN = "exchange_run"  # the session key holding the last clearing run shown to the secretariat


def number(form: FormData, name: str, *, required: bool) -> float | None:
    """A posted number: full-width digits and thousands separators accepted."""
    text = unicodedata.normalize("NFKC", str(form.get(name) or "")).replace(",", "").strip()
    if not text:
        if required:
            raise InputError("expected a number, got an empty field", column=name)
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(f"expected a number, got {text!r}", column=name) from None


def numbers(form: FormData, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[
    str, float | None
]:  # fmt: skip
    """Every posted number at once; all problems together (each located at its field)."""
    found: dict[str, float | None] = {}
    problems: list[InputError] = []
    for name in (*required, *optional):
        try:
            found[name] = number(form, name, required=name in required)
        except InputError as exc:
            problems.append(exc)
    if problems:
        raise InputError.many(problems)
    return found


def _text(form: FormData, name: str) -> str | None:
    value = str(form.get(name) or "").strip()
    return value or None


def _default_period(db: Database, period: str | None) -> str | None:
    registry = Registry(db)
    if period:
        return registry.period(period).key
    periods = registry.periods()
    open_ = [p.key for p in periods if p.status == "open"]
    return open_[-1] if open_ else (periods[-1].key if periods else None)


def _member_page(
    request: Request,
    actor: Actor,
    db: Database,
    period: str | None,
    *,
    status: int = 200,
    form_name: str | None = None,
    error: InputError | None = None,
    entered: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    member_id = actor.require_member()
    language = language_of(request)
    registry = Registry(db)
    key = _default_period(db, period)
    exchange = Exchange(db, actor)
    sites = registry.sites(member_id)
    own = {s.site_id for s in sites}
    processes = {p.key: p for p in registry.processes()}
    capabilities = [c for c in registry.capabilities() if c.site_id in own]
    context: dict[str, Any] = {}
    if key is not None:
        info = registry.period(key)
        context = {
            "period": info,
            "offers": exchange.my_offers(key),
            "requests": exchange.my_requests(key),
            "matches": exchange.my_matches(key),
            "weeks": period_weeks(key),
        }
    errors = error.all_errors if error is not None else []
    return render(
        request,
        "exchange.html",
        status=status,
        actor=actor,
        title=translate(language, "Capacity exchange"),
        periods=[p.key for p in registry.periods()],
        key=key,
        sites=sites,
        capabilities=capabilities,
        processes=processes,
        form_name=form_name,
        errors=errors,
        field_errors={e.column: e.reason for e in errors if e.column},
        entered=entered or {},
        done=done,
        **context,
    )


@router.get("")
def exchange(
    request: Request,
    actor: ActorDep,
    db: DbDep,
    period: Annotated[str | None, Query(max_length=10)] = None,
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    actor.require(*MEMBER_ROLES)
    return _member_page(request, actor, db, period, done=done)


def _posted(form: FormData) -> dict[str, str]:
    return {k: str(v) for k, v in form.items() if k != "csrf" and isinstance(v, str)}


@router.post("/{period}/offers")
def post_offer(
    period: str, request: Request, form: CsrfForm, actor: ActorDep, db: DbDep
) -> Response:
    actor.require(*MEMBER_ROLES)
    key = Registry(db).period(period).key
    try:
        given = numbers(form, ("capacity", "unit_price"))
        capacity, price = float(given["capacity"] or 0), float(given["unit_price"] or 0)
        site_id, _, process = str(form.get("where") or "").partition("|")
        record = Exchange(db, actor).post_offer(
            key,
            process=process,
            week=str(form.get("week") or ""),
            capacity=capacity,
            unit_price=price,
            site_id=site_id or None,
            label=_text(form, "label"),
        )
    except InputError as exc:
        return _member_page(
            request, actor, db, key, status=422, form_name="offer", error=exc,
            entered=_posted(form),
        )  # fmt: skip
    return see_other(f"/exchange?period={key}&done={record.ref}")


@router.post("/{period}/requests")
def post_request(
    period: str, request: Request, form: CsrfForm, actor: ActorDep, db: DbDep
) -> Response:
    actor.require(*MEMBER_ROLES)
    key = Registry(db).period(period).key
    try:
        given = numbers(form, ("quantity",), ("max_price", "unserved_penalty"))
        requires = [t for t in str(form.get("requires") or "").replace("、", ";").split(";")]
        record = Exchange(db, actor).post_request(
            key,
            process=str(form.get("process") or ""),
            quantity=float(given["quantity"] or 0),
            site_id=_text(form, "site_id"),
            earliest_week=_text(form, "earliest_week"),
            due_week=_text(form, "due_week"),
            max_price=given["max_price"],
            unserved_penalty=given["unserved_penalty"],
            splittable=form.get("splittable") is not None,
            requires=[t for t in requires if t.strip()],
            label=_text(form, "label"),
        )
    except InputError as exc:
        return _member_page(
            request, actor, db, key, status=422, form_name="request", error=exc,
            entered=_posted(form),
        )  # fmt: skip
    return see_other(f"/exchange?period={key}&done={record.ref}")


@router.post("/withdraw")
def withdraw(request: Request, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    actor.require(*MEMBER_ROLES)
    ref = Exchange(db, actor).withdraw(str(form.get("ref") or ""))
    period = str(form.get("period") or "")
    target = f"/exchange?period={period}&done={ref}" if period else f"/exchange?done={ref}"
    return see_other(target)


# -- the secretariat ---------------------------------------------------------------------------
def _clearing_page(
    request: Request,
    actor: Actor,
    db: Database,
    *,
    status: int = 200,
    error: InputError | None = None,
    form_name: str | None = None,
    entered: dict[str, str] | None = None,
) -> Response:
    language = language_of(request)
    registry = Registry(db)
    open_ = [p.key for p in registry.periods() if p.status == "open"]
    saved = request.session.get(_RUN)
    run = RunInfo.model_validate(saved) if isinstance(saved, dict) else None
    errors = error.all_errors if error is not None else []
    return render(
        request,
        "exchange_clearing.html",
        status=status,
        actor=actor,
        title=translate(language, "Exchange clearing"),
        periods=open_,
        all_periods=[p.key for p in registry.periods()],
        weeks={p: period_weeks(p) for p in open_},
        run=run,
        pricings=[(k, translate(language, v)) for k, v in PRICINGS.items()],
        pricing_label=lambda k: translate(language, PRICINGS[k]) if k in PRICINGS else k,
        quantities=[(q, translate(language, _QUANTITY_LABELS[q])) for q in QUANTITIES],
        stats=[(s, stat_label(s, language)) for s in STATS],
        errors=errors,
        form_name=form_name,
        field_errors={e.column: e.reason for e in errors if e.column},
        entered=entered or {},
    )


@router.get("/clearing")
def clearing(request: Request, actor: ActorDep, db: DbDep) -> Response:
    actor.require(UserRole.SECRETARIAT)
    return _clearing_page(request, actor, db)


@router.post("/clearing")
def clear(request: Request, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    actor.require(UserRole.SECRETARIAT)
    pricing = str(form.get("pricing") or "pay-as-offered")
    try:
        if pricing not in PRICINGS:
            raise InputError(
                f"pricing must be pay-as-offered or uniform, got {pricing!r}", column="pricing"
            )
        period = Registry(db).period(str(form.get("period") or "")).key
        info = Exchange(db, actor).clear(
            period,
            str(form.get("week") or ""),
            pricing="uniform" if pricing == "uniform" else "pay-as-offered",
            time_limit=30.0,
        )
    except InputError as exc:
        return _clearing_page(
            request, actor, db, status=422, error=exc, form_name="clear", entered=_posted(form)
        )
    request.session[_RUN] = info.model_dump(mode="json")
    return see_other("/exchange/clearing#run")


@router.post("/clearing/release")
def release(request: Request, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    actor.require(UserRole.SECRETARIAT)
    try:
        period = Registry(db).period(str(form.get("period") or "")).key
        table = release_week(
            db,
            actor,
            period,
            str(form.get("week") or ""),
            str(form.get("quantity") or "matched"),
            str(form.get("stat") or "sum"),
        )
    except InputError as exc:
        return _clearing_page(
            request, actor, db, status=422, error=exc, form_name="release", entered=_posted(form)
        )
    return see_other(f"/releases/{table.id}")
