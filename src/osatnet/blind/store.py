"""File-based store of sealed share bundles: ``ROOT/PERIOD/MEMBER/node-I.json``.

The platform keeps one bundle per (period, member, node); a node reads only the bundles sealed
to it. A member re-sending its shares replaces its bundles for the period (written atomically,
so a reader sees the old set or the new one, never half of each). The store holds ciphertext
and public metadata (which member has a value for which site, process and measure) only.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["ShareStore"]

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _check(name: str, what: str) -> str:
    # Names become directory names: refuse anything that could leave the store.
    if not _SAFE.match(name) or ".." in name:
        raise InputError(f"{what} {name!r} may hold letters, digits, '_', '-' and '.' only")
    return name


class ShareStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, period: str, member: str, node: int) -> Path:
        return self.root / _check(period, "period") / _check(member, "member") / f"node-{node}.json"

    def put(self, bundle: dict[str, Any]) -> Path:
        target = self.path(str(bundle["period"]), str(bundle["member"]), int(bundle["node"]))
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(bundle, sort_keys=True), encoding="utf-8")
        os.replace(tmp, target)
        return target

    def members(self, period: str) -> list[str]:
        folder = self.root / _check(period, "period")
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    def bundles(self, period: str, node: int) -> Iterator[dict[str, Any]]:
        """Every member's bundle for ``node``, in member order."""
        for member in self.members(period):
            path = self.path(period, member, node)
            if path.exists():
                data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
                yield data
