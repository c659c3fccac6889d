"""A compute node working for the platform: fetch jobs and its own sealed bundles over HTTP,
compute with the other nodes, post the result.

The node pulls (the platform never connects to a node). Bundles are cached in the node's
``store`` directory, replaced for each job, so a job can be re-run on the node alone. The
standard library's HTTP client is enough for four JSON calls.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, OsatnetError
from .config import NodeConfig
from .job import BlindJob
from .node import run_node
from .store import ShareStore

__all__ = ["NodeClient", "work"]


@dataclass(frozen=True)
class NodeClient:
    base_url: str  # the platform's address, e.g. https://osatnet.example.org
    token: str

    def _call(self, method: str, path: str, body: object = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url.rstrip("/") + "/api/v1/blind/node" + path, data=data, method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            raise ConfigError(f"platform refused {method} {path}: {exc.code} {detail}") from None
        except urllib.error.URLError as exc:
            where = self.base_url
            raise ConfigError(f"cannot reach the platform at {where}: {exc.reason}") from None

    def pending(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._call("GET", "/jobs")
        return found

    def bundles(self, job_id: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._call("GET", f"/jobs/{job_id}/bundles")
        return found

    def post(self, job_id: int, attempt: int, result: dict[str, Any]) -> str:
        body = {"attempt": attempt, "result": result}
        answer = self._call("POST", f"/jobs/{job_id}/result", body)
        return str(answer["status"])

    def fail(self, job_id: int, attempt: int, reason: str) -> None:
        self._call("POST", f"/jobs/{job_id}/failure", {"attempt": attempt, "reason": reason})


def _cache(config: NodeConfig, period: str, bundles: list[dict[str, Any]]) -> None:
    # Only this job's bundles: a member that withdrew must not linger from an earlier run.
    store = ShareStore(config.store)
    shutil.rmtree(store.root / period, ignore_errors=True)
    for bundle in bundles:
        if int(bundle.get("node", -1)) != config.index:
            raise ConfigError("the platform sent a bundle sealed to another node")
        store.put(bundle)


def work(
    config: NodeConfig, client: NodeClient, *, once: bool = False, poll: float = 5.0,
    say: Callable[[str], None] = lambda _: None,
) -> int:  # fmt: skip
    """Run pending jobs as they come (``once``: those pending now, then return).

    Returns the number of jobs this node failed; each failure is reported to the platform.
    """
    failures = 0
    while True:
        jobs = client.pending()
        for item in jobs:
            job = BlindJob.from_json(json.dumps(item["job"]))
            job_id, attempt = int(item["id"]), int(item["attempt"])
            what = f"{job.measure} {job.period}"
            say(f"node {config.index}: job {job_id} (attempt {attempt}): {what}")
            try:
                _cache(config, job.period, client.bundles(job_id))
                out = Path(config.store) / "results" / f"job-{job_id}-{attempt}.json"
                result = run_node(config, job, out, say)
            except OsatnetError as exc:
                failures += 1
                say(f"node {config.index}: job {job_id} failed: {exc}")
                client.fail(job_id, attempt, str(exc))
                continue
            status = client.post(job_id, attempt, result)
            say(f"node {config.index}: job {job_id} posted; the job is {status}")
        if once:
            return failures
        time.sleep(poll)
