"""Server-side views of a clearing: per-member contributions (for the firewall's release rules)
and each request's cost against its fallback (for the alliance report).

Both decrypt in the aggregate scope and return figures per member: they are inputs to
publication rules and reports, not something to hand to another member. Each call is audited.

The fallback rule: what a requester would pay per unit without the exchange is the cheaper of
**overtime** in-house, priced at its maximum price plus 35% (``OVERTIME_PREMIUM``), and
**declining** the order, which costs its unserved penalty (the margin and goodwill lost). A
request with neither a maximum price nor a penalty has no known fallback and is left out of
cost comparisons.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from .. import audit as _audit
from ..db import Database
from ..errors import InputError, NotFoundError
from ..registry.service import Registry
from ..vault._context import Scope, scoped_session
from ..vault._keys import KeyRing, load_master_key
from ._platform_records import offer_ref, open_match, open_offer, open_request, request_ref
from ._platform_weeks import parse_week
from .models import ExchangeMatch, ExchangeOffer, ExchangeRequest, ExchangeRun

__all__ = [
    "OVERTIME_PREMIUM",
    "OfferOutcome",
    "RequestOutcome",
    "RunOutcome",
    "aggregate_contributions",
    "fallback_unit_cost",
    "run_outcome",
]

OVERTIME_PREMIUM = 0.35


def fallback_unit_cost(max_price: float | None, penalty: float | None) -> tuple[float, str]:
    """``(cost per unit, "overtime" | "declined" | "unknown")`` by the fallback rule above."""
    options = []
    if max_price is not None:
        options.append(((1 + OVERTIME_PREMIUM) * max_price, "overtime"))
    if penalty is not None:
        options.append((penalty, "declined"))
    return min(options) if options else (math.nan, "unknown")


@dataclass(frozen=True)
class RequestOutcome:
    ref: str
    member_id: str
    process: str
    quantity: float
    served: float
    paid: float  # settlement price x quantity over its matches
    logistics: float  # logistics cost over its matches
    max_price: float | None
    unserved_penalty: float | None

    @property
    def fallback(self) -> tuple[float, str]:
        return fallback_unit_cost(self.max_price, self.unserved_penalty)

    @property
    def fallback_cost(self) -> float:
        """All of it by the fallback: what the requester would pay without the exchange."""
        return self.quantity * self.fallback[0]

    @property
    def exchange_cost(self) -> float:
        """Matches at their price plus logistics, and the fallback for what stayed unserved."""
        return self.paid + self.logistics + (self.quantity - self.served) * self.fallback[0]


@dataclass(frozen=True)
class OfferOutcome:
    ref: str
    member_id: str
    site_id: str
    process: str
    capacity: float
    hosted: float


@dataclass(frozen=True)
class RunOutcome:
    run_id: int
    period: str
    week: str
    status: str
    pricing: str
    gap: float | None
    requests: list[RequestOutcome]
    offers: list[OfferOutcome]


def run_outcome(db: Database, period: str, week: str | int, *, actor: str = "system") -> RunOutcome:
    """Every offer and request of the week's clearing with what it hosted, got and paid."""
    key = Registry(db).period(period).key
    try:
        wk = parse_week(week, key)
    except InputError as exc:
        raise InputError(exc.reason, column="week") from None
    keyring = KeyRing(load_master_key(db.settings))
    with scoped_session(db, Scope.AGGREGATE) as s:
        run = s.scalar(
            select(ExchangeRun).where(ExchangeRun.period_key == key, ExchangeRun.week == wk)
        )
        if run is None:
            raise NotFoundError(f"week {wk} of {key} has not been cleared")
        served: dict[int, float] = defaultdict(float)
        paid: dict[int, float] = defaultdict(float)
        logistics: dict[int, float] = defaultdict(float)
        hosted: dict[int, float] = defaultdict(float)
        copies = select(ExchangeMatch).where(
            ExchangeMatch.run_id == run.id, ExchangeMatch.side == "requester"
        )
        for m in s.scalars(copies):
            quantity, price, per_unit = open_match(keyring.data_key(s, m.member_id), m)
            served[m.request_id] += quantity
            paid[m.request_id] += quantity * price
            logistics[m.request_id] += quantity * per_unit
            hosted[m.offer_id] += quantity
        requests = []
        for r in s.scalars(
            select(ExchangeRequest).where(ExchangeRequest.run_id == run.id).order_by("id")
        ):
            quantity, max_price, _, penalty = open_request(keyring.data_key(s, r.member_id), r)
            requests.append(RequestOutcome(
                request_ref(r.id), r.member_id, r.process_key, quantity, served[r.id],
                paid[r.id], logistics[r.id], max_price, penalty,
            ))  # fmt: skip
        offers = []
        for o in s.scalars(
            select(ExchangeOffer).where(ExchangeOffer.run_id == run.id).order_by("id")
        ):
            capacity, _ = open_offer(keyring.data_key(s, o.member_id), o)
            offers.append(OfferOutcome(offer_ref(o.id), o.member_id, o.site_id, o.process_key,
                                       capacity, hosted[o.id]))  # fmt: skip
        _audit.append(s, actor, "aggregate", f"exchange {key}/{wk}",
                      {"run_id": run.id, "view": "outcome", "requests": len(requests),
                       "offers": len(offers)})  # fmt: skip
        return RunOutcome(run.id, key, wk, run.status, run.pricing, run.gap, requests, offers)


def aggregate_contributions(
    db: Database, period: str, week: str | int, *, actor: str = "system"
) -> list[dict[str, object]]:
    """Per member and process family of a cleared week: what it offered, requested, hosted
    (matched on its offers) and received (matched on its requests); ``matched`` is the sum of
    the last two. The firewall's release rules decide what of this may be published."""
    outcome = run_outcome(db, period, week, actor=actor)
    cells: dict[tuple[str, str], dict[str, float]] = defaultdict(
        lambda: dict.fromkeys(("offered", "requested", "hosted", "received"), 0.0)
    )
    for o in outcome.offers:
        cell = cells[(o.member_id, o.process)]
        cell["offered"] += o.capacity
        cell["hosted"] += o.hosted
    for r in outcome.requests:
        cell = cells[(r.member_id, r.process)]
        cell["requested"] += r.quantity
        cell["received"] += r.served
    return [
        {"member_id": member, "process": process, "week": outcome.week, **values,
         "matched": values["hosted"] + values["received"]}
        for (member, process), values in sorted(cells.items())
    ]  # fmt: skip
