"""The exchange's vocabulary: offers, requests, arcs, options and the clearing result.

Plain frozen dataclasses: the clearing core is a pure function of these, so the platform (which
stores offers and requests per period) and the file interface feed it the same way.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

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
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

Pricing = Literal["pay-as-offered", "uniform"]


@dataclass(frozen=True, slots=True)
class Offer:
    """Spare capacity posted by a host site: ``capacity`` units of ``process`` in ``week``.

    ``unit_price`` is the host's minimum price per unit (JPY). ``certifications`` and the
    location (``country``, ``region``) are matched against a request's ``requires``.
    """

    offer_id: str
    process: str
    week: int
    capacity: float
    unit_price: float
    site_id: str | None = None
    country: str | None = None
    region: str | None = None
    certifications: frozenset[str] = frozenset()
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class Request:
    """An overflow order looking for a host.

    ``earliest_week``/``due_week`` of ``None`` mean "no bound". ``max_price`` of ``None`` means
    "any price". ``unserved_penalty`` of ``None`` means the request must be served in full
    (otherwise the clearing is infeasible and names it). ``requires`` holds certifications
    (all needed) plus ``country:XX`` / ``region:YY`` tokens (at least one must match when any
    is given).
    """

    request_id: str
    process: str
    quantity: float
    member_id: str | None = None
    earliest_week: int | None = None
    due_week: int | None = None
    max_price: float | None = None
    splittable: bool = True
    min_split: float = 0.0
    unserved_penalty: float | None = None
    requires: frozenset[str] = frozenset()
    site_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def certifications(self) -> frozenset[str]:
        """The certification tokens of ``requires`` (those without a ``country:``/``region:``)."""
        return frozenset(t for t in self.requires if not _is_location(t))

    @property
    def locations(self) -> frozenset[str]:
        """The ``country:XX`` / ``region:YY`` tokens of ``requires``."""
        return frozenset(t for t in self.requires if _is_location(t))


def _is_location(token: str) -> bool:
    return token.startswith(("country:", "region:"))


@dataclass(frozen=True, slots=True)
class Arc:
    """An explicitly allowed (request, offer) pair.

    ``unit_cost`` (when not ``None``) replaces the computed price + logistics cost of one unit;
    one unit of the request uses ``capacity_per_unit`` units of the offer's capacity.
    """

    request_id: str
    offer_id: str
    unit_cost: float | None = None
    capacity_per_unit: float = 1.0


@dataclass(frozen=True, slots=True)
class ClearingOptions:
    """Knobs of the clearing.

    ``fairness_share`` in [0, 1]: in a process family whose capacity is short of demand, each
    requester gets at least ``share x fill x demand`` (fill = capacity / demand). ``None`` or 0
    switches the rule off. ``max_lateness_weeks`` lets an order be produced up to that many
    weeks after its due week, at ``lateness_penalty`` per unit and week.
    """

    logistics_cost_per_unit_km: float = 0.0
    lateness_penalty: float = 0.0
    max_lateness_weeks: int = 0
    fairness_share: float | None = None
    fairness_penalty: float | None = None
    time_limit: float | None = 60.0
    mip_gap: float = 1e-4
    pricing: Pricing = "pay-as-offered"
    threads: int | None = None

    def __post_init__(self) -> None:
        checks: list[tuple[bool, str]] = [
            (self.logistics_cost_per_unit_km >= 0, "logistics_cost_per_unit_km must be >= 0"),
            (self.lateness_penalty >= 0, "lateness_penalty must be >= 0"),
            (self.max_lateness_weeks >= 0, "max_lateness_weeks must be >= 0"),
            (
                self.fairness_share is None or 0.0 <= self.fairness_share <= 1.0,
                f"fairness_share must be between 0 and 1, got {self.fairness_share}",
            ),
            (
                self.fairness_penalty is None or self.fairness_penalty >= 0,
                "fairness_penalty must be >= 0",
            ),
            (
                self.time_limit is None or self.time_limit > 0,
                f"time_limit must be > 0 seconds, got {self.time_limit}",
            ),
            (0.0 <= self.mip_gap < 1.0, f"mip_gap must be in [0, 1), got {self.mip_gap}"),
            (
                self.pricing in ("pay-as-offered", "uniform"),
                f"pricing must be 'pay-as-offered' or 'uniform', got {self.pricing!r}",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)


class ClearingStatus(enum.Enum):
    """Outcome of a clearing.

    ``optimal``: proven within the gap limit. ``feasible``: a plan, stopped by the time limit
    (``gap`` says how far from proven). ``infeasible``: some must-serve requests cannot be
    served in full (see ``ClearingResult.infeasible``); the plan serves what it can.
    ``time_limit``: stopped without any plan. ``error``: the solver failed.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Infeasibility:
    request_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Match:
    request_id: str
    offer_id: str
    quantity: float
    unit_cost: float
    price: float


@dataclass(frozen=True, slots=True)
class MarketPrice:
    """The settlement price of one market (process family x week) and its traded volume."""

    process: str
    week: int
    price: float
    volume: float


@dataclass(frozen=True)
class ClearingResult:
    """What :func:`~osatnet.exchange.clear` returns.

    Match arrays are aligned: ``match_request[i]`` / ``match_offer[i]`` index the input lists.
    ``served`` / ``unserved`` are per request, in input order. ``objective`` = ``cost`` +
    ``unserved_penalty`` + ``fairness_penalty``; ``bound`` is the solver's proven lower bound.
    """

    status: ClearingStatus
    objective: float
    bound: float
    gap: float
    request_ids: tuple[str, ...]
    offer_ids: tuple[str, ...]
    match_request: IntArray
    match_offer: IntArray
    match_quantity: FloatArray
    match_unit_cost: FloatArray
    match_price: FloatArray
    served: FloatArray
    unserved: FloatArray
    cost: float
    unserved_penalty: float
    fairness_penalty: float
    greedy_objective: float
    infeasible: tuple[Infeasibility, ...] = ()
    fairness_floor: dict[tuple[str, str], float] = field(default_factory=dict)
    fairness_shortfall: dict[tuple[str, str], float] = field(default_factory=dict)
    markets: tuple[MarketPrice, ...] = ()
    pricing: Pricing = "pay-as-offered"
    eligible_pairs: int = 0
    binaries: int = 0
    build_s: float = 0.0
    solve_s: float = 0.0
    message: str = ""

    @property
    def served_total(self) -> float:
        return float(self.served.sum())

    @property
    def unserved_total(self) -> float:
        return float(self.unserved.sum())

    @property
    def payments(self) -> float:
        """Total money changing hands at the settlement prices."""
        return float(self.match_quantity @ self.match_price)

    def matches(self) -> list[Match]:
        """The matches as records, in (request, offer) input order."""
        return [
            Match(
                request_id=self.request_ids[int(r)],
                offer_id=self.offer_ids[int(o)],
                quantity=float(q),
                unit_cost=float(c),
                price=float(p),
            )
            for r, o, q, c, p in zip(
                self.match_request,
                self.match_offer,
                self.match_quantity,
                self.match_unit_cost,
                self.match_price,
                strict=True,
            )
        ]

    def summary(self) -> dict[str, object]:
        """A JSON-ready summary (non-finite numbers become ``None``)."""
        return {
            "status": self.status.value,
            "objective": _finite(self.objective),
            "bound": _finite(self.bound),
            "gap": _finite(self.gap),
            "served": self.served_total,
            "unserved": self.unserved_total,
            "requests": len(self.request_ids),
            "offers": len(self.offer_ids),
            "matches": int(self.match_quantity.shape[0]),
            "cost": _finite(self.cost),
            "unserved_penalty": _finite(self.unserved_penalty),
            "fairness_penalty": _finite(self.fairness_penalty),
            "greedy_objective": _finite(self.greedy_objective),
            "pricing": self.pricing,
            "payments": _finite(self.payments),
            "markets": [
                {"process": m.process, "week": m.week, "price": m.price, "volume": m.volume}
                for m in self.markets
            ],
            "infeasible": [
                {"request_id": i.request_id, "reason": i.reason} for i in self.infeasible
            ],
            "fairness_shortfall": [
                {"member_id": m, "process": p, "floor": self.fairness_floor[(m, p)], "shortfall": s}
                for (m, p), s in self.fairness_shortfall.items()
                if s > 0
            ],
            "eligible_pairs": self.eligible_pairs,
            "binaries": self.binaries,
            "build_s": round(self.build_s, 4),
            "solve_s": round(self.solve_s, 4),
        }


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None
