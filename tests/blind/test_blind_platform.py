"""Blind mode through the platform: members upload sealed shares (Python API and CLI), the
secretariat queues a release, three node processes pull the job over HTTP, compute, and the
platform stores the release once all three agree. Compared with the operator-trusted release
on the same data; faults restart cleanly from the stored shares."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from osatnet.api.server import serving
from osatnet.auth import Auth
from osatnet.blind.client import BlindValue
from osatnet.blind.cluster import LocalCluster, free_ports
from osatnet.blind.models import BlindBundle, BlindNodeResult
from osatnet.blind.platform import BlindService
from osatnet.db import Database
from osatnet.demo.generator import generate_registry
from osatnet.demo.submissions import demo_submission_rows
from osatnet.errors import ConflictError, PermissionDenied
from osatnet.registry import Registry
from osatnet.registry._export import export_registry
from osatnet.registry.models import Alliance
from osatnet.vault import Vault
from osatnet.vault._context import Scope, scoped_session
from osatnet.vault.releases import Releases

from .test_blind_e2e import _raw_encodings

PERIOD, MEASURE, MEMBERS = "2026Q2", "weekly_capacity", 10


@dataclass
class Platform:
    db: Database
    url: str
    cluster: LocalCluster
    tokens: dict[str, str]  # API tokens of users
    node_tokens: list[Path]
    values: dict[str, list[BlindValue]]

    def nodes(self, which: list[int]) -> list[subprocess.Popen[str]]:
        return self.cluster.pull(self.url, self.node_tokens, which)

    def api(self, user: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def _serve(db: Database) -> Iterator[str]:
    (port,) = free_ports(1)
    with serving(db, port) as url:
        yield url


@pytest.fixture
def platform(db: Database, tmp_path: Path) -> Iterator[Platform]:
    data = generate_registry(7)
    export_registry(tmp_path / "registry", data.members, data.sites, data.capabilities)
    reg = Registry(db)
    reg.import_path(tmp_path / "registry")
    reg.add_period(PERIOD)
    reg.add_user("sec", "secretariat")
    rows = demo_submission_rows(data, 7, 2)
    members = [m for m in rows if any(r["measure"] == MEASURE for r in rows[m][1])][:MEMBERS]
    for m in members:
        reg.add_user(f"{m}-admin", "member_admin", member_id=m)
    with db.session() as s:
        s.execute(update(Alliance).values(min_contributors=3))
    cluster = LocalCluster(tmp_path / "cluster", timeout=90.0, shared_store=False).setup()
    sec = BlindService(db, "sec")
    tokens = []
    for i, key in enumerate(cluster.keys):
        _, token = sec.register_node(i, key.public_key_b64(), operator=f"org {i}",
                                     host="127.0.0.1", port=11365 + i)  # fmt: skip
        tokens.append(tmp_path / f"node-{i}.token")
        tokens[-1].write_text(token)
    values: dict[str, list[BlindValue]] = {}
    for m in members:
        site_rows = [dict(r) for r in rows[m][1] if r["measure"] == MEASURE]
        if m == members[0]:
            site_rows[0]["value"] = 0.0  # a zero counts as a contributor in a release
        Vault(db, f"{m}-admin").submit(PERIOD, site_rows)  # the operator-trusted twin
        values[m] = [
            BlindValue(MEASURE, float(r["value"]), str(r["site_id"]), str(r["process"]))  # type: ignore[arg-type]
            for r in site_rows
        ]
        BlindService(db, f"{m}-admin").upload(PERIOD, values[m])
    auth = Auth(db)
    api_tokens = {u: auth.create_token(u, "tests").token for u in ("sec", f"{members[0]}-admin",
                                                                  f"{members[1]}-admin")}  # fmt: skip
    for url in _serve(db):
        yield Platform(db, url, cluster, api_tokens, tokens, values)


def _close_and_go_blind(db: Database) -> int:
    Registry(db).set_period_status(PERIOD, "closed")
    # The operator-trusted release on the same data, before the alliance turns blind.
    reference = Releases(db, BlindService(db, "sec").who).create(
        PERIOD, MEASURE, "sum", ["process", "region"], method="heuristic"
    )
    with db.session() as s:
        s.execute(update(Alliance).values(trust_model="blind"))
    return reference.id


def _finish(procs: list[subprocess.Popen[str]]) -> list[str]:
    logs = []
    for p in procs:
        _, err = p.communicate(timeout=240)
        logs.append(err)
    return logs


def test_release_through_the_platform_matches_operator_trusted(platform: Platform) -> None:
    db = platform.db
    reference_id = _close_and_go_blind(db)
    sec = BlindService(db, "sec")
    with pytest.raises(ConflictError, match="blind"):
        Releases(db, sec.who).create(PERIOD, MEASURE, "sum", ["process"])  # no operator path
    job = sec.request_release(PERIOD, MEASURE, "sum", ["process", "region"])
    assert job.status == "pending" and job.results == 0
    logs = _finish(platform.nodes([0, 1, 2]))
    job = sec.job(job.id)
    assert job.status == "done", logs
    assert job.release_id is not None
    blind = Releases(db, sec.who).get(job.release_id)
    reference = Releases(db, sec.who).get(reference_id)
    assert [c.labels for c in blind.cells] == [c.labels for c in reference.cells]
    both = 0
    for b, r in zip(blind.cells, reference.cells, strict=True):
        assert (b.status == "primary") == (r.status == "primary")  # the same rules
        if b.status == r.status == "published":
            both += 1
            assert b.value == pytest.approx(r.value, abs=1e-3)
            assert b.contributors == r.contributors
    assert both >= 3
    # Nothing the platform stores about blind mode holds a raw value.
    # (Short texts such as "3300" would turn up by chance in base64: six characters or more.)
    raw = [v.value for vs in platform.values.values() for v in vs]
    needles = [n for n in _raw_encodings(raw) if len(n) >= 6]
    with scoped_session(db, Scope.AGGREGATE) as s:  # as a dump would: every row
        stored = [b.bundle.encode() for b in s.scalars(select(BlindBundle))]
        results = [json.loads(r.result) for r in s.scalars(select(BlindNodeResult))]
    assert len(stored) == 3 * MEMBERS and len(results) == 3
    # The results hold published aggregates only (empty, or at least 3 members each).
    for cell in results[0]["cells"]:
        assert cell["status"] != "published" or cell["contributors"] in (0, *range(3, 99))
    for blob in stored:
        for needle in needles:
            assert needle not in blob
    for i in range(3):  # nor any node's storage (its cached bundles)
        for path in platform.cluster.node_dir(i).rglob("*"):
            if path.is_file() and "results" not in path.parts:
                assert not any(n in path.read_bytes() for n in needles), path


def test_a_missing_node_fails_the_job_and_a_retry_finishes_it(platform: Platform) -> None:
    db = platform.db
    _close_and_go_blind(db)
    platform.cluster.timeout = 4.0
    platform.cluster.reconfigure()
    sec = BlindService(db, "sec")
    job = sec.request_release(PERIOD, MEASURE, "count", ["process"], checks="min_contributors")
    logs = _finish(platform.nodes([0, 1]))  # node 2 is down
    failed = sec.job(job.id)
    assert failed.status == "failed", logs
    assert re.search(r"node 2 .*unreachable|\[2\] never connected", failed.error or ""), (
        failed.error
    )
    assert failed.release_id is None
    # The shares are still there: a retry (a new attempt) with every node up finishes it.
    platform.cluster.timeout = 90.0
    platform.cluster.reconfigure()
    again = sec.retry(job.id)
    assert again.attempt == 2 and again.status == "pending"
    logs = _finish(platform.nodes([0, 1, 2]))
    done = sec.job(job.id)
    assert done.status == "done", logs
    assert done.release_id is not None
    table = Releases(db, sec.who).get(done.release_id)
    published = [c for c in table.cells if c.status == "published"]
    assert published and all(c.value == c.contributors for c in published)
    with pytest.raises(ConflictError, match="done"):
        sec.retry(job.id)


def test_who_may_read_what(platform: Platform) -> None:
    members = list(platform.values)
    first, second = members[0], members[1]
    with platform.api(f"{second}-admin") as c:
        # Another member's upload (even its metadata) is refused; its own is readable.
        assert (
            c.get(f"/api/v1/blind/uploads/{PERIOD}", params={"member_id": first}).status_code == 403
        )
        own = c.get(f"/api/v1/blind/uploads/{PERIOD}")
        assert own.status_code == 200 and own.json()["member_id"] == second
        # Members cannot act as the secretariat or as a node.
        assert c.get("/api/v1/blind/jobs").status_code == 403
        body = {"period": PERIOD, "measure": MEASURE, "by": ["process"]}
        assert c.post("/api/v1/blind/jobs", json=body).status_code == 403
        assert c.get("/api/v1/blind/node/jobs").status_code == 401
        assert c.get("/api/v1/blind/node/jobs/1/bundles").status_code == 401
        assert c.get("/api/v1/blind/nodes").status_code == 200  # public keys: everyone
    with pytest.raises(PermissionDenied):
        BlindService(platform.db, f"{second}-admin").my_upload(PERIOD, first)
    _close_and_go_blind(platform.db)
    job = BlindService(platform.db, "sec").request_release(PERIOD, MEASURE, "sum", ["process"])
    node0 = {"Authorization": f"Bearer {platform.node_tokens[0].read_text()}"}
    with httpx.Client(base_url=platform.url, headers=node0) as c:
        pending = c.get("/api/v1/blind/node/jobs").json()
        assert [p["id"] for p in pending] == [job.id]
        bundles = c.get(f"/api/v1/blind/node/jobs/{job.id}/bundles").json()
        assert len(bundles) == MEMBERS and {b["node"] for b in bundles} == {0}  # its own only
        # A node cannot post a result under another node's name.
        fake = {"format": "osatnet-blind-result/1", "node": 1, "job": "x", "cells": []}
        r = c.post(f"/api/v1/blind/node/jobs/{job.id}/result", json={"attempt": 1, "result": fake})
        assert r.status_code == 422 and "another node" in r.text
    with httpx.Client(base_url=platform.url, headers={"Authorization": "Bearer nope"}) as c:
        assert c.get("/api/v1/blind/node/jobs").status_code == 401


def test_uploads_are_checked_and_replace_earlier_ones(platform: Platform, tmp_path: Path) -> None:
    member = next(iter(platform.values))
    service = BlindService(platform.db, f"{member}-admin")
    first = service.my_upload(PERIOD)
    assert first.values == len(platform.values[member]) and first.nodes == 3
    # Re-sending replaces (a member can always re-send; nothing else is kept).
    again = service.upload(PERIOD, platform.values[member][:1])
    assert again.values == 1
    with scoped_session(platform.db, Scope.MEMBER, member) as s:
        rows = list(s.scalars(select(BlindBundle).where(BlindBundle.member_id == member)))
    assert len(rows) == 3
    # A bad file: one error naming file, row and column; nothing replaced.
    bad = tmp_path / "bad.csv"
    bad.write_text(f"member_id,site_id,process,measure,value\n{member},,final_test,{MEASURE},-5\n")
    from osatnet.errors import InputError

    with pytest.raises(InputError) as err:
        service.upload_file(PERIOD, bad)
    assert "row 2" in str(err.value) or err.value.row == 2
    assert service.my_upload(PERIOD).values == 1
