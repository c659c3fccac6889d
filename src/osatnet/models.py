"""Import every capability's ORM models, so ``Base.metadata`` (and Alembic) sees all tables."""

from __future__ import annotations

import importlib
import importlib.util

__all__ = ["import_all_models"]

# Each capability keeps its tables in ``osatnet/<capability>/models.py``.
_CAPABILITIES = (
    "registry",
    "audit",
    "vault",
    "auth",
    "exchange",
    "procurement",
    "risk",
    "blind",
)


def import_all_models() -> None:
    for name in _CAPABILITIES:
        module = f"osatnet.{name}.models"
        if importlib.util.find_spec(f"osatnet.{name}") and importlib.util.find_spec(module):
            importlib.import_module(module)
