"""Aggregate releases under statistical disclosure control: :class:`Releases`.

Every cell, margins included, is checked by the alliance's rules; sensitive cells and enough
complementary cells are withheld (``vault.sdc``); releases that would isolate a member by
difference with earlier ones are refused; optional differential privacy spends a per-period
budget. Raw values are decrypted only inside this process.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit as _audit
from ..db import Database
from ..errors import ConflictError, InputError, NotFoundError
from ..logs import get_logger
from ..registry.catalog import UserRole
from ..registry.models import Alliance
from ..registry.service import Registry
from ..tabular import write_csv
from ._cellstats import TOTAL, cell_contributions, statistic
from ._context import Actor, Scope, scoped_session
from ._differencing import Domain, find_differencing
from ._dp import add_noise
from ._gather import DIMENSIONS, Record, gather
from ._keys import KeyRing, load_master_key
from .measures import Level, measure
from .models import PrivacySpend, Release
from .sdc import DisclosureRules, ProtectedTable, protect

__all__ = [
    "STATS",
    "ReleaseCell",
    "ReleaseSummary",
    "ReleaseTable",
    "Releases",
    "write_release_csv",
]

log = get_logger("vault.releases")
Stat = Literal["sum", "mean", "median", "count", "p25", "p75"]
STATS: tuple[str, ...] = ("sum", "mean", "median", "count", "p25", "p75")
_ADDITIVE_UNITS = ("units/week", "persons", "JPY/quarter")


class ReleaseCell(BaseModel):
    labels: dict[str, str]
    value: float | None
    contributors: int | None
    status: str


class ReleaseSummary(BaseModel):
    id: int
    periods: list[str]
    measure: str
    stat: str
    dims: list[str]
    created_by: str
    created_at: datetime | None
    epsilon: float | None


class ReleaseTable(ReleaseSummary):
    cells: list[ReleaseCell]


def _intensive(key: str) -> bool:
    m = measure(key)
    return m is not None and m.unit not in _ADDITIVE_UNITS


class Releases:
    """Published tables of one alliance; creating them is the secretariat's job."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor

    def create(
        self,
        periods: str | list[str],
        measure_key: str,
        stat: str,
        by: list[str],
        *,
        method: Literal["optimal", "heuristic"] = "optimal",
        time_limit: float = 30.0,
        dp_epsilon: float | None = None,
        dp_bound: float | None = None,
    ) -> ReleaseTable:
        self.actor.require(UserRole.SECRETARIAT)
        keys = self._closed_periods(periods)
        self._refuse_blind()
        self._check_request(measure_key, stat, by, dp_epsilon, dp_bound)
        keyring = KeyRing(load_master_key(self.db.settings))
        with scoped_session(self.db, Scope.AGGREGATE) as s:
            records = gather(s, keyring, keys, measure_key)
            if not records:
                raise NotFoundError(
                    f"no active submission holds {measure_key} for {', '.join(keys)}"
                )
            return self._publish(
                s, records, keys, measure_key, stat, by, intensive=_intensive(measure_key),
                method=method, time_limit=time_limit, dp_epsilon=dp_epsilon, dp_bound=dp_bound,
            )  # fmt: skip

    def publish_records(
        self,
        records: list[Record],
        label: str,
        measure_key: str,
        stat: str,
        by: list[str],
        *,
        intensive: bool = False,
        method: Literal["optimal", "heuristic"] = "optimal",
    ) -> ReleaseTable:
        """Publish other capabilities' member figures under the same rules (e.g. an exchange
        week's matched quantities). ``label`` names what the records cover, like a period."""
        self.actor.require(UserRole.SECRETARIAT)
        if stat not in STATS:
            raise InputError(f"stat must be one of {', '.join(STATS)}, got {stat!r}", column="stat")
        dims = {d for r in records for d in r.dims}
        if not by or not set(by) <= dims:
            raise InputError(f"--by takes dimensions among {', '.join(sorted(dims))}", column="by")
        if not records:
            raise NotFoundError(f"nothing to release for {label}")
        with scoped_session(self.db, Scope.AGGREGATE) as s:
            return self._publish(
                s, records, [label], measure_key, stat, by, intensive=intensive, method=method,
                time_limit=30.0, dp_epsilon=None, dp_bound=None,
            )  # fmt: skip

    def _rules(self, s: Session) -> tuple[DisclosureRules, float]:
        alliance = s.scalars(select(Alliance).order_by(Alliance.id)).first()
        if alliance is None:
            return DisclosureRules(), 1.0
        rules = DisclosureRules(
            min_contributors=alliance.min_contributors, dominance_n=alliance.dominance_n,
            dominance_k=alliance.dominance_k_pct, p_percent=alliance.p_percent,
            protection_pct=alliance.protection_pct,
        )  # fmt: skip
        return rules, alliance.privacy_budget

    def _publish(
        self, s: Session, records: list[Record], keys: list[str], measure_key: str, stat: str,
        by: list[str], *, intensive: bool, method: Literal["optimal", "heuristic"],
        time_limit: float, dp_epsilon: float | None, dp_bound: float | None,
    ) -> ReleaseTable:  # fmt: skip
        rules, budget = self._rules(s)
        per_cell = cell_contributions(records, by, intensive=intensive)
        # The rules and the suppression pattern work on member contributions per cell.
        finest = {k: v for k, v in per_cell.items() if TOTAL not in k}
        columns: dict[str, list[str | float]] = {
            "contributor": [],
            "value": [],
            **{d: [] for d in by},
        }
        for key, members in finest.items():
            for member_id, value in members.items():
                columns["contributor"].append(member_id)
                columns["value"].append(abs(value))
                for d, label in zip(by, key, strict=True):
                    columns[d].append(label)
        protected = protect(columns, by, rules, method=method, time_limit=time_limit)
        cells, published = self._cells(protected, per_cell, stat, by)
        # With noise added, a difference reveals a noisy value: the DP guarantee covers it.
        if stat in ("sum", "mean") and dp_epsilon is None:
            self._refuse_differencing(
                s, keys, measure_key, records, published, rules.min_contributors
            )
        epsilon = None
        if dp_epsilon is not None and dp_bound is not None:
            spent = self._spent(s, keys)
            if spent + dp_epsilon > budget + 1e-12:
                raise ConflictError(
                    f"privacy budget exceeded: {spent:g} of {budget:g} already spent for "
                    f"{', '.join(keys)}; this release asks for {dp_epsilon:g}"
                )
            cells = add_noise(cells, per_cell, by, stat, dp_epsilon, dp_bound)
            epsilon = dp_epsilon
        row = Release(
            period_keys=",".join(keys), measure=measure_key, stat=stat, dims=",".join(by),
            created_by=self.actor.username, epsilon=epsilon,
            cells=json.dumps({
                "cells": [c.model_dump() for c in cells],
                "domains": [[d, labels] for d, labels in published],
                "method": protected.method,
            }),
        )  # fmt: skip
        s.add(row)
        s.flush()
        if epsilon is not None:
            for period_key in keys:
                share = epsilon / len(keys)
                s.add(PrivacySpend(period_key=period_key, release_id=row.id, epsilon=share))
        counts = {
            st: sum(c.status == st for c in cells) for st in ("published", "primary", "secondary")
        }
        _audit.append(s, self.actor.username, "release", f"release {row.id}", {
            "periods": keys, "measure": measure_key, "stat": stat, "by": by,
            "cells": counts, "method": protected.method, "epsilon": epsilon,
        })  # fmt: skip
        log.info("release %d: %s %s by %s: %s", row.id, stat, measure_key, by, counts)
        return self._table(row, cells)

    # -- checks ------------------------------------------------------------------------------
    def _closed_periods(self, periods: str | list[str]) -> list[str]:
        names = [p.strip() for p in periods.split(",")] if isinstance(periods, str) else periods
        registry = Registry(self.db)
        keys = []
        for name in names:
            info = registry.period(name)
            if info.status != "closed":
                # Releasing an open period would let a later release reveal a member's revision.
                raise ConflictError(f"period {info.key} is still open: close it before releasing")
            keys.append(info.key)
        if not keys:
            raise InputError("give at least one period", column="period")
        return sorted(set(keys))

    def _refuse_blind(self) -> None:
        with self.db.session() as s:
            alliance = s.scalars(select(Alliance).order_by(Alliance.id)).first()
            if alliance is not None and alliance.trust_model == "blind":
                # The operator must not compute on values in a blind alliance: the nodes do.
                raise ConflictError(
                    "the alliance's trust model is 'blind': releases are computed by the "
                    "compute nodes (`osatnet release table` queues them; Python API: "
                    "osatnet.blind.platform.BlindService.request_release)"
                )

    @staticmethod
    def _check_request(
        key: str, stat: str, by: list[str], epsilon: float | None, bound: float | None
    ) -> None:
        if measure(key) is None:
            raise InputError(
                f"unknown measure {key!r}; see `osatnet submissions measures`", column="measure"
            )
        info = measure(key)
        if info is not None and info.level is Level.MEMBER and "process" in by:
            raise InputError(f"{key} is a member-level measure: it has no process", column="by")
        if stat not in STATS:
            raise InputError(f"stat must be one of {', '.join(STATS)}, got {stat!r}", column="stat")
        if stat == "sum" and _intensive(key):
            raise InputError(
                f"{key} is a rate or a unit cost: a sum means nothing; use mean or median",
                column="stat",
            )
        if not 1 <= len(by) <= 4 or len(set(by)) != len(by):
            raise InputError("--by takes one to four different dimensions", column="by")
        unknown = [d for d in by if d not in DIMENSIONS]
        if unknown:
            raise InputError(
                f"unknown dimension {unknown[0]!r}; expected {', '.join(DIMENSIONS)}", column="by"
            )
        if (epsilon is None) != (bound is None):
            raise InputError("differential privacy needs both --dp-epsilon and --dp-bound")
        if epsilon is not None:
            if stat not in ("sum", "mean", "count"):
                raise InputError(
                    "differential privacy is offered for count, sum and mean", column="stat"
                )
            if epsilon <= 0 or bound is None or bound <= 0:
                raise InputError("--dp-epsilon and --dp-bound must be positive")

    @staticmethod
    def _cells(
        protected: ProtectedTable, per_cell: dict[tuple[str, ...], dict[str, float]], stat: str,
        by: list[str],
    ) -> tuple[list[ReleaseCell], list[Domain]]:  # fmt: skip
        cells, published = [], []
        for cell in protected.cells():
            members = per_cell.get(cell.labels, {})
            labels = dict(zip(by, cell.labels, strict=True))
            if cell.status != "published":
                cells.append(
                    ReleaseCell(labels=labels, value=None, contributors=None, status=cell.status)
                )
                continue
            value = statistic(stat, list(members.values())) if members else 0.0
            cells.append(
                ReleaseCell(
                    labels=labels, value=value, contributors=len(members), status="published"
                )
            )
            description = ", ".join(f"{d}={v}" for d, v in labels.items())
            published.append((description, {d: v for d, v in labels.items() if v != TOTAL}))
        return cells, published

    @staticmethod
    def _refuse_differencing(
        session: Session, keys: list[str], key: str, records: list[Record], new: list[Domain],
        k: int,
    ) -> None:  # fmt: skip
        earlier: list[Domain] = []
        stmt = select(Release).where(
            Release.measure == key,
            Release.period_keys == ",".join(keys),
            Release.stat.in_(("sum", "mean")),
            Release.epsilon.is_(None),
        )
        for old in session.scalars(stmt):
            data = json.loads(old.cells)
            earlier += [(f"{d} (release {old.id})", labels) for d, labels in data["domains"]]
        clash = find_differencing(records, new, earlier, k)
        if clash is not None:
            cell, other, gap = clash
            raise ConflictError(
                f"release refused: cell {cell} and cell {other} differ by the data of {gap} "
                "member(s): publishing both would reveal it by subtraction"
            )

    @staticmethod
    def _spent(session: Session, keys: list[str]) -> float:
        total = session.scalar(
            select(func.coalesce(func.sum(PrivacySpend.epsilon), 0.0)).where(
                PrivacySpend.period_key.in_(keys)
            )
        )
        return float(total or 0.0)

    # -- reading ---------------------------------------------------------------------------
    def get(self, release_id: int) -> ReleaseTable:
        with self.db.session() as s:
            row = s.get(Release, release_id)
            if row is None:
                raise NotFoundError(f"no release {release_id}")
            cells = [ReleaseCell.model_validate(c) for c in json.loads(row.cells)["cells"]]
            return self._table(row, cells)

    @staticmethod
    def _summary(row: Release) -> dict[str, object]:
        return {
            "id": row.id, "periods": row.period_keys.split(","), "measure": row.measure,
            "stat": row.stat, "dims": row.dims.split(","), "created_by": row.created_by,
            "created_at": row.created_at, "epsilon": row.epsilon,
        }  # fmt: skip

    def _table(self, row: Release, cells: list[ReleaseCell]) -> ReleaseTable:
        return ReleaseTable.model_validate({**self._summary(row), "cells": cells})

    # Last in the class: the name would shadow the builtin for annotations below it.
    def list(self) -> list[ReleaseSummary]:
        with self.db.session() as s:
            rows = s.scalars(select(Release).order_by(Release.id))
            return [ReleaseSummary.model_validate(self._summary(r)) for r in rows]


def write_release_csv(table: ReleaseTable, path: str | Path) -> Path:
    """One row per cell, margins included: dimensions, value (empty when withheld),
    contributors, status."""
    out = Path(path)
    rows = [
        [*(c.labels[d] for d in table.dims), "" if c.value is None else c.value,
         "" if c.contributors is None else c.contributors, c.status]
        for c in table.cells
    ]  # fmt: skip
    write_csv(out, [*table.dims, "value", "contributors", "status"], rows)
    return out
