"""The platform's audit trail: every login, raw read, import, export and release.

Append-only and hash-chained; see :func:`append` and :func:`verify_entries`.
"""

from __future__ import annotations

from ._chain import GENESIS, AuditProblem, append, entry_hash, verify_entries
from .models import AuditEntry

__all__ = ["GENESIS", "AuditEntry", "AuditProblem", "append", "entry_hash", "verify_entries"]
