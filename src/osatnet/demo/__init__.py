"""The demo alliance: a realistic, deterministic alliance that exercises every capability."""

from __future__ import annotations

from .generator import DemoRegistry, generate_registry
from .runner import DemoResult, run_demo

__all__ = ["DemoRegistry", "DemoResult", "generate_registry", "run_demo"]
