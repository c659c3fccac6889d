"""Every ORM model module, imported in one place so ``Base.metadata`` is complete."""

from __future__ import annotations

import importlib

__all__ = ["import_all_models"]

_MODEL_MODULES = ("osatnet.registry.models", "osatnet.vault.models", "osatnet.auth.models")


def import_all_models() -> None:
    for name in _MODEL_MODULES:
        importlib.import_module(name)
