"""Reporting periods are calendar quarters named like ``2026Q3``."""

from __future__ import annotations

import re
from datetime import date, timedelta

from ..errors import InputError

__all__ = ["parse_period"]


def parse_period(key: str) -> tuple[str, date, date]:
    """``"2026q3"`` -> ``("2026Q3", 2026-07-01, 2026-09-30)``."""
    match = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", key)
    if not match:
        raise InputError(f"expected a quarter such as 2026Q3, got {key!r}", column="period")
    year, quarter = int(match[1]), int(match[2])
    starts = date(year, 3 * quarter - 2, 1)
    next_start = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return f"{year}Q{quarter}", starts, next_start - timedelta(days=1)
