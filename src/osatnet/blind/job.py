"""A blind computation request: which measure, period and table, under which rule.

The job holds public data only, prepared by the secretariat from the registry: for every
member, the table coordinates of each (site, process) it reports on. Every node must run the
same job on the same records; :func:`job_digest` is what they compare before computing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import ConfigError, InputError
from ..vault.sdc import DisclosureRules

__all__ = ["STATS", "BlindJob", "location_key"]

# What a blind job may ask per published cell (the operator-trusted release's statistics).
STATS = ("sum", "count", "mean", "median", "p25", "p75")


def location_key(site: str | None, process: str | None) -> str:
    return f"{site or ''}|{process or ''}"


@dataclass(frozen=True)
class BlindJob:
    period: str
    measure: str
    by: tuple[str, ...]
    # member -> location_key(site, process) -> dimension -> label
    locations: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    min_contributors: int = 5
    dominance_n: int = 2
    dominance_k: float = 85.0
    p_percent: float = 10.0
    protection_pct: float = 10.0
    checks: str = "all"  # or "min_contributors": that rule only (cheaper)
    stats: tuple[str, ...] = ("sum", "count")  # of published cells; quartiles cost most

    def __post_init__(self) -> None:
        if self.checks not in ("all", "min_contributors"):
            raise InputError("checks must be 'all' or 'min_contributors'", column="checks")
        bad = [s for s in self.stats if s not in STATS]
        if bad or len(set(self.stats)) != len(self.stats) or isinstance(self.stats, str):
            raise InputError(
                f"stats takes different names among {', '.join(STATS)}, got {list(self.stats)}",
                column="stats",
            )
        if not 1 <= len(self.by) <= 4 or len(set(self.by)) != len(self.by):
            raise InputError("a blind table takes one to four different dimensions", column="by")
        for member, places in self.locations.items():
            for key, dims in places.items():
                missing = [d for d in self.by if d not in dims]
                if missing:
                    raise InputError(f"{member} {key}: no {missing[0]!r} in the job's locations")

    @property
    def rules(self) -> DisclosureRules:
        """The rules the nodes apply (dominance and p% switched off for
        ``checks="min_contributors"``, so that the operator-trusted reference matches)."""
        if self.checks == "min_contributors":
            return DisclosureRules(
                min_contributors=self.min_contributors, dominance_k=100.0, p_percent=0.0,
                protection_pct=self.protection_pct,
            )  # fmt: skip
        return DisclosureRules(
            min_contributors=self.min_contributors, dominance_n=self.dominance_n,
            dominance_k=self.dominance_k, p_percent=self.p_percent,
            protection_pct=self.protection_pct,
        )  # fmt: skip

    def to_json(self) -> str:
        data = asdict(self)
        data["by"] = list(self.by)
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BlindJob:
        try:
            data = json.loads(text)
            return cls(
                period=str(data["period"]), measure=str(data["measure"]), by=tuple(data["by"]),
                locations=data.get("locations", {}),
                min_contributors=int(data.get("min_contributors", 5)),
                dominance_n=int(data.get("dominance_n", 2)),
                dominance_k=float(data.get("dominance_k", 85.0)),
                p_percent=float(data.get("p_percent", 10.0)),
                protection_pct=float(data.get("protection_pct", 10.0)),
                checks=str(data.get("checks", "all")),
                stats=tuple(data.get("stats", ("sum", "count"))),
            )  # fmt: skip
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"not a blind job: {exc}") from None

    @classmethod
    def load(cls, path: str | Path) -> BlindJob:
        try:
            return cls.from_json(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read the job {path}: {exc}") from None

    def digest(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()
