"""The header's navigation: which pages each role reaches."""

from __future__ import annotations

from dataclasses import dataclass

from ..registry.catalog import UserRole
from ..vault._context import Actor

__all__ = ["MEMBER_ROLES", "N_", "OFFICE_ROLES", "NavItem", "navigation"]

MEMBER_ROLES = (UserRole.MEMBER_USER, UserRole.MEMBER_ADMIN)
OFFICE_ROLES = (UserRole.SECRETARIAT, UserRole.AUDITOR)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue; templates translate it when they show it."""
    return message


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    roles: tuple[UserRole, ...]
    current: bool = False


_ITEMS = (
    NavItem("/", N_("Home"), (*MEMBER_ROLES, *OFFICE_ROLES)),
    NavItem("/sites", N_("Sites and capabilities"), MEMBER_ROLES),
    NavItem("/submissions", N_("Submissions"), MEMBER_ROLES),
    NavItem("/benchmark", N_("Benchmark"), MEMBER_ROLES),
    NavItem("/exchange", N_("Capacity exchange"), MEMBER_ROLES),
    NavItem("/procurement", N_("Joint procurement"), (*MEMBER_ROLES, *OFFICE_ROLES)),
    NavItem("/risk", N_("Supply-chain risk"), (*MEMBER_ROLES, *OFFICE_ROLES)),
    NavItem("/members", N_("Members"), OFFICE_ROLES),
    NavItem("/periods", N_("Periods and status"), OFFICE_ROLES),
    NavItem("/exchange/clearing", N_("Exchange clearing"), (UserRole.SECRETARIAT,)),
    NavItem("/releases", N_("Release tables"), (*MEMBER_ROLES, *OFFICE_ROLES)),
    NavItem("/blind", N_("Blind mode"), (*MEMBER_ROLES, *OFFICE_ROLES)),
    NavItem("/audit", N_("Audit log"), OFFICE_ROLES),
)


def navigation(actor: Actor | None, path: str) -> list[NavItem]:
    """The entries ``actor`` may open, the one holding ``path`` marked current."""
    if actor is None:
        return []
    items = []
    for item in _ITEMS:
        if actor.role not in item.roles:
            continue
        current = path == item.href or (item.href != "/" and path.startswith(item.href + "/"))
        items.append(NavItem(item.href, item.label, item.roles, current))
    return items
