"""The registry's Python API: :class:`Registry`."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from .. import audit as _audit
from ..db import Database
from ..errors import ConflictError, InputError, NotFoundError
from ..logs import get_logger
from ._export import export_registry
from ._files import read_registry_files
from ._import import ImportReport, apply_registry_files
from ._periods import parse_period
from .catalog import Certification, EmployeeBand, MemberRole, UserRole
from .models import (
    Alliance,
    Member,
    ProcessFamily,
    ReportingPeriod,
    Site,
    SiteCapability,
    User,
)
from .schemas import CapabilityRow, MemberRow, SiteRow

__all__ = ["AllianceInfo", "PeriodInfo", "ProcessInfo", "Registry", "UserInfo"]

log = get_logger("registry")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class AllianceInfo(_Out):
    id: int
    name: str
    name_ja: str | None
    trust_model: str
    min_contributors: int
    dominance_n: int
    dominance_k_pct: float
    p_percent: float
    protection_pct: float


class ProcessInfo(_Out):
    key: str
    name: str
    name_ja: str
    stage: str
    capacity_unit: str


class PeriodInfo(_Out):
    key: str
    starts_on: str
    ends_on: str
    status: str


class UserInfo(_Out):
    username: str
    role: UserRole
    member_id: str | None
    display_name: str | None
    email: str | None
    active: bool


def _member_row(m: Member) -> MemberRow:
    return MemberRow.model_construct(
        member_id=m.id, name=m.name, name_ja=m.name_ja, country=m.country,
        prefecture=m.prefecture, employee_band=EmployeeBand(m.employee_band),
        role=MemberRole(m.role), website=m.website,
    )  # fmt: skip


def _site_row(s: Site) -> SiteRow:
    certs = tuple(Certification(c.certification) for c in s.certifications)
    return SiteRow.model_construct(
        site_id=s.id, member_id=s.member_id, name=s.name, name_ja=s.name_ja, country=s.country,
        region=s.region, lat=s.lat, lon=s.lon,
        certifications=tuple(sorted(certs, key=list(Certification).index)),
    )  # fmt: skip


def _capability_row(c: SiteCapability) -> CapabilityRow:
    return CapabilityRow.model_construct(
        site_id=c.site_id, process=c.process_key, weekly_capacity=c.weekly_capacity,
        automotive=c.automotive,
    )  # fmt: skip


class Registry:
    """Members, sites, capabilities, users and reporting periods of one alliance.

    >>> reg = Registry(Database("sqlite://"))
    >>> reg.import_path("registry/")           # doctest: +SKIP
    >>> [m.name for m in reg.members()]        # doctest: +SKIP
    """

    def __init__(self, db: Database | None = None) -> None:
        self.db = db or Database()

    # -- alliance ---------------------------------------------------------------------------
    def _alliance(self, session: Session) -> Alliance:
        alliance = session.scalars(select(Alliance).order_by(Alliance.id)).first()
        if alliance is None:
            alliance = Alliance(name=self.db.settings.alliance_name)
            session.add(alliance)
            session.flush()
        return alliance

    def alliance(self) -> AllianceInfo:
        with self.db.session() as s:
            return AllianceInfo.model_validate(self._alliance(s))

    def configure_alliance(self, **settings: object) -> AllianceInfo:
        """Rename the alliance or change its disclosure settings (validated by the schema)."""
        allowed = set(AllianceInfo.model_fields) - {"id"}
        unknown = sorted(set(settings) - allowed)
        if unknown:
            raise InputError(
                f"unknown alliance setting {unknown[0]!r}; expected one of {sorted(allowed)}"
            )
        with self.db.session() as s:
            alliance = self._alliance(s)
            merged = AllianceInfo.model_validate(alliance).model_dump() | settings
            checked = AllianceInfo.model_validate(merged)
            for name in settings:
                setattr(alliance, name, getattr(checked, name))
            try:
                s.flush()
            except IntegrityError as exc:
                raise InputError(f"invalid alliance setting: {exc.orig}") from exc
            return AllianceInfo.model_validate(alliance)

    # -- files ------------------------------------------------------------------------------
    def import_path(self, path: str | Path, *, actor: str | None = None) -> ImportReport:
        """Import a folder of CSV files or an .xlsx workbook: everything or nothing."""
        files = read_registry_files(Path(path))
        with self.db.session() as s:
            report = apply_registry_files(s, self._alliance(s), files)
            _audit.append(s, self._who(actor), "import", "registry",
                          {"source": Path(path).name, "rows": report.as_dict()})  # fmt: skip
        log.info("registry import from %s: %s", path, report.as_dict())
        return report

    def export(self, out: str | Path, *, actor: str | None = None) -> list[Path]:
        """Write the registry as CSV files into a folder, or one workbook if ``out`` is .xlsx."""
        paths = export_registry(Path(out), self.members(), self.sites(), self.capabilities())
        with self.db.session() as s:
            _audit.append(s, self._who(actor), "export", "registry", {"to": Path(out).name})
        return paths

    def _who(self, actor: str | None) -> str:
        """Who the audit trail names: the given user, else OSATNET_USER, else the OS account."""
        return actor or self.db.settings.user or f"operator:{getpass.getuser()}"

    # -- reading ----------------------------------------------------------------------------
    def members(self) -> list[MemberRow]:
        with self.db.session() as s:
            return [_member_row(m) for m in s.scalars(select(Member).order_by(Member.id))]

    def member(self, member_id: str) -> MemberRow:
        with self.db.session() as s:
            m = s.get(Member, member_id)
            if m is None:
                raise NotFoundError(f"no member {member_id!r}")
            return _member_row(m)

    def sites(self, member_id: str | None = None) -> list[SiteRow]:
        stmt = select(Site).options(selectinload(Site.certifications)).order_by(Site.id)
        if member_id is not None:
            stmt = stmt.where(Site.member_id == member_id)
        with self.db.session() as s:
            return [_site_row(x) for x in s.scalars(stmt)]

    def capabilities(
        self, *, site_id: str | None = None, process: str | None = None
    ) -> list[CapabilityRow]:
        stmt = select(SiteCapability).order_by(SiteCapability.site_id, SiteCapability.process_key)
        if site_id is not None:
            stmt = stmt.where(SiteCapability.site_id == site_id)
        if process is not None:
            stmt = stmt.where(SiteCapability.process_key == process)
        with self.db.session() as s:
            return [_capability_row(c) for c in s.scalars(stmt)]

    def processes(self) -> list[ProcessInfo]:
        with self.db.session() as s:
            rows = s.scalars(select(ProcessFamily).order_by(ProcessFamily.sort_order))
            return [ProcessInfo.model_validate(p) for p in rows]

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            return {
                "members": s.scalar(select(func.count()).select_from(Member)) or 0,
                "sites": s.scalar(select(func.count()).select_from(Site)) or 0,
                "capabilities": s.scalar(select(func.count()).select_from(SiteCapability)) or 0,
                "users": s.scalar(select(func.count()).select_from(User)) or 0,
                "periods": s.scalar(select(func.count()).select_from(ReportingPeriod)) or 0,
            }

    # -- periods ----------------------------------------------------------------------------
    def add_period(self, key: str) -> PeriodInfo:
        name, starts, ends = parse_period(key)
        with self.db.session() as s:
            if s.get(ReportingPeriod, name) is not None:
                raise ConflictError(f"period {name} exists already")
            period = ReportingPeriod(key=name, starts_on=starts, ends_on=ends, status="open")
            s.add(period)
            return _period_info(period)

    def periods(self) -> list[PeriodInfo]:
        with self.db.session() as s:
            rows = s.scalars(select(ReportingPeriod).order_by(ReportingPeriod.key))
            return [_period_info(p) for p in rows]

    def period(self, key: str) -> PeriodInfo:
        with self.db.session() as s:
            return _period_info(self._period(s, key))

    def set_period_status(self, key: str, status: str) -> PeriodInfo:
        if status not in ("open", "closed"):
            raise InputError(f"period status must be open or closed, got {status!r}")
        with self.db.session() as s:
            period = self._period(s, key)
            period.status = status
            period.closed_at = datetime.now(UTC) if status == "closed" else None
            return _period_info(period)

    @staticmethod
    def _period(session: Session, key: str) -> ReportingPeriod:
        name = parse_period(key)[0]
        period = session.get(ReportingPeriod, name)
        if period is None:
            raise NotFoundError(
                f"no reporting period {name}; add it with `osatnet periods add {name}`"
            )
        return period

    # -- users ------------------------------------------------------------------------------
    def add_user(
        self,
        username: str,
        role: UserRole | str,
        *,
        member_id: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
    ) -> UserInfo:
        try:
            role = UserRole(role)
        except ValueError:
            allowed = ", ".join(r.value for r in UserRole)
            raise InputError(
                f"role must be one of {allowed}, got {role!r}", column="role"
            ) from None
        if not username.strip():
            raise InputError("username must not be empty", column="username")
        if role.belongs_to_member and member_id is None:
            raise InputError(
                f"a {role.value} belongs to a member: give --member", column="member_id"
            )
        if not role.belongs_to_member and member_id is not None:
            raise InputError(
                f"a {role.value} belongs to the secretariat, not to a member", column="member_id"
            )
        with self.db.session() as s:
            if member_id is not None and s.get(Member, member_id) is None:
                raise NotFoundError(f"no member {member_id!r}")
            if s.scalar(select(User).where(User.username == username)) is not None:
                raise ConflictError(f"user {username!r} exists already")
            user = User(
                username=username.strip(), role=role.value, member_id=member_id,
                display_name=display_name, email=email, active=True,
            )  # fmt: skip
            s.add(user)
            s.flush()
            return UserInfo.model_validate(user)

    def users(self, member_id: str | None = None) -> list[UserInfo]:
        stmt = select(User).order_by(User.username)
        if member_id is not None:
            stmt = stmt.where(User.member_id == member_id)
        with self.db.session() as s:
            return [UserInfo.model_validate(u) for u in s.scalars(stmt)]

    def user(self, username: str) -> UserInfo:
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotFoundError(f"no user {username!r}")
            return UserInfo.model_validate(user)


def _period_info(p: ReportingPeriod) -> PeriodInfo:
    return PeriodInfo(
        key=p.key, starts_on=p.starts_on.isoformat(), ends_on=p.ends_on.isoformat(), status=p.status
    )
