"""Decrypt one measure of every active submission, server-side, into release records.

Runs in the aggregate scope: the values never leave this process except as protected
aggregates. Each record carries the member, the value and every release dimension.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..errors import InputError
from ..registry.catalog import prefecture
from ..registry.models import Member, Site
from ._keys import KeyRing, decrypt_value, value_aad
from .measures import DERIVED, measure
from .models import Submission

__all__ = ["DIMENSIONS", "Record", "gather"]

DIMENSIONS = ("process", "region", "employee_band", "country", "period")


@dataclass(frozen=True)
class Record:
    member_id: str
    value: float
    dims: dict[str, str]


def _area(country: str, region: str) -> str:
    found = prefecture(region) if country == "JP" else None
    return found.area if found else country


def gather(session: Session, keyring: KeyRing, periods: list[str], key: str) -> list[Record]:
    """Records of measure ``key`` in ``periods`` (active versions only), with every dimension."""
    m = measure(key)
    if m is None:
        raise InputError(f"unknown measure {key!r}", column="measure")
    parts = DERIVED.get(key, (key,))
    members = {x.id: x for x in session.scalars(select(Member))}
    sites = {x.id: x for x in session.scalars(select(Site))}
    stmt = (
        select(Submission)
        .where(Submission.period_key.in_(periods), Submission.status == "active")
        .options(selectinload(Submission.values))
    )
    records = []
    for sub in session.scalars(stmt):
        aes = keyring.data_key(session, sub.member_id)
        grouped: dict[tuple[str | None, str | None], dict[str, float]] = defaultdict(dict)
        for v in sub.values:
            if v.measure in parts:
                aad = value_aad(
                    sub.member_id, sub.period_key, sub.id, v.site_id, v.process_key, v.measure
                )
                grouped[(v.site_id, v.process_key)][v.measure] = decrypt_value(
                    aes, v.ciphertext, aad
                )
        member = members[sub.member_id]
        for (site_id, process), found in grouped.items():
            if any(p not in found for p in parts):
                continue  # a derived measure needs all of its parts
            site = sites.get(site_id or "")
            country = site.country if site else member.country
            region = _area(country, site.region if site else member.prefecture)
            dims = {
                "process": process or "", "region": region, "employee_band": member.employee_band,
                "country": country, "period": sub.period_key,
            }  # fmt: skip
            value = sum(found[p] for p in parts)
            records.append(Record(sub.member_id, value, dims))
    return records
