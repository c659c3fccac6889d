"""The firewall's Python API for submissions: :class:`Vault`, on behalf of an :class:`Actor`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit as _audit
from ..errors import ConflictError, NotFoundError
from ..logs import get_logger
from ..registry.catalog import UserRole
from ..registry.models import ReportingPeriod
from ..registry.service import Registry
from ..tabular import write_csv
from ._base import ActingService
from ._context import Scope, scoped_session
from ._intake import COLUMNS, Located, SubmissionRow, check_rows, read_submission_file
from ._keys import decrypt_value, encrypt_value, value_aad
from .measures import DERIVED
from .models import AuditEntry, Submission, SubmissionValue

__all__ = ["SubmissionInfo", "ValueRecord", "Vault"]

log = get_logger("vault")


class SubmissionInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    member_id: str
    period_key: str
    version: int
    status: str
    created_by: str
    created_at: datetime | None
    source: str | None
    row_count: int


class ValueRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: str
    site_id: str | None
    process: str | None
    measure: str
    value: float
    derived: bool = False


def _aad(member_id: str, period: str, submission_id: int, v: SubmissionValue) -> str:
    return value_aad(member_id, period, submission_id, v.site_id, v.process_key, v.measure)


class Vault(ActingService):
    """Confidential submissions of the alliance, seen through one user's rights.

    >>> vault = Vault.login(db, "m01-admin")                 # doctest: +SKIP
    >>> vault.submit_file("2026Q3.csv", period="2026Q3")     # doctest: +SKIP
    >>> vault.values("2026Q3")        # the member's own values only  # doctest: +SKIP
    """

    # -- submitting ------------------------------------------------------------------------
    def submit_file(self, path: str | Path, period: str) -> SubmissionInfo:
        """Submit a long-format CSV / .xlsx file as a new version (all or nothing)."""
        rows = read_submission_file(Path(path))
        return self._submit(period, rows, source=Path(path).name)

    def submit(
        self,
        period: str,
        rows: Sequence[SubmissionRow | dict[str, Any]],
        *,
        source: str | None = None,
    ) -> SubmissionInfo:
        located = [
            Located(
                "rows", i, r if isinstance(r, SubmissionRow) else SubmissionRow.model_validate(r)
            )
            for i, r in enumerate(rows, start=1)
        ]
        return self._submit(period, located, source=source)

    def _submit(self, period: str, rows: list[Located], source: str | None) -> SubmissionInfo:
        member_id = self.who.require_member()
        key = Registry(self.db).period(period).key
        with scoped_session(self.db, Scope.MEMBER, member_id) as s:
            self._require_open(s, key)
            check_rows(s, rows, member_id)
            aes = self.keyring.data_key(s, member_id, create=True)
            previous = self._versions(s, member_id, key)
            for old in previous:
                if old.status == "active":
                    old.status = "superseded"
            sub = Submission(
                member_id=member_id, period_key=key,
                version=max((p.version for p in previous), default=0) + 1, status="active",
                created_by=self.who.username, source=source, row_count=len(rows),
            )  # fmt: skip
            s.add(sub)
            s.flush()
            for item in rows:
                r = item.data
                value = SubmissionValue(
                    submission_id=sub.id, member_id=member_id, site_id=r.site_id,
                    process_key=r.process, measure=r.measure, ciphertext=b"",
                )  # fmt: skip
                value.ciphertext = encrypt_value(aes, r.value, _aad(member_id, key, sub.id, value))
                s.add(value)
            _audit.append(
                s, self.who.username, "import", f"submission {member_id}/{key}",
                {"version": sub.version, "rows": len(rows), "source": source},
            )  # fmt: skip
            s.flush()
            log.info(
                "member %s submitted version %d for %s (%d rows)",
                member_id,
                sub.version,
                key,
                len(rows),
            )
            return SubmissionInfo.model_validate(sub)

    def withdraw(self, period: str) -> SubmissionInfo:
        """Withdraw the member's active submission while the period is open."""
        member_id = self.who.require_member()
        key = Registry(self.db).period(period).key
        with scoped_session(self.db, Scope.MEMBER, member_id) as s:
            self._require_open(s, key)
            active = [v for v in self._versions(s, member_id, key) if v.status == "active"]
            if not active:
                raise NotFoundError(f"member {member_id} has no active submission for {key}")
            active[0].status = "withdrawn"
            _audit.append(s, self.who.username, "withdraw", f"submission {member_id}/{key}",
                          {"version": active[0].version})  # fmt: skip
            return SubmissionInfo.model_validate(active[0])

    @staticmethod
    def _require_open(session: Session, key: str) -> None:
        period = session.get(ReportingPeriod, key)
        if period is not None and period.status != "open":
            raise ConflictError(f"period {key} is closed: submissions can no longer change")

    @staticmethod
    def _versions(session: Session, member_id: str, period: str) -> list[Submission]:
        stmt = (
            select(Submission)
            .where(Submission.member_id == member_id, Submission.period_key == period)
            .order_by(Submission.version.desc())
        )
        return list(session.scalars(stmt))

    # -- reading one's own ----------------------------------------------------------------
    def submissions(self, period: str | None = None) -> list[SubmissionInfo]:
        """Every version the caller's member has submitted (metadata, no values)."""
        member_id = self.who.require_member()
        stmt = select(Submission).where(Submission.member_id == member_id)
        if period is not None:
            stmt = stmt.where(Submission.period_key == Registry(self.db).period(period).key)
        with scoped_session(self.db, Scope.MEMBER, member_id) as s:
            rows = s.scalars(stmt.order_by(Submission.period_key, Submission.version))
            return [SubmissionInfo.model_validate(r) for r in rows]

    def values(
        self, period: str, *, member_id: str | None = None, version: int | None = None
    ) -> list[ValueRecord]:
        """Decrypted raw values of the caller's own member (active version unless given)."""
        own = self.own_member(member_id, "read raw values of")
        key = Registry(self.db).period(period).key
        with scoped_session(self.db, Scope.MEMBER, own) as s:
            versions = self._versions(s, own, key)
            chosen = [
                v for v in versions if (v.version == version if version else v.status == "active")
            ]
            if not chosen:
                what = f"no version {version}" if version else "no active submission"
                raise NotFoundError(f"member {own} has {what} for {key}")
            sub = chosen[0]
            aes = self.keyring.data_key(s, own)
            records = [
                ValueRecord(
                    member_id=own, site_id=v.site_id, process=v.process_key, measure=v.measure,
                    value=decrypt_value(aes, v.ciphertext, _aad(own, key, sub.id, v)),
                )
                for v in sub.values
            ]  # fmt: skip
            _audit.append(s, self.who.username, "read", f"submission {own}/{key}",
                          {"version": sub.version, "values": len(records)})  # fmt: skip
        return records + _derived(records)

    def export_values(self, period: str, out: str | Path) -> Path:
        """Write the caller's own values (derived ones included) as CSV; audited as an export."""
        records = self.values(period)
        path = Path(out)
        write_csv(path, [*COLUMNS, "derived"], [
            [r.member_id, r.site_id, r.process, r.measure, r.value, "yes" if r.derived else ""]
            for r in records
        ])  # fmt: skip
        with self.db.session() as s:
            target = f"submission {records[0].member_id}/{period}"
            _audit.append(s, self.who.username, "export", target,
                          {"file": path.name, "values": len(records)})  # fmt: skip
        return path

    # -- metadata for the secretariat -------------------------------------------------------
    def status(self, period: str) -> list[SubmissionInfo]:
        """The latest version per member (metadata only): all members for the secretariat and
        auditors, the caller's own for member users."""
        key = Registry(self.db).period(period).key
        actor = self.who
        latest = (
            select(Submission.member_id, func.max(Submission.version).label("v"))
            .where(Submission.period_key == key)
            .group_by(Submission.member_id)
            .subquery()
        )
        stmt = (
            select(Submission)
            .join(
                latest,
                (Submission.member_id == latest.c.member_id) & (Submission.version == latest.c.v),
            )
            .where(Submission.period_key == key)
        )
        if actor.role.belongs_to_member:
            stmt = stmt.where(Submission.member_id == actor.member_id)
            scope, member = Scope.MEMBER, actor.member_id
        else:
            scope, member = Scope.METADATA, None
        with scoped_session(self.db, scope, member) as s:
            return [
                SubmissionInfo.model_validate(r)
                for r in s.scalars(stmt.order_by(Submission.member_id))
            ]

    # -- audit ---------------------------------------------------------------------------
    def audit_entries(self, limit: int = 50) -> list[AuditEntry]:
        self.who.require(UserRole.AUDITOR, UserRole.SECRETARIAT)
        with self.db.session() as s:
            stmt = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
            return list(reversed(list(s.scalars(stmt))))

    def verify_audit(self, anchor: str | None = None) -> list[_audit.AuditProblem]:
        self.who.require(UserRole.AUDITOR, UserRole.SECRETARIAT)
        with self.db.session() as s:
            entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        return _audit.verify_entries(entries, anchor)


def _derived(records: list[ValueRecord]) -> list[ValueRecord]:
    """unit_cost_total where all four parts of a site x process are present."""
    parts: dict[tuple[str | None, str | None], dict[str, float]] = defaultdict(dict)
    for r in records:
        parts[(r.site_id, r.process)][r.measure] = r.value
    out = []
    for name, needed in DERIVED.items():
        for (site, process), found in parts.items():
            if all(n in found for n in needed):
                out.append(
                    ValueRecord(
                        member_id=records[0].member_id, site_id=site, process=process,
                        measure=name, value=sum(found[n] for n in needed), derived=True,
                    )
                )  # fmt: skip
    return out
