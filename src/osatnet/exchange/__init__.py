"""Capacity exchange: place members' overflow orders on other members' qualified spare capacity.

:func:`clear` is the core: a pure function from typed offers, requests and (optional) arcs to a
:class:`ClearingResult`. The file interface (:mod:`._files`) and the ``osatnet exchange`` commands
sit on top of it; the model, rules and statuses are documented in ``docs/exchange.md``.

In the platform, :class:`Exchange` stores members' offers and requests per reporting period
(encrypted, own rows only) and lets the secretariat clear a week; :func:`aggregate_contributions`
and :func:`run_outcome` are the server-side views for releases and reports.
"""

from __future__ import annotations

from ._clear import clear
from ._files import read_arcs, read_offers, read_requests, write_matches
from ._greedy import greedy
from ._platform_outcome import (
    OVERTIME_PREMIUM,
    OfferOutcome,
    RequestOutcome,
    RunOutcome,
    aggregate_contributions,
    fallback_unit_cost,
    run_outcome,
)
from ._platform_records import (
    MatchRecord,
    OfferDraft,
    OfferRecord,
    PostReport,
    RequestDraft,
    RequestRecord,
    RunInfo,
)
from ._platform_weeks import parse_week, period_weeks, week_index
from ._types import (
    Arc,
    ClearingOptions,
    ClearingResult,
    ClearingStatus,
    Infeasibility,
    MarketPrice,
    Match,
    Offer,
    Pricing,
    Request,
)
from .service import Exchange

__all__ = [
    "OVERTIME_PREMIUM",
    "Arc",
    "ClearingOptions",
    "ClearingResult",
    "ClearingStatus",
    "Exchange",
    "Infeasibility",
    "MarketPrice",
    "Match",
    "MatchRecord",
    "Offer",
    "OfferDraft",
    "OfferOutcome",
    "OfferRecord",
    "PostReport",
    "Pricing",
    "Request",
    "RequestDraft",
    "RequestOutcome",
    "RequestRecord",
    "RunInfo",
    "RunOutcome",
    "aggregate_contributions",
    "clear",
    "fallback_unit_cost",
    "greedy",
    "parse_week",
    "period_weeks",
    "read_arcs",
    "read_offers",
    "read_requests",
    "run_outcome",
    "week_index",
    "write_matches",
]
