"""What demo steps share: the database, the report being built, the summary being filled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..db import Database
from ..registry import Registry
from ..reporting import Report

__all__ = ["DemoContext", "DemoStep"]


@dataclass
class DemoContext:
    seed: int
    out: Path
    db: Database
    report: Report
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def registry(self) -> Registry:
        return Registry(self.db)


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: Callable[[DemoContext], None]
