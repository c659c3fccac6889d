"""Capacity exchange: place members' overflow orders on other members' qualified spare capacity.

:func:`clear` is the core: a pure function from typed offers, requests and (optional) arcs to a
:class:`ClearingResult`. The file interface (:mod:`._files`) and the ``osatnet exchange`` commands
sit on top of it; the model, rules and statuses are documented in ``docs/exchange.md``.
"""

from __future__ import annotations

from ._clear import clear
from ._files import read_arcs, read_offers, read_requests, write_matches
from ._greedy import greedy
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

__all__ = [
    "Arc",
    "ClearingOptions",
    "ClearingResult",
    "ClearingStatus",
    "Infeasibility",
    "MarketPrice",
    "Match",
    "Offer",
    "Pricing",
    "Request",
    "clear",
    "greedy",
    "read_arcs",
    "read_offers",
    "read_requests",
    "write_matches",
]
