"""All-or-nothing import of registry files: cross-checks, then upsert by natural key."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..errors import InputError
from ._files import RegistryFiles
from .catalog import Certification
from .models import Alliance, Member, Site, SiteCapability, SiteCertification
from .schemas import CapabilityRow, MemberRow, SiteRow

__all__ = ["ImportReport", "apply_registry_files"]

R = TypeVar("R")


@dataclass
class ImportReport:
    """What an import changed, per table: rows created, updated, unchanged."""

    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {t: Counter() for t in ("members", "sites", "capabilities")}
    )

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            table: {k: c[k] for k in ("created", "updated", "unchanged")}
            for table, c in self.counts.items()
        }

    @property
    def changed(self) -> int:
        return sum(c["created"] + c["updated"] for c in self.counts.values())


def _duplicates(
    rows: Sequence[tuple[str, int, R]], key: Callable[[R], object], column: str, what: str
) -> list[InputError]:
    seen: dict[object, int] = {}
    errors = []
    for label, number, row in rows:
        value = key(row)
        if value in seen:
            errors.append(
                InputError(
                    f"duplicate {what} {value!r} (first on row {seen[value]})",
                    file=label,
                    row=number,
                    column=column,
                )
            )
        else:
            seen[value] = number
    return errors


def _cross_check(session: Session, files: RegistryFiles) -> None:
    errors: list[InputError] = []
    errors += _duplicates(files.members, lambda r: r.member_id, "member_id", "member_id")
    errors += _duplicates(files.sites, lambda r: r.site_id, "site_id", "site_id")
    errors += _duplicates(
        files.capabilities, lambda r: (r.site_id, r.process), "process", "site and process"
    )

    member_ids = {r.member_id for _, _, r in files.members}
    member_ids |= set(session.scalars(select(Member.id)))
    for label, number, site in files.sites:
        if site.member_id not in member_ids:
            errors.append(
                InputError(
                    f"unknown member {site.member_id!r}: not in members and not registered",
                    file=label,
                    row=number,
                    column="member_id",
                )
            )

    certs: dict[str, set[str]] = {}
    for site_id, cert in session.execute(
        select(SiteCertification.site_id, SiteCertification.certification)
    ):
        certs.setdefault(site_id, set()).add(cert)
    for site_id in session.scalars(select(Site.id)):
        certs.setdefault(site_id, set())
    for _, _, site in files.sites:  # the file's certifications replace the stored ones
        certs[site.site_id] = {c.value for c in site.certifications}
    for label, number, cap in files.capabilities:
        if cap.site_id not in certs:
            errors.append(
                InputError(
                    f"unknown site {cap.site_id!r}: not in sites and not registered",
                    file=label,
                    row=number,
                    column="site_id",
                )
            )
        elif cap.automotive and Certification.IATF_16949.value not in certs[cap.site_id]:
            errors.append(
                InputError(
                    f"an automotive-qualified capability needs a site certified "
                    f"IATF 16949; site {cap.site_id!r} is not",
                    file=label,
                    row=number,
                    column="automotive",
                )
            )
    if errors:
        raise InputError.many(errors)


def apply_registry_files(
    session: Session, alliance: Alliance, files: RegistryFiles
) -> ImportReport:
    """Check ``files`` against the stored registry, then upsert; raises before changing anything."""
    _cross_check(session, files)
    report = ImportReport()
    _upsert_members(session, alliance, [r for _, _, r in files.members], report)
    _upsert_sites(session, [r for _, _, r in files.sites], report)
    _upsert_capabilities(session, [r for _, _, r in files.capabilities], report)
    session.flush()
    return report


def _tally(report: ImportReport, table: str, obj: object | None, changed: bool) -> None:
    report.counts[table]["created" if obj is None else "updated" if changed else "unchanged"] += 1


def _assign(obj: object, values: dict[str, object]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _upsert_members(
    session: Session, alliance: Alliance, rows: list[MemberRow], report: ImportReport
) -> None:
    existing = {m.id: m for m in session.scalars(select(Member))}
    for row in rows:
        values: dict[str, object] = {
            "name": row.name,
            "name_ja": row.name_ja,
            "country": row.country,
            "prefecture": row.prefecture,
            "employee_band": row.employee_band.value,
            "role": row.role.value,
            "website": row.website,
        }
        member = existing.get(row.member_id)
        if member is None:
            session.add(Member(id=row.member_id, alliance_id=alliance.id, **values))
            _tally(report, "members", None, True)
        else:
            _tally(report, "members", member, _assign(member, values))


def _upsert_sites(session: Session, rows: list[SiteRow], report: ImportReport) -> None:
    stmt = select(Site).options(selectinload(Site.certifications))
    existing = {s.id: s for s in session.scalars(stmt)}
    for row in rows:
        values: dict[str, object] = {
            "member_id": row.member_id,
            "name": row.name,
            "name_ja": row.name_ja,
            "country": row.country,
            "region": row.region,
            "lat": row.lat,
            "lon": row.lon,
        }
        wanted = {c.value for c in row.certifications}
        site = existing.get(row.site_id)
        if site is None:
            site = Site(id=row.site_id, **values)
            site.certifications = [SiteCertification(certification=c) for c in sorted(wanted)]
            session.add(site)
            _tally(report, "sites", None, True)
            continue
        changed = _assign(site, values)
        if {c.certification for c in site.certifications} != wanted:
            site.certifications = [SiteCertification(certification=c) for c in sorted(wanted)]
            changed = True
        _tally(report, "sites", site, changed)


def _upsert_capabilities(session: Session, rows: list[CapabilityRow], report: ImportReport) -> None:
    session.flush()  # new sites must exist before their capabilities
    existing = {(c.site_id, c.process_key): c for c in session.scalars(select(SiteCapability))}
    for row in rows:
        values: dict[str, object] = {
            "weekly_capacity": row.weekly_capacity,
            "automotive": row.automotive,
        }
        cap = existing.get((row.site_id, row.process))
        if cap is None:
            session.add(SiteCapability(site_id=row.site_id, process_key=row.process, **values))
            _tally(report, "capabilities", None, True)
        else:
            _tally(report, "capabilities", cap, _assign(cap, values))
