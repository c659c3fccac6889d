"""The blind job for a table, from the registry and the uploaded bundles' public metadata.

Places every uploaded (member, site, process) in the table exactly as the operator-trusted
path places a decrypted record (``vault._gather``): process, region (Japanese prefectures
grouped into their areas), employee band, country, period. The primary rules are the
alliance's settings. Only public data is read: the registry and which member uploaded a
share for which site, process and measure — never a value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ConflictError, InputError, NotFoundError
from ..registry.catalog import prefecture
from ..registry.models import Alliance, Member, ReportingPeriod, Site
from ..vault._gather import DIMENSIONS
from ..vault.measures import DERIVED, measure
from .job import BlindJob, location_key

__all__ = ["BundleSource", "blind_job"]


class BundleSource(Protocol):
    """Where sealed bundles are read from: a :class:`.store.ShareStore` or the database."""

    def bundles(self, period: str, node: int) -> Iterator[dict[str, Any]]: ...


def _area(country: str, region: str) -> str:
    # The operator-trusted path's grouping (vault._gather): a Japanese prefecture counts in
    # its area, elsewhere the country is the region.
    found = prefecture(region) if country == "JP" else None
    return found.area if found else country


def blind_job(
    session: Session,
    store: BundleSource,
    period: str,
    measure_key: str,
    by: Sequence[str],
    *,
    checks: str = "all",
    stats: tuple[str, ...] = ("sum", "count"),
) -> BlindJob:
    alliance = session.scalars(select(Alliance).order_by(Alliance.id)).first()
    if alliance is None or alliance.trust_model != "blind":
        raise ConflictError("the alliance's trust model is not 'blind': use osatnet release")
    info = session.get(ReportingPeriod, period)
    if info is None:
        raise NotFoundError(f"no reporting period {period}")
    if info.status != "closed":
        raise ConflictError(f"period {period} is still open: close it before releasing")
    if measure(measure_key) is None or measure_key in DERIVED:
        raise InputError(f"blind mode takes a submitted measure, not {measure_key!r}")
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise InputError(f"unknown dimension {unknown[0]!r}; expected {', '.join(DIMENSIONS)}")
    members = {m.id: m for m in session.scalars(select(Member))}
    sites = {s.id: s for s in session.scalars(select(Site))}
    locations: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    # Every node's bundle of a member carries the same metadata: node 0's is enough here,
    # and the nodes check among themselves that they hold the same records.
    for bundle in store.bundles(period, 0):
        member = members.get(str(bundle["member"]))
        if member is None:
            raise NotFoundError(f"shares uploaded for unregistered member {bundle['member']!r}")
        for share in bundle["shares"]:
            if share["measure"] != measure_key:
                continue
            site = sites.get(share["site"]) if share["site"] else None
            if share["site"] and (site is None or site.member_id != member.id):
                raise InputError(f"{member.id}: site {share['site']!r} is not one of its sites")
            country = site.country if site else member.country
            dims = {
                "process": share["process"], "employee_band": member.employee_band,
                "region": _area(country, site.region if site else member.prefecture),
                "country": country, "period": period,
            }  # fmt: skip
            key = location_key(share["site"], share["process"])
            locations[member.id][key] = {d: dims[d] for d in by}
    if not locations:
        raise NotFoundError(f"no shares of {measure_key} uploaded for {period}")
    return BlindJob(
        period, measure_key, tuple(by), dict(locations),
        min_contributors=alliance.min_contributors, dominance_n=alliance.dominance_n,
        dominance_k=alliance.dominance_k_pct, p_percent=alliance.p_percent,
        protection_pct=alliance.protection_pct, checks=checks, stats=stats,
    )  # fmt: skip
