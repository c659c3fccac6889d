"""Joint procurement: rounds for everyone, a member's own demand and result, the secretariat's
round management and totals.

Everything goes through :class:`~osatnet.procurement.Procurement` on behalf of the signed-in
user: a member reads only its own demand and result, the secretariat and auditors only the
round's totals.
"""

from __future__ import annotations

import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import FormData, UploadFile

from ..api.deps import DbDep
from ..db import Database
from ..errors import ConflictError, InputError, NotFoundError
from ..procurement import CATALOG, MemberResult, Procurement, ResilienceRules, RoundSummary
from ..registry import UserRole
from ..vault._context import Actor
from .charts import procurement_figure
from .guard import ActorDep, CsrfForm, PageRoute, see_other
from .nav import MEMBER_ROLES
from .render import language_of, render, translate

__all__ = ["router"]

router = APIRouter(prefix="/procurement", route_class=PageRoute, include_in_schema=False)
MAX_UPLOAD = 5 * 1024 * 1024
MAX_ROWS = 200
FORM = "form"


@dataclass(frozen=True)
class DemandRow:
    number: int
    category: str = ""
    quantity: str = ""
    price: str = ""

    @property
    def blank(self) -> bool:
        return not (self.category or self.quantity.strip() or self.price.strip())


def _category_names(language: str) -> dict[str, str]:
    return {k: (e.name_ja if language == "ja" else e.name_en) for k, e in CATALOG.items()}


@router.get("")
def rounds(request: Request, actor: ActorDep, db: DbDep) -> Response:
    language = language_of(request)
    return render(
        request,
        "procurement.html",
        actor=actor,
        title=translate(language, "Joint procurement"),
        rounds=list(reversed(Procurement(db, actor).rounds())),
        can_manage=actor.role is UserRole.SECRETARIAT,
    )


@router.post("")
def open_round(request: Request, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    actor.require(UserRole.SECRETARIAT)
    key = str(form.get("key") or "").strip()
    target = _number(form.get("target"), "target")
    min_suppliers = _number(form.get("min_suppliers"), "min_suppliers")
    max_share = _number(form.get("max_supplier_share"), "max_supplier_share")
    rules = ResilienceRules(
        max_supplier_share=None if max_share is None else max_share / 100,
        min_suppliers=int(min_suppliers or 1),
    )
    info = Procurement(db, actor).open_round(
        key,
        title=str(form.get("title") or "").strip() or None,
        rules=rules,
        savings_target=(target if target is not None else 20.0) / 100,
    )
    return see_other(f"/procurement/{info.key}")


def _number(raw: object, column: str, row: int | None = None) -> float | None:
    text = unicodedata.normalize("NFKC", str(raw or "")).replace(",", "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(
            f"expected a number, got {text!r}", file=FORM if row else None, row=row, column=column
        ) from None


def _find(db: Database, actor: Actor, key: str) -> Any:
    for info in Procurement(db, actor).rounds():
        if info.key == key:
            return info
    raise NotFoundError(f"no procurement round {key!r}")


@router.get("/{key}")
def round_page(
    key: str,
    request: Request,
    actor: ActorDep,
    db: DbDep,
    saved: Annotated[int | None, Query(ge=0)] = None,
    quotes: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    return _round_page(request, actor, db, key, saved=saved, quotes=quotes)


def _round_page(
    request: Request,
    actor: Actor,
    db: Database,
    key: str,
    *,
    saved: int | None = None,
    quotes: int | None = None,
    errors: list[InputError] | None = None,
    entered: list[DemandRow] | None = None,
    status: int = 200,
) -> Response:
    language = language_of(request)
    info = _find(db, actor, key)
    service = Procurement(db, actor)
    names = _category_names(language)
    context: dict[str, Any] = {}
    if actor.role in MEMBER_ROLES:
        demand = service.my_demand(key)
        rows = entered
        if rows is None:
            rows = [
                DemandRow(i, d.category, format(d.quantity, ".15g"),
                          "" if d.current_unit_price is None
                          else format(d.current_unit_price, ".15g"))
                for i, d in enumerate(demand, start=1)
            ]  # fmt: skip
            rows += [DemandRow(len(rows) + i) for i in range(1, 4)]
        result: MemberResult | None = None
        no_result = None
        if info.status == "awarded":
            try:
                result = service.my_result(key)
            except (NotFoundError, ConflictError) as exc:
                no_result = str(exc)
        context = {"demand": demand, "rows": rows, "result": result, "no_result": no_result}
    else:
        summary: RoundSummary | None = None
        chart = ""
        if info.status == "awarded":
            summary = service.round_summary(key)
            chart = procurement_figure(
                solo_total=summary.solo_total,
                total_cost=summary.total_cost,
                current_spend=summary.current_spend,
                target_pct=summary.target_pct,
                labels={
                    "solo": translate(language, "Each member buying alone"),
                    "pooled": translate(language, "Buying together"),
                    "current": translate(language, "Today's spend"),
                    "target": translate(language, "Savings target"),
                },
            )
        context = {"summary": summary, "chart": chart}
    return render(
        request,
        "procurement_round.html",
        status=status,
        actor=actor,
        title=translate(language, "Procurement round %(key)s", key=key),
        round=info,
        names=names,
        categories=sorted(CATALOG.items(), key=lambda kv: kv[0]),
        can_manage=actor.role is UserRole.SECRETARIAT,
        saved=saved,
        quotes=quotes,
        errors=errors,
        rows_entered=entered is not None,
        **context,
    )


def _parse_rows(form: FormData) -> list[DemandRow]:
    rows = []
    for n in range(1, MAX_ROWS + 1):
        if f"category-{n}" not in form:
            break
        rows.append(
            DemandRow(
                n,
                str(form.get(f"category-{n}") or ""),
                str(form.get(f"quantity-{n}") or ""),
                str(form.get(f"price-{n}") or ""),
            )
        )
    return rows


@router.post("/{key}/demand")
def submit_demand(
    key: str, request: Request, form: CsrfForm, actor: ActorDep, db: DbDep
) -> Response:
    actor.require(*MEMBER_ROLES)
    rows = _parse_rows(form)
    filled = [r for r in rows if not r.blank]
    try:
        if not filled:
            raise InputError(translate(language_of(request), "Enter at least one row."), file=FORM)
        data: list[dict[str, object]] = []
        problems: list[InputError] = []
        for r in filled:
            try:
                quantity = _number(r.quantity, "quantity", r.number)
                if quantity is None:
                    raise InputError("expected a quantity", file=FORM, row=r.number,
                                     column="quantity")  # fmt: skip
                if not r.category:
                    raise InputError("choose a category", file=FORM, row=r.number,
                                     column="category")  # fmt: skip
                data.append({"category": r.category, "quantity": quantity,
                             "current_unit_price": _number(r.price, "current_unit_price",
                                                           r.number)})  # fmt: skip
            except InputError as exc:
                problems.append(exc)
        if problems:
            raise InputError.many(problems)
        try:
            receipt = Procurement(db, actor).submit_demand(key, data)
        except InputError as exc:
            # The service numbers the rows it was given (the filled ones): point at the form's.
            raise InputError.many([
                InputError(e.reason, file=FORM, column=e.column,
                           row=filled[e.row - 1].number if e.row else None)
                for e in exc.all_errors
            ]) from None  # fmt: skip
    except InputError as exc:
        return _round_page(request, actor, db, key, errors=exc.all_errors, entered=rows, status=422)
    return see_other(f"/procurement/{key}?saved={receipt.lines}")


@router.post("/{key}/demand/upload")
def upload_demand(
    key: str, request: Request, form: CsrfForm, actor: ActorDep, db: DbDep
) -> Response:
    actor.require(*MEMBER_ROLES)
    file = form.get("file")
    try:
        receipt = Procurement(db, actor).submit_demand(key, _uploaded(request, file, ".csv"))
    except InputError as exc:
        return _round_page(request, actor, db, key, errors=exc.all_errors, status=422)
    finally:
        _cleanup(request)
    return see_other(f"/procurement/{key}?saved={receipt.lines}")


def _uploaded(request: Request, file: object, suffix: str) -> Path:
    """The upload saved to a temporary folder (removed by :func:`_cleanup`), its name kept."""
    if not isinstance(file, UploadFile) or not file.filename:
        raise InputError(translate(language_of(request), "Choose a file to upload."))
    name = Path(file.filename).name
    if Path(name).suffix.lower() != suffix:
        raise InputError(f"expected a {suffix} file", file=name)
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InputError(f"the file is larger than {MAX_UPLOAD // 2**20} MB", file=name)
    tmp = tempfile.TemporaryDirectory()
    request.state.upload_dir = tmp
    path = Path(tmp.name) / name
    path.write_bytes(data)
    return path


def _cleanup(request: Request) -> None:
    tmp = getattr(request.state, "upload_dir", None)
    if isinstance(tmp, tempfile.TemporaryDirectory):
        tmp.cleanup()


@router.post("/{key}/quotes")
def enter_quotes(
    key: str, request: Request, form: CsrfForm, actor: ActorDep, db: DbDep
) -> Response:
    actor.require(UserRole.SECRETARIAT)
    try:
        count = Procurement(db, actor).enter_quotes(
            key, _uploaded(request, form.get("file"), ".csv")
        )
    except InputError as exc:
        return _round_page(request, actor, db, key, errors=exc.all_errors, status=422)
    finally:
        _cleanup(request)
    return see_other(f"/procurement/{key}?quotes={count}")


@router.post("/{key}/close")
def close_round(key: str, request: Request, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    actor.require(UserRole.SECRETARIAT)
    Procurement(db, actor).close_round(key)
    return see_other(f"/procurement/{key}")


@router.post("/{key}/award")
def award(key: str, request: Request, form: CsrfForm, actor: ActorDep, db: DbDep) -> Response:
    actor.require(UserRole.SECRETARIAT)
    method = str(form.get("method") or "shapley")
    Procurement(db, actor).run_award(key, method=method)
    return see_other(f"/procurement/{key}")
