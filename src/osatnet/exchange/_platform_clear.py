"""Clearing one stored week inside the secretariat's aggregate-scope session.

The optimiser's plan is stored as one match row per side, each sealed under that side's data
key, so a member's session (and PostgreSQL's row-level security) only ever reaches its own
copy. The run row holds counts and settings, no confidential number.
"""

from __future__ import annotations

import json
import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit as _audit
from ..errors import ConflictError
from ..vault._keys import KeyRing
from ._clear import clear
from ._platform_inputs import load_week
from ._platform_records import RunInfo, offer_ref, request_ref, seal_match
from ._types import ClearingOptions
from .models import ExchangeMatch, ExchangeRun

__all__ = ["clear_week"]


def clear_week(
    s: Session, keyring: KeyRing, period: str, week: str, options: ClearingOptions, user: str
) -> RunInfo:
    """Clear ``week`` of ``period`` (checked and open), store the run and audit it."""
    done = s.scalar(
        select(ExchangeRun).where(ExchangeRun.period_key == period, ExchangeRun.week == week)
    )
    if done is not None:
        raise ConflictError(f"week {week} of {period} was cleared already (run {done.id})")
    inputs = load_week(s, keyring, period, week)
    if not inputs.offers or not inputs.requests:
        raise ConflictError(
            f"nothing to clear in {week} of {period}: {len(inputs.offers)} open offers, "
            f"{len(inputs.requests)} open requests"
        )
    result = clear(inputs.offers, inputs.requests, inputs.arcs, options)
    settings = {
        "time_limit": options.time_limit,
        "gap": options.mip_gap,
        "cost_per_km": options.logistics_cost_per_unit_km,
        "fairness": options.fairness_share,
    }
    run = ExchangeRun(
        period_key=period, week=week, status=result.status.value, pricing=options.pricing,
        gap=result.gap if math.isfinite(result.gap) else None, offers=len(inputs.offers),
        requests=len(inputs.requests), matches=int(result.match_quantity.shape[0]),
        created_by=user, options=json.dumps(settings, sort_keys=True),
    )  # fmt: skip
    s.add(run)
    s.flush()
    offer_of = {offer_ref(o.id): o for o in inputs.offer_rows}
    request_of = {request_ref(r.id): r for r in inputs.request_rows}
    price_of = {o.offer_id: o.unit_price for o in inputs.offers}
    for m in result.matches():
        o, r = offer_of[m.offer_id], request_of[m.request_id]
        # unit_cost is the host's price plus distance x rate: the rest is logistics.
        logistics = max(m.unit_cost - price_of[m.offer_id], 0.0)
        for side, member, other in (
            ("requester", r.member_id, o.member_id),
            ("host", o.member_id, r.member_id),
        ):
            row = ExchangeMatch(
                run_id=run.id, side=side, member_id=member, counterparty_id=other,
                request_id=r.id, offer_id=o.id,
            )  # fmt: skip
            seal_match(keyring.data_key(s, member), row, m.quantity, m.price, logistics)
            s.add(row)
    for offer in inputs.offer_rows:
        offer.status, offer.run_id = "cleared", run.id
    for request in inputs.request_rows:
        request.status, request.run_id = "cleared", run.id
    summary = {
        "run_id": run.id,
        "status": run.status,
        "pricing": run.pricing,
        "offers": run.offers,
        "requests": run.requests,
        "matches": run.matches,
    }
    _audit.append(s, user, "exchange-clear", f"exchange {period}/{week}", summary)
    s.flush()
    requested = float(sum(r.quantity for r in inputs.requests))
    return RunInfo(
        run_id=run.id, period=period, week=week, status=run.status, pricing=run.pricing,
        gap=run.gap, offers=run.offers, requests=run.requests, matches=run.matches,
        requested=requested, served=result.served_total,
        match_rate=result.served_total / requested if requested else 0.0,
        infeasible=len(result.infeasible), created_by=run.created_by, created_at=run.created_at,
    )  # fmt: skip
