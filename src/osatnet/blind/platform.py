"""Blind mode on the platform: :class:`BlindService`, the Python API behind the CLI and REST.

The platform is a post office here. It registers the alliance's compute nodes (members seal
to their public keys), stores the sealed bundles members upload (ciphertext it cannot open),
queues release jobs for the nodes, and stores a release once every node has returned the
same table (:mod:`.gateway`). It never holds a key that opens a share.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit as _audit
from ..errors import ConflictError, InputError, NotFoundError
from ..registry.catalog import UserRole
from ..registry.models import Alliance, ReportingPeriod, Site
from ..vault._base import ActingService
from ..vault._context import Scope, scoped_session
from ..vault._intake import check_rows, read_submission_file
from ..vault.measures import DERIVED, measure
from .client import BlindValue, share_values
from .envelope import FORMAT, unb64
from .field import FRACTION_BITS, value_modulus
from .models import BlindBundle, BlindJobRow, BlindNode, BlindNodeResult
from .registry_job import blind_job

__all__ = ["BlindService", "JobInfo", "NodeInfo", "UploadInfo", "token_hash"]

STATS = ("sum", "count", "mean", "median", "p25", "p75")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def fingerprint(public_key_b64: str) -> str:
    """What members compare with the node operator's, out of band, before trusting a key."""
    digest = hashlib.sha256(unb64(public_key_b64)).hexdigest()[:16]
    return ":".join(digest[i : i + 4] for i in range(0, 16, 4))


class NodeInfo(BaseModel):
    index: int
    operator: str
    host: str
    port: int
    public_key: str
    fingerprint: str


class UploadInfo(BaseModel):
    period: str
    member_id: str
    values: int
    nodes: int
    uploaded_by: str
    uploaded_at: datetime | None
    locations: list[dict[str, str]]  # measure, site, process: public metadata only


class JobInfo(BaseModel):
    id: int
    period: str
    measure: str
    stat: str
    dims: list[str]
    status: str
    attempt: int
    error: str | None
    release_id: int | None
    created_by: str
    created_at: datetime | None
    results: int  # nodes that returned this attempt's table


class BlindService(ActingService):
    """Blind mode for one user: members upload shares; the secretariat runs nodes and jobs."""

    # -- compute nodes -----------------------------------------------------------------------
    def register_node(
        self, index: int, public_key: str, *, operator: str, host: str, port: int
    ) -> tuple[NodeInfo, str]:
        """Register (or replace) node ``index``; returns it and its API token (shown once)."""
        self.who.require(UserRole.SECRETARIAT)
        if not 0 <= index < 16:
            raise InputError(f"a node index is 0 to 15, got {index}", column="index")
        try:
            if len(unb64(public_key)) != 32:
                raise ValueError
        except ValueError:
            raise InputError("public_key must be a base64 X25519 key (32 bytes)") from None
        if not 0 < port < 65536:
            raise InputError(f"port must be 1 to 65535, got {port}", column="port")
        token = "osn_node_" + secrets.token_urlsafe(32)
        with self.db.session() as s:
            node = s.get(BlindNode, index) or BlindNode(index=index)
            node.operator, node.host, node.port = operator, host, port
            node.public_key, node.token_hash = public_key, token_hash(token)
            s.add(node)
            _audit.append(s, self.who.username, "blind.node", f"node {index}", {
                "operator": operator, "host": host, "port": port,
                "fingerprint": fingerprint(public_key),
            })  # fmt: skip
        return self._node_info(node), token

    def nodes(self) -> list[NodeInfo]:
        """The registered nodes in order (public: any signed-in user)."""
        _ = self.who  # any signed-in user: members' clients need the keys
        with self.db.session() as s:
            rows = s.scalars(select(BlindNode).order_by(BlindNode.index))
            return [self._node_info(n) for n in rows]

    def node_keys(self) -> list[bytes]:
        nodes = self.nodes()
        if len(nodes) < 3 or [n.index for n in nodes] != list(range(len(nodes))):
            found = [n.index for n in nodes] or "none"
            raise ConflictError(
                f"blind mode needs nodes 0, 1, 2, … registered without gaps; found {found} "
                "(the secretariat registers them with `osatnet blind nodes add`)"
            )
        return [unb64(n.public_key) for n in nodes]

    @staticmethod
    def _node_info(n: BlindNode) -> NodeInfo:
        return NodeInfo(
            index=n.index, operator=n.operator, host=n.host, port=n.port,
            public_key=n.public_key, fingerprint=fingerprint(n.public_key),
        )  # fmt: skip

    # -- members' uploads --------------------------------------------------------------------
    def upload(self, period: str, values: Sequence[BlindValue]) -> UploadInfo:
        """Share and seal ``values`` here, in the member's own process, then store the bundles.

        Only ciphertext reaches the database: the values never leave this function in clear.
        """
        member = self.own_member(None, "upload shares for")
        bundles = share_values(member, period, values, self.node_keys())
        return self.store_bundles(bundles)

    def upload_file(self, period: str, path: Path) -> UploadInfo:
        """:meth:`upload` of a submission file (checked as a submission, row by row)."""
        return self.store_bundles(self.seal_file(period, path))

    def seal_file(self, period: str, path: Path) -> list[dict[str, Any]]:
        """Read, check, share and seal a submission file here; returns one bundle per node."""
        member = self.own_member(None, "upload shares for")
        rows = read_submission_file(path)
        with self.db.session() as s:
            check_rows(s, rows, member)
        values = [
            BlindValue(r.data.measure, r.data.value, r.data.site_id, r.data.process) for r in rows
        ]
        return share_values(member, period, values, self.node_keys())

    def store_bundles(self, bundles: Sequence[dict[str, Any]]) -> UploadInfo:
        """Store bundles sealed by the member's client (one per node); replaces earlier ones."""
        member = self.own_member(None, "upload shares for")
        keys = self.node_keys()
        period, locations = self._check_bundles(bundles, member, len(keys))
        with scoped_session(self.db, Scope.MEMBER, member) as s:
            info = s.get(ReportingPeriod, period)
            if info is None:
                raise NotFoundError(f"no reporting period {period}")
            if info.status != "open":
                raise ConflictError(f"period {period} is closed: shares are taken for open periods")
            self._check_sites(s, member, locations)
            s.execute(
                delete(BlindBundle).where(
                    BlindBundle.period_key == period, BlindBundle.member_id == member
                )
            )
            for b in bundles:
                s.add(BlindBundle(
                    period_key=period, member_id=member, node_index=int(b["node"]),
                    bundle=json.dumps(b, sort_keys=True), values=len(locations),
                    uploaded_by=self.who.username,
                ))  # fmt: skip
            # Counts and places only: the audit trail never holds a value or a share.
            _audit.append(s, self.who.username, "blind.upload", f"member {member}", {
                "period": period, "values": len(locations), "nodes": len(bundles),
            })  # fmt: skip
        return self.my_upload(period)

    @staticmethod
    def _check_bundles(
        bundles: Sequence[dict[str, Any]], member: str, nodes: int
    ) -> tuple[str, list[dict[str, str]]]:
        if sorted(int(b.get("node", -1)) for b in bundles) != list(range(nodes)):
            raise InputError(f"send exactly one bundle for each of the {nodes} nodes")
        first = bundles[0]
        period = str(first.get("period", ""))
        locations = [
            {"measure": str(x["measure"]), "site": str(x["site"]), "process": str(x["process"])}
            for x in first.get("shares", [])
        ]
        for b in bundles:
            if b.get("format") != FORMAT or b.get("member") != member or b.get("period") != period:
                raise InputError(
                    f"every bundle must be format {FORMAT}, member {member}, period {period}"
                )
            if str(b.get("value_modulus")) != str(value_modulus()):
                raise InputError("the bundle was shared in another field than the nodes use")
            if int(b.get("fraction_bits", -1)) != FRACTION_BITS:
                raise InputError(f"the bundle must use {FRACTION_BITS} fraction bits")
            if [
                {"measure": x["measure"], "site": x["site"], "process": x["process"]}
                for x in b.get("shares", [])
            ] != locations:
                raise InputError("the nodes' bundles must hold the same values in the same order")
        if not locations:
            raise InputError("the bundles hold no value")
        for loc in locations:
            if measure(loc["measure"]) is None or loc["measure"] in DERIVED:
                raise InputError(f"unknown or computed measure {loc['measure']!r}")
        return period, locations

    @staticmethod
    def _check_sites(s: Session, member: str, locations: list[dict[str, str]]) -> None:
        own = set(s.scalars(select(Site.id).where(Site.member_id == member)))
        for loc in locations:
            if loc["site"] and loc["site"] not in own:
                raise InputError(f"site {loc['site']!r} is not one of {member}'s sites")

    def my_upload(self, period: str, member_id: str | None = None) -> UploadInfo:
        """What the caller's member has uploaded for ``period`` (metadata; never a share)."""
        member = self.own_member(member_id, "read the uploads of")
        with scoped_session(self.db, Scope.MEMBER, member) as s:
            rows = list(s.scalars(select(BlindBundle).where(
                BlindBundle.period_key == period, BlindBundle.member_id == member
            ).order_by(BlindBundle.node_index)))  # fmt: skip
            if not rows:
                raise NotFoundError(f"{member} has uploaded no shares for {period}")
            shares = json.loads(rows[0].bundle)["shares"]
            return UploadInfo(
                period=period, member_id=member, values=rows[0].values, nodes=len(rows),
                uploaded_by=rows[0].uploaded_by, uploaded_at=rows[0].uploaded_at,
                locations=[{k: x[k] for k in ("measure", "site", "process")} for x in shares],
            )  # fmt: skip

    # -- release jobs ------------------------------------------------------------------------
    def request_release(
        self, period: str, measure_key: str, stat: str, by: Sequence[str], *, checks: str = "all"
    ) -> JobInfo:
        """Queue a blind release: the nodes pick it up, and it is published when all agree."""
        self.who.require(UserRole.SECRETARIAT)
        if stat not in STATS:
            raise InputError(f"stat must be one of {', '.join(STATS)}, got {stat!r}", column="stat")
        self.node_keys()
        # Aggregate scope: the job reads every member's bundle metadata (never a share).
        with scoped_session(self.db, Scope.AGGREGATE) as s:
            # The nodes compute the dearer statistics (quartiles) only when a release asks.
            extra = () if stat in ("sum", "count") else (stat,)
            job = blind_job(
                s, _DbBundles(s), period, measure_key, by, checks=checks,
                stats=("sum", "count", *extra),
            )  # fmt: skip
            row = BlindJobRow(
                period_key=period, measure=measure_key, stat=stat, dims=",".join(by),
                job=job.to_json(), digest=job.digest(), status="pending", attempt=1,
                created_by=self.who.username,
            )  # fmt: skip
            s.add(row)
            s.flush()
            _audit.append(s, self.who.username, "blind.job", f"job {row.id}", {
                "period": period, "measure": measure_key, "stat": stat, "by": list(by),
                "members": len(job.locations),
            })  # fmt: skip
            return _job_info(row, 0)

    def jobs(self) -> list[JobInfo]:
        self.who.require(UserRole.SECRETARIAT, UserRole.AUDITOR)
        with self.db.session() as s:
            rows = s.scalars(select(BlindJobRow).order_by(BlindJobRow.id))
            return [_job_info(r, _results(s, r)) for r in rows]

    def job(self, job_id: int) -> JobInfo:
        self.who.require(UserRole.SECRETARIAT, UserRole.AUDITOR)
        with self.db.session() as s:
            row = _get_job(s, job_id)
            return _job_info(row, _results(s, row))

    def retry(self, job_id: int) -> JobInfo:
        """Run a failed (or stuck) job again from the start: a new attempt, nothing reused."""
        self.who.require(UserRole.SECRETARIAT)
        with self.db.session() as s:
            row = _get_job(s, job_id)
            if row.status == "done":
                raise ConflictError(f"job {job_id} is done: release {row.release_id}")
            row.attempt += 1
            row.status, row.error = "pending", None
            _audit.append(s, self.who.username, "blind.retry", f"job {job_id}",
                          {"attempt": row.attempt})  # fmt: skip
            return _job_info(row, 0)

    def trust_model(self) -> str:
        with self.db.session() as s:
            alliance = s.scalars(select(Alliance).order_by(Alliance.id)).first()
            return alliance.trust_model if alliance else "operator-trusted"


def _get_job(s: Session, job_id: int) -> BlindJobRow:
    row = s.get(BlindJobRow, job_id)
    if row is None:
        raise NotFoundError(f"no blind job {job_id}")
    return row


def _results(s: Session, row: BlindJobRow) -> int:
    found = s.scalars(select(BlindNodeResult.node_index).where(
        BlindNodeResult.job_id == row.id, BlindNodeResult.attempt == row.attempt
    ))  # fmt: skip
    return len(list(found))


def _job_info(row: BlindJobRow, results: int) -> JobInfo:
    return JobInfo(
        id=row.id, period=row.period_key, measure=row.measure, stat=row.stat,
        dims=row.dims.split(","), status=row.status, attempt=row.attempt, error=row.error,
        release_id=row.release_id, created_by=row.created_by, created_at=row.created_at,
        results=results,
    )  # fmt: skip


class _DbBundles:
    """The stored bundles, read as :class:`.store.ShareStore` reads its files."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def bundles(self, period: str, node: int) -> Iterator[dict[str, Any]]:
        rows = self.session.scalars(select(BlindBundle).where(
            BlindBundle.period_key == period, BlindBundle.node_index == node
        ).order_by(BlindBundle.member_id))  # fmt: skip
        for row in rows:
            data: dict[str, Any] = json.loads(row.bundle)
            yield data
