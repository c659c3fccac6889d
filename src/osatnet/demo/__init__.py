"""The demo alliance: a realistic, deterministic alliance that exercises every capability."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .generator import DemoRegistry, generate_registry

if TYPE_CHECKING:
    from .runner import DemoResult, run_demo

__all__ = ["DemoRegistry", "DemoResult", "generate_registry", "run_demo"]


def __getattr__(name: str) -> Any:
    # The runner imports every capability, and capabilities import the generator: loading the
    # runner lazily keeps ``import osatnet.risk`` (say) free of a cycle through the demo.
    if name in ("run_demo", "DemoResult"):
        from . import runner

        return getattr(runner, name)
    raise AttributeError(name)
