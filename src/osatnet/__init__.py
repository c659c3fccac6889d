"""osatnet: an open platform for alliances of semiconductor back-end (OSAT) companies.

The public API is re-exported here by name; submodules starting with ``_`` are private.
"""

from __future__ import annotations

from .db import Database
from .errors import (
    ConfigError,
    ConflictError,
    InputError,
    NotFoundError,
    OsatnetError,
    PermissionDenied,
)
from .registry import (
    PROCESS_FAMILIES,
    CapabilityRow,
    Certification,
    EmployeeBand,
    MemberRole,
    MemberRow,
    Registry,
    SiteRow,
    UserRole,
)
from .settings import Settings

__version__ = "0.1.0"

__all__ = [
    "PROCESS_FAMILIES",
    "CapabilityRow",
    "Certification",
    "ConfigError",
    "ConflictError",
    "Database",
    "EmployeeBand",
    "InputError",
    "MemberRole",
    "MemberRow",
    "NotFoundError",
    "OsatnetError",
    "PermissionDenied",
    "Registry",
    "Settings",
    "SiteRow",
    "UserRole",
    "__version__",
]
