"""The platform's side of the compute nodes: hand out jobs and bundles, collect results.

A node authenticates with its token (:meth:`.platform.BlindService.register_node`) and sees
only what it needs: the pending jobs (public data) and the bundles sealed to *its* key. Each
node posts the table it computed; when every node has posted for the job's current attempt
and all tables are identical, the platform stores them as a release (the nodes' results are
their own cross-check: a node that computed something else stops the release). A node that
fails posts its reason and the job fails: the secretariat runs it again (``retry``), from the
start, with the shares still in the database. Sealed-bid auctions go the same way
(:mod:`.auction_gateway`, mixed in).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit as _audit
from ..db import Database
from ..errors import ConflictError, InputError, NotFoundError, PermissionDenied
from ..logs import get_logger
from ..vault._context import Scope, scoped_session
from ..vault.models import Release
from .auction_gateway import AuctionWork
from .models import BlindBundle, BlindJobRow, BlindNode, BlindNodeResult
from .node import RESULT_FORMAT
from .platform import token_hash

__all__ = ["NodeGateway", "PendingJob"]

log = get_logger("blind.gateway")


class PendingJob(BaseModel):
    id: int
    attempt: int
    job: dict[str, Any]  # the BlindJob JSON, public data only


class NodeGateway(AuctionWork):
    """What one compute node may do on the platform, authenticated by its token."""

    def __init__(self, db: Database, token: str) -> None:
        self.db = db
        with db.session() as s:
            node = s.scalar(select(BlindNode).where(BlindNode.token_hash == token_hash(token)))
            if node is None:
                raise PermissionDenied("not a registered compute node's token")
            self.index = node.index
            self.nodes = len(list(s.scalars(select(BlindNode.index))))

    def pending(self) -> list[PendingJob]:
        """Jobs waiting for this node's result, oldest first."""
        with self.db.session() as s:
            rows = s.scalars(
                select(BlindJobRow).where(BlindJobRow.status == "pending").order_by(BlindJobRow.id)
            )
            done = {
                (r.job_id, r.attempt)
                for r in s.scalars(
                    select(BlindNodeResult).where(BlindNodeResult.node_index == self.index)
                )
            }
            return [
                PendingJob(id=r.id, attempt=r.attempt, job=json.loads(r.job))
                for r in rows
                if (r.id, r.attempt) not in done
            ]

    def bundles(self, job_id: int) -> list[dict[str, Any]]:
        """The bundles sealed to this node for the job's period (ciphertext only)."""
        with scoped_session(self.db, Scope.AGGREGATE) as s:
            row = self._job(s, job_id)
            found = s.scalars(select(BlindBundle).where(
                BlindBundle.period_key == row.period_key, BlindBundle.node_index == self.index
            ).order_by(BlindBundle.member_id))  # fmt: skip
            bundles = [json.loads(b.bundle) for b in found]
            _audit.append(s, f"node-{self.index}", "blind.download", f"job {job_id}",
                          {"bundles": len(bundles)})  # fmt: skip
            return bundles

    def fail(self, job_id: int, attempt: int, reason: str) -> None:
        """This node could not finish: the attempt fails and nothing is published."""
        with self.db.session() as s:
            row = self._job(s, job_id, lock=True)
            if row.attempt != attempt or row.status != "pending":
                return  # an older attempt's news; the current one is unaffected
            said = reason[:500]
            row.status = "failed"
            mine = said.startswith(f"node {self.index}:")
            row.error = said if mine else f"node {self.index}: {said}"
            _audit.append(s, f"node-{self.index}", "blind.failed", f"job {job_id}",
                          {"attempt": attempt, "reason": reason[:500]})  # fmt: skip

    def post(self, job_id: int, attempt: int, result: dict[str, Any]) -> str:
        """Store this node's table; publish when every node has posted the same one.

        Returns the job's status afterwards (``pending``, ``done`` or ``failed``).
        """
        with self.db.session() as s:
            row = self._job(s, job_id, lock=True)
            if row.attempt != attempt or row.status != "pending":
                raise ConflictError(
                    f"job {job_id} attempt {attempt} is not running (now attempt {row.attempt}, "
                    f"{row.status})"
                )
            self._check(row, result)
            s.execute(delete(BlindNodeResult).where(
                BlindNodeResult.job_id == job_id, BlindNodeResult.node_index == self.index
            ))  # fmt: skip
            s.add(BlindNodeResult(job_id=job_id, node_index=self.index, attempt=attempt,
                                  result=json.dumps(result, sort_keys=True)))  # fmt: skip
            s.flush()
            posted = list(s.scalars(select(BlindNodeResult).where(
                BlindNodeResult.job_id == job_id, BlindNodeResult.attempt == attempt
            )))  # fmt: skip
            if len(posted) == self.nodes:
                self._conclude(s, row, [json.loads(p.result) for p in posted])
            return row.status

    def _check(self, row: BlindJobRow, result: dict[str, Any]) -> None:
        if result.get("format") != RESULT_FORMAT:
            raise InputError(f"a node result must be format {RESULT_FORMAT}")
        if int(result.get("node", -1)) != self.index:
            raise InputError(f"node {self.index} posted a result signed as another node")
        if result.get("job") != row.digest:
            raise InputError(f"the result is for another job than job {row.id}")
        if not isinstance(result.get("cells"), list):
            raise InputError("a node result lists its cells")

    def _conclude(self, s: Session, row: BlindJobRow, results: list[dict[str, Any]]) -> None:
        tables = {json.dumps(r["cells"], sort_keys=True) for r in results}
        inputs = {r.get("inputs") for r in results}
        if len(tables) != 1 or len(inputs) != 1:
            row.status = "failed"
            row.error = "the nodes returned different tables; nothing published"
            _audit.append(s, "platform", "blind.failed", f"job {row.id}",
                          {"attempt": row.attempt, "reason": "nodes disagree"})  # fmt: skip
            return
        cells = [_release_cell(c, row.stat) for c in results[0]["cells"]]
        release = Release(
            period_keys=row.period_key, measure=row.measure, stat=row.stat, dims=row.dims,
            created_by=row.created_by, epsilon=None,
            cells=json.dumps({"cells": cells, "domains": [], "method": "blind"}),
        )  # fmt: skip
        s.add(release)
        s.flush()
        row.status, row.release_id = "done", release.id
        counts = {st: sum(c["status"] == st for c in cells)
                  for st in ("published", "primary", "secondary")}  # fmt: skip
        _audit.append(s, row.created_by, "release", f"release {release.id}", {
            "periods": [row.period_key], "measure": row.measure, "stat": row.stat,
            "by": row.dims.split(","), "cells": counts, "method": "blind", "job": row.id,
        })  # fmt: skip
        log.info("blind job %d: release %d: %s", row.id, release.id, counts)

    @staticmethod
    def _job(s: Session, job_id: int, *, lock: bool = False) -> BlindJobRow:
        # Locked while posting: three nodes posting at once must not each miss the others'
        # results and leave the job pending (PostgreSQL; SQLite serialises writers anyway).
        row = s.get(BlindJobRow, job_id, with_for_update=lock)
        if row is None:
            raise NotFoundError(f"no blind job {job_id}")
        return row


def _release_cell(cell: dict[str, Any], stat: str) -> dict[str, Any]:
    """A node's cell as a release cell: the statistic asked for, or nothing when withheld."""
    published = cell["status"] == "published"
    # As an operator-trusted release counts: members with a record in the cell (public).
    members = cell["members"] if published else None
    if not published:
        value = None
    elif stat == "count":
        value = members
    elif stat == "sum":
        value = cell["value"]
    else:
        value = cell.get(stat)
    return {
        "labels": cell["labels"], "status": cell["status"],
        "value": None if value is None else float(value),
        "contributors": members,
    }  # fmt: skip
