"""Storage: the declarative base, the :class:`Database` handle and Alembic migrations."""

from __future__ import annotations

from ._base import Base
from ._database import Database

__all__ = ["Base", "Database"]
