"""Every router of the REST API, in the order they appear in the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from .audit import router as audit
from .me import router as me
from .registry import router as registry
from .releases import router as releases
from .submissions import router as submissions

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [me, registry, submissions, releases, audit]
