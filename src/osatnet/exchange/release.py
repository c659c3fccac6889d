"""What the secretariat may see of a cleared week: member figures through the firewall's rules.

The clearing itself reads every offer and request (server-side, audited); the secretariat
sees only what :meth:`Releases.publish_records` lets through: per process family, cells with
enough members and no dominant one, with complementary suppression.
"""

from __future__ import annotations

from ..db import Database
from ..errors import InputError
from ..vault._context import Actor
from ..vault._gather import Record
from ..vault.releases import Releases, ReleaseTable
from ._platform_outcome import aggregate_contributions
from ._platform_weeks import parse_week

__all__ = ["QUANTITIES", "release_week"]

QUANTITIES = ("offered", "requested", "hosted", "received", "matched")


def release_week(
    db: Database, actor: Actor, period: str, week: str | int, quantity: str = "matched",
    stat: str = "sum",
) -> ReleaseTable:  # fmt: skip
    """Publish one quantity of a cleared week by process family, under the alliance's rules."""
    if quantity not in QUANTITIES:
        raise InputError(f"quantity must be one of {', '.join(QUANTITIES)}, got {quantity!r}")
    rows = aggregate_contributions(db, period, week, actor=actor.username)
    records = [
        Record(str(r["member_id"]), float(r[quantity]), {"process": str(r["process"])})  # type: ignore[arg-type]
        for r in rows
        if float(r[quantity]) > 0  # type: ignore[arg-type]
    ]
    week_key = rows[0]["week"] if rows else parse_week(week, period)
    return Releases(db, actor).publish_records(
        records, f"{period} {week_key}", f"exchange_{quantity}", stat, ["process"]
    )
