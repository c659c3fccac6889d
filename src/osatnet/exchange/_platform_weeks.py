"""Weeks of the platform: ISO week keys (``2026-W36``) in storage, integers for the optimiser.

Offers and requests are stored with ISO 8601 week keys, readable by a person and sortable as
text. The optimiser compares weeks as integers; :func:`week_index` counts weeks since
0001-W01, so consecutive weeks stay consecutive across a year's end (2026-W53 -> 2027-W01).
A week belongs to the reporting period (calendar quarter) that contains its Thursday, the
same rule ISO 8601 uses to give a week to a year.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ..errors import InputError
from ..registry._periods import parse_period

__all__ = ["parse_week", "period_weeks", "week_index", "week_key"]

_ISO = re.compile(r"\s*(\d{4})\s*-?\s*[Ww]\s*(\d{1,2})\s*")


def _monday(key: str) -> date:
    year, week = int(key[:4]), int(key[6:])
    return date.fromisocalendar(year, week, 1)


def week_key(day: date) -> str:
    """The ISO week key of the week containing ``day``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_index(key: str) -> int:
    """Weeks since 0001-W01 (whose Monday is day 1 of the proleptic calendar)."""
    return (_monday(key).toordinal() - 1) // 7


def period_weeks(period: str) -> list[str]:
    """The ISO weeks whose Thursday falls in the quarter ``period``, in order."""
    _, starts, ends = parse_period(period)
    thursday = starts + timedelta(days=(3 - starts.weekday()) % 7)
    weeks = []
    while thursday <= ends:
        weeks.append(week_key(thursday))
        thursday += timedelta(days=7)
    return weeks


def parse_week(text: str | int, period: str, *, in_period: bool = True) -> str:
    """``"2026-W36"`` / ``"2026W36"`` / ``36`` (ISO week number of the period's year) -> key.

    With ``in_period`` the week must belong to ``period``. Raises a bare :class:`InputError`
    (no file or column); callers locate it.
    """
    name, starts, _ = parse_period(period)
    raw = str(text).strip()
    match = _ISO.fullmatch(raw)
    if match:
        year, number = int(match[1]), int(match[2])
    elif raw.isdigit():
        year, number = starts.year, int(raw)
    else:
        raise InputError(f"expected an ISO week such as 2026-W36 (or a week number), got {raw!r}")
    try:
        key = week_key(date.fromisocalendar(year, number, 4))
    except ValueError:
        raise InputError(f"{year} has no ISO week {number}") from None
    if in_period:
        weeks = period_weeks(name)
        if key not in weeks:
            raise InputError(
                f"week {key} is not in period {name} (its weeks are {weeks[0]} to {weeks[-1]})"
            )
    return key
