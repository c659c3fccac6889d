"""A compute node working for the platform: fetch jobs and its own sealed bundles over HTTP,
compute with the other nodes, post the result. Sealed-bid auctions being cleared come the
same way: the node downloads its own order bundles, clears with the other nodes
(:func:`.auction_node.run_auction`) and posts the prices and its sealed result parts.

The node pulls (the platform never connects to a node). Bundles are cached in the node's
``store`` directory (orders under ``auctions/``), replaced for each run, so a job or an
auction can be re-run on the node alone. The standard library's HTTP client is enough for a
handful of JSON calls.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, OsatnetError
from .auction import Auction
from .auction_client import order_store, put_orders
from .auction_node import run_auction
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

    def auctions(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._call("GET", "/auctions")
        return found

    def orders(self, auction_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._call("GET", f"/auctions/{_quote(auction_id)}/orders")
        return found

    def post_auction(self, auction_id: str, attempt: int, result: dict[str, Any]) -> str:
        body = {"attempt": attempt, "result": result}
        answer = self._call("POST", f"/auctions/{_quote(auction_id)}/result", body)
        return str(answer["status"])

    def fail_auction(self, auction_id: str, attempt: int, reason: str) -> None:
        body = {"attempt": attempt, "reason": reason}
        self._call("POST", f"/auctions/{_quote(auction_id)}/failure", body)


def _quote(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def _cache(config: NodeConfig, period: str, bundles: list[dict[str, Any]]) -> None:
    # Only this job's bundles: a member that withdrew must not linger from an earlier run.
    store = ShareStore(config.store)
    shutil.rmtree(store.root / period, ignore_errors=True)
    for bundle in bundles:
        if int(bundle.get("node", -1)) != config.index:
            raise ConfigError("the platform sent a bundle sealed to another node")
        store.put(bundle)


def _cache_orders(config: NodeConfig, auction_id: str, bundles: list[dict[str, Any]]) -> None:
    # Only this run's bundles: orders from an earlier attempt must not linger.
    store = order_store(config.store)
    shutil.rmtree(store.root / auction_id, ignore_errors=True)
    for bundle in bundles:
        if int(bundle.get("node", -1)) != config.index or bundle.get("auction") != auction_id:
            raise ConfigError("the platform sent orders sealed to another node or auction")
        put_orders(config.store, bundle)


def _run_jobs(config: NodeConfig, client: NodeClient, say: Callable[[str], None]) -> int:
    failures = 0
    for item in client.pending():
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
    return failures


def _run_auctions(config: NodeConfig, client: NodeClient, say: Callable[[str], None]) -> int:
    failures = 0
    for item in client.auctions():
        name, attempt = str(item["auction_id"]), int(item["attempt"])
        say(f"node {config.index}: auction {name} (attempt {attempt})")
        try:
            auction = Auction.from_json(json.dumps(item["auction"]))
            if auction.auction_id != name:
                raise ConfigError(f"the platform sent auction {auction.auction_id} as {name}")
            _cache_orders(config, name, client.orders(name))
            out = Path(config.store) / "results" / f"auction-{name}-{attempt}.json"
            result = run_auction(config, auction, out, say)
        except OsatnetError as exc:
            failures += 1
            say(f"node {config.index}: auction {name} failed: {exc}")
            client.fail_auction(name, attempt, str(exc))
            continue
        status = client.post_auction(name, attempt, result)
        say(f"node {config.index}: auction {name} posted; the auction is {status}")
    return failures


def work(
    config: NodeConfig, client: NodeClient, *, once: bool = False, poll: float = 5.0,
    say: Callable[[str], None] = lambda _: None,
) -> int:  # fmt: skip
    """Run pending jobs and auctions as they come (``once``: those pending now, then return).

    Returns the number of jobs and auctions this node failed; each failure is reported to
    the platform.
    """
    failures = 0
    while True:
        failures += _run_jobs(config, client, say)
        failures += _run_auctions(config, client, say)
        if once:
            return failures
        time.sleep(poll)
