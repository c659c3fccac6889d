"""The optimiser's inputs for one week, from stored offers and requests and the registry.

Runs inside the secretariat's aggregate-scope session: numbers are decrypted here, handed to
:func:`~osatnet.exchange.clear` and never returned. Sites give coordinates (logistics cost),
country and region (``country:`` / ``region:`` requirements), certifications, and the
capability's automotive flag (the ``AUTOMOTIVE`` token).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..vault._keys import KeyRing
from ._platform_checks import SiteFacts, load_sites
from ._platform_records import offer_ref, open_offer, open_request, request_ref
from ._platform_weeks import week_index
from ._types import Arc, Offer, Request
from .models import ExchangeOffer, ExchangeRequest

__all__ = ["WeekInputs", "load_week"]


@dataclass
class WeekInputs:
    offer_rows: list[ExchangeOffer]
    request_rows: list[ExchangeRequest]
    offers: list[Offer]
    requests: list[Request]
    arcs: list[Arc] | None
    sites: dict[str, SiteFacts]


def _in_window(row: ExchangeRequest, week: str) -> bool:
    # ISO week keys are zero-padded, so text order is time order.
    return (row.earliest_week is None or row.earliest_week <= week) and (
        row.due_week is None or week <= row.due_week
    )


def load_week(session: Session, keyring: KeyRing, period: str, week: str) -> WeekInputs:
    """Open offers of ``week`` and open requests of ``period`` whose window holds ``week``."""
    offer_rows = list(
        session.scalars(
            select(ExchangeOffer)
            .where(
                ExchangeOffer.period_key == period,
                ExchangeOffer.week == week,
                ExchangeOffer.status == "open",
            )
            .order_by(ExchangeOffer.id)
        )
    )
    request_rows = [
        r
        for r in session.scalars(
            select(ExchangeRequest)
            .where(ExchangeRequest.period_key == period, ExchangeRequest.status == "open")
            .order_by(ExchangeRequest.id)
        )
        if _in_window(r, week)
    ]
    sites = load_sites(session)
    index = week_index(week)
    offers = []
    for o in offer_rows:
        capacity, price = open_offer(keyring.data_key(session, o.member_id), o)
        site = sites[o.site_id]
        offers.append(
            Offer(
                offer_id=offer_ref(o.id), process=o.process_key, week=index, capacity=capacity,
                unit_price=price, site_id=o.site_id, country=site.country, region=site.region,
                certifications=site.tokens(o.process_key), latitude=site.lat, longitude=site.lon,
            )
        )  # fmt: skip
    requests = []
    for r in request_rows:
        quantity, max_price, min_split, penalty = open_request(
            keyring.data_key(session, r.member_id), r
        )
        site = sites[r.site_id]
        requests.append(
            Request(
                request_id=request_ref(r.id), process=r.process_key, quantity=quantity,
                member_id=r.member_id,
                earliest_week=None if r.earliest_week is None else week_index(r.earliest_week),
                due_week=None if r.due_week is None else week_index(r.due_week),
                max_price=max_price, splittable=r.splittable, min_split=min_split,
                unserved_penalty=penalty, requires=frozenset(filter(None, r.requires.split(";"))),
                site_id=r.site_id, latitude=site.lat, longitude=site.lon,
            )
        )  # fmt: skip
    return WeekInputs(
        offer_rows, request_rows, offers, requests, _other_members(offer_rows, request_rows), sites
    )


def _other_members(
    offer_rows: list[ExchangeOffer], request_rows: list[ExchangeRequest]
) -> list[Arc] | None:
    """Arcs that keep a member's requests off its own offers, or None when none would.

    The exchange places overflow with *other* members (a member moves work between its own
    sites without the alliance). Arcs are only built when some member is on both sides of a
    process, so the usual case keeps the optimiser's fast path of all same-process pairs.
    """
    sides: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for o in offer_rows:
        sides[o.process_key][0].add(o.member_id)
    for r in request_rows:
        sides[r.process_key][1].add(r.member_id)
    if not any(hosts & requesters for hosts, requesters in sides.values()):
        return None
    by_process: dict[str, list[ExchangeOffer]] = defaultdict(list)
    for o in offer_rows:
        by_process[o.process_key].append(o)
    return [
        Arc(request_ref(r.id), offer_ref(o.id))
        for r in request_rows
        for o in by_process[r.process_key]
        if o.member_id != r.member_id
    ]
