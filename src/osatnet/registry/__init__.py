"""The alliance registry: members, sites, process families, capabilities, users, periods."""

from __future__ import annotations

from ._import import ImportReport
from .catalog import (
    PROCESS_FAMILIES,
    Certification,
    EmployeeBand,
    MemberRole,
    ProcessFamilyInfo,
    UserRole,
)
from .schemas import CapabilityRow, MemberRow, SiteRow
from .service import AllianceInfo, PeriodInfo, ProcessInfo, Registry, UserInfo

__all__ = [
    "PROCESS_FAMILIES",
    "AllianceInfo",
    "CapabilityRow",
    "Certification",
    "EmployeeBand",
    "ImportReport",
    "MemberRole",
    "MemberRow",
    "PeriodInfo",
    "ProcessFamilyInfo",
    "ProcessInfo",
    "Registry",
    "SiteRow",
    "UserInfo",
    "UserRole",
]
