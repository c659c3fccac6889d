"""Checking drafts against the registry and the caller's rights before anything is stored.

The registry is the truth about sites: an offer is hosted by one of the caller's own sites
that has the process as a capability, for at most its registered weekly capacity; a request
comes from one of the caller's sites. Location, certifications and the automotive flag are
taken from the registry at clearing time; a file may state them, but only if it agrees.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputError
from ..registry.catalog import Certification
from ..registry.models import ProcessFamily, Site, SiteCapability
from ._platform_records import OfferDraft, RequestDraft
from ._platform_weeks import parse_week

__all__ = [
    "AUTOMOTIVE",
    "CheckedOffer",
    "CheckedRequest",
    "Located",
    "SiteFacts",
    "check_offer",
    "check_request",
    "load_sites",
    "normalise_requires",
    "process_keys",
]

T = TypeVar("T")
AUTOMOTIVE = "AUTOMOTIVE"  # token for "the host's capability is automotive-qualified"


@dataclass(frozen=True)
class Located(Generic[T]):
    """A draft and where it came from (file and row), for located errors."""

    draft: T
    file: str | None = None
    row: int | None = None

    def error(self, column: str, reason: str) -> InputError:
        return InputError(reason, file=self.file, row=self.row, column=column)


@dataclass(frozen=True)
class SiteFacts:
    site_id: str
    member_id: str
    country: str
    region: str
    lat: float
    lon: float
    certifications: frozenset[str]
    capabilities: dict[str, tuple[float, bool]] = field(default_factory=dict)

    def tokens(self, process: str) -> frozenset[str]:
        """What an offer of this site and process holds, as the optimiser's tokens."""
        automotive = self.capabilities.get(process, (0.0, False))[1]
        return self.certifications | ({AUTOMOTIVE} if automotive else set())


def load_sites(session: Session, member_id: str | None = None) -> dict[str, SiteFacts]:
    """Sites (of one member, or all) with certifications and capabilities."""
    stmt = select(Site).order_by(Site.id)
    if member_id is not None:
        stmt = stmt.where(Site.member_id == member_id)
    sites = {
        s.id: SiteFacts(
            s.id, s.member_id, s.country.upper(), s.region.upper(), s.lat, s.lon,
            frozenset(c.certification for c in s.certifications),
        )
        for s in session.scalars(stmt)
    }  # fmt: skip
    caps = select(SiteCapability).where(SiteCapability.site_id.in_(list(sites)))
    for c in session.scalars(caps):
        sites[c.site_id].capabilities[c.process_key] = (c.weekly_capacity, c.automotive)
    return sites


def process_keys(session: Session) -> set[str]:
    return set(session.scalars(select(ProcessFamily.key)))


def normalise_requires(tokens: Iterable[str]) -> frozenset[str]:
    """Certifications in the registry's spelling, ``AUTOMOTIVE``, ``country:XX``, ``region:YY``.

    Raises a bare :class:`InputError` naming the token; callers locate it.
    """
    out: set[str] = set()
    for raw in tokens:
        token = raw.strip()
        if not token:
            continue
        kind, sep, name = token.partition(":")
        if sep:
            if kind.strip().lower() not in ("country", "region") or not name.strip():
                raise InputError(f"expected country:XX or region:YY, got {token!r}")
            out.add(f"{kind.strip().lower()}:{name.strip().upper()}")
        elif token.upper() == AUTOMOTIVE:
            out.add(AUTOMOTIVE)
        else:
            try:
                out.add(Certification.parse(token).value)
            except ValueError as exc:
                raise InputError(f"{exc} (or automotive, country:XX, region:YY)") from None
    return frozenset(out)


def _number(item: Located[T], column: str, value: float | None, *, positive: bool) -> None:
    if value is None:
        return
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        expected = "a number > 0" if positive else "a number >= 0"
        raise item.error(column, f"expected {expected}, got {value:g}")


def _claims(
    item: Located[T], claims: tuple[tuple[str, str], ...], site: SiteFacts, process: str
) -> None:
    """Columns a file may state but the registry decides: they must agree with it."""
    for column, stated in claims:
        if column in ("latitude", "longitude"):
            truth = site.lat if column == "latitude" else site.lon
            if abs(float(stated) - truth) <= 1e-3:
                continue
            actual = f"{truth:g}"
        elif column == "certifications":
            try:
                said = normalise_requires(stated.split(";"))
            except InputError as exc:
                raise item.error(column, exc.reason) from None
            held = site.tokens(process)
            if said <= held:
                continue
            actual = "; ".join(sorted(held)) or "none"
        elif column == "member_id":
            continue  # checked first, by _member
        else:
            if stated.strip().upper() == getattr(site, column):
                continue
            actual = getattr(site, column)
        raise item.error(
            column, f"the registry has {actual} for site {site.site_id}, the file says {stated!r}"
        )


def _member(item: Located[T], claims: tuple[tuple[str, str], ...], member_id: str) -> None:
    """The caller's rights decide the member: a file may only name the caller's own."""
    for column, stated in claims:
        if column == "member_id" and stated != member_id:
            raise item.error(column, f"you post for member {member_id}, the file says {stated!r}")


def _site(
    item: Located[T], site_id: str | None, sites: dict[str, SiteFacts], member_id: str,
    process: str | None,
) -> SiteFacts:  # fmt: skip
    """The caller's site named by ``site_id`` (or its only suitable site when none is given)."""
    if site_id is None:
        fits = [s for s in sites.values() if process is None or process in s.capabilities]
        if len(fits) != 1:
            what = f" with process {process}" if process else ""
            raise item.error("site_id", f"member {member_id} has {len(fits)} sites{what}; name one")
        return fits[0]
    if site_id not in sites:
        raise item.error("site_id", f"no site {site_id!r} of member {member_id}")
    return sites[site_id]


@dataclass(frozen=True)
class CheckedOffer:
    site_id: str
    process: str
    week: str
    capacity: float
    unit_price: float
    label: str | None


@dataclass(frozen=True)
class CheckedRequest:
    site_id: str
    process: str
    quantity: float
    earliest_week: str | None
    due_week: str | None
    max_price: float | None
    splittable: bool
    min_split: float
    unserved_penalty: float | None
    requires: frozenset[str]
    label: str | None


def _week(item: Located[T], column: str, value: str | int, period: str, *, strict: bool) -> str:
    try:
        return parse_week(value, period, in_period=strict)
    except InputError as exc:
        raise item.error(column, exc.reason) from None


def check_offer(
    item: Located[OfferDraft], period: str, member_id: str, sites: dict[str, SiteFacts],
    processes: set[str],
) -> CheckedOffer:  # fmt: skip
    d = item.draft
    if d.process not in processes:
        raise item.error("process", f"unknown process family {d.process!r}")
    site = _site(item, d.site_id, sites, member_id, d.process)
    if d.process not in site.capabilities:
        raise item.error(
            "process", f"site {site.site_id} has no {d.process} capability in the registry"
        )
    _claims(item, d.claims, site, d.process)
    _number(item, "capacity", d.capacity, positive=True)
    _number(item, "unit_price", d.unit_price, positive=False)
    weekly = site.capabilities[d.process][0]
    if d.capacity > weekly * (1 + 1e-9):
        raise item.error(
            "capacity",
            f"site {site.site_id} has a registered weekly {d.process} capacity of {weekly:g}, "
            f"got {d.capacity:g}",
        )
    week = _week(item, "week", d.week, period, strict=True)
    return CheckedOffer(site.site_id, d.process, week, d.capacity, d.unit_price, d.label)


def check_request(
    item: Located[RequestDraft], period: str, member_id: str, sites: dict[str, SiteFacts],
    processes: set[str],
) -> CheckedRequest:  # fmt: skip
    d = item.draft
    if d.process not in processes:
        raise item.error("process", f"unknown process family {d.process!r}")
    _member(item, d.claims, member_id)
    site = _site(item, d.site_id, sites, member_id, None)
    _claims(item, d.claims, site, d.process)
    _number(item, "quantity", d.quantity, positive=True)
    _number(item, "max_price", d.max_price, positive=False)
    _number(item, "min_split", d.min_split, positive=False)
    _number(item, "unserved_penalty", d.unserved_penalty, positive=False)
    if d.min_split > d.quantity:
        raise item.error(
            "min_split", f"expected at most the quantity {d.quantity:g}, got {d.min_split:g}"
        )
    # A request's window may reach past its period (an order due next quarter); weeks given
    # as bare numbers are read in the period's year.
    early = None if d.earliest_week is None else _week(item, "earliest_week", d.earliest_week,
                                                       period, strict=False)  # fmt: skip
    due = None if d.due_week is None else _week(item, "due_week", d.due_week, period, strict=False)
    if early is not None and due is not None and due < early:
        raise item.error("due_week", f"expected a week >= earliest_week {early}, got {due}")
    try:
        requires = normalise_requires(d.requires)
    except InputError as exc:
        raise item.error("requires", exc.reason) from None
    return CheckedRequest(
        site.site_id, d.process, d.quantity, early, due, d.max_price, d.splittable,
        d.min_split, d.unserved_penalty, requires, d.label,
    )  # fmt: skip
