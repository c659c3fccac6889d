"""A blind-mode cluster on one machine: k nodes on loopback, each its own process.

For tests, benchmarks and trying blind mode out. Keys, certificates and ``node.toml`` files
are generated under one directory; every node is started as ``python -m osatnet.blind run``,
exactly as ``osatnet node run`` would on its own server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OsatnetError
from .auction import Auction
from .config import KeyFiles, keygen, write_config
from .envelope import unb64
from .job import BlindJob

__all__ = ["LocalCluster", "free_ports"]


def free_ports(n: int) -> list[int]:
    """``n`` distinct TCP ports free on loopback right now (the OS picks them)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class LocalCluster:
    root: Path
    size: int = 3
    timeout: float = 120.0
    # False: each node keeps its own store (as when it downloads its bundles from a platform)
    shared_store: bool = True
    keys: list[KeyFiles] = field(default_factory=list)
    configs: list[Path] = field(default_factory=list)

    @property
    def store(self) -> Path:
        """The platform's share store (the nodes read their own bundles from it)."""
        return self.root / "platform-store"

    def node_dir(self, index: int) -> Path:
        return self.root / f"node-{index}"

    def setup(self) -> LocalCluster:
        self.keys = [keygen(self.node_dir(i), i) for i in range(self.size)]
        self.reconfigure()
        return self

    def reconfigure(self) -> None:
        """New free ports for every node (each run binds afresh)."""
        ports = free_ports(self.size)
        nodes = [("127.0.0.1", p, k) for p, k in zip(ports, self.keys, strict=True)]
        self.configs = [
            write_config(
                self.node_dir(i) / "node.toml",
                i,
                nodes,
                store=self.store if self.shared_store else self.node_dir(i) / "shares",
                timeout=self.timeout,
            )
            for i in range(self.size)
        ]

    @property
    def public_keys(self) -> list[bytes]:
        return [unb64(k.public_key_b64()) for k in self.keys]

    @staticmethod
    def _spawn(args: list[str]) -> subprocess.Popen[str]:
        """``python -m osatnet.blind ARGS``, as ``osatnet node ARGS`` runs on a node's server."""
        return subprocess.Popen(
            [sys.executable, "-m", "osatnet.blind", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def start(self, job: BlindJob | Auction, name: str = "job") -> list[subprocess.Popen[str]]:
        """Start every node on ``job``: a table (``node run``) or an auction (``node auction``)."""
        job_file = self.root / f"{name}.json"
        job_file.write_text(job.to_json(), encoding="utf-8")
        command, flag = ("auction", "--auction") if isinstance(job, Auction) else ("run", "--job")
        return [
            self._spawn(
                [
                    command,
                    "--config",
                    str(cfg),
                    flag,
                    str(job_file),
                    "--out",
                    str(self.result_path(i, name)),
                ]
            )
            for i, cfg in enumerate(self.configs)
        ]

    def pull(
        self, platform: str, token_files: list[Path], which: list[int] | None = None
    ) -> list[subprocess.Popen[str]]:
        """Start nodes (all, or ``which``) taking the platform's waiting work once:
        ``osatnet node run --platform URL --token-file F --once``."""
        return [
            self._spawn(
                [
                    "run",
                    "--config",
                    str(self.configs[i]),
                    "--platform",
                    platform,
                    "--token-file",
                    str(token_files[i]),
                    "--once",
                ]
            )
            for i in (range(self.size) if which is None else which)
        ]

    def result_path(self, index: int, name: str = "job") -> Path:
        return self.node_dir(index) / f"{name}.result.json"

    def run(self, job: BlindJob | Auction, name: str = "job") -> list[str]:
        """Run every node to the end; the nodes' stderr, or an error naming the failed ones."""
        procs = self.start(job, name)
        deadline = time.monotonic() + self.timeout + 30
        logs = []
        for p in procs:
            _, err = p.communicate(timeout=max(deadline - time.monotonic(), 1.0))
            logs.append(err)
        failed = [i for i, p in enumerate(procs) if p.returncode != 0]
        if failed:
            detail = "\n".join(logs[i].strip().splitlines()[-1] for i in failed if logs[i].strip())
            raise OsatnetError(f"node(s) {failed} failed: {detail}")
        return logs
