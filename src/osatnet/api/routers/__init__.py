"""Every router of the REST API, in the order they appear in the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from .audit import router as audit
from .blind import router as blind
from .blind_auction import router as blind_auction
from .exchange import router as exchange
from .me import router as me
from .procurement import router as procurement
from .registry import router as registry
from .releases import router as releases
from .risk import router as risk
from .submissions import router as submissions

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [
    me, registry, submissions, releases, exchange, procurement, risk, blind, blind_auction,
    audit,
]  # fmt: skip
