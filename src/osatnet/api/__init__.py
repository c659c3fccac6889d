"""The REST API (FastAPI): the same Python API as the CLI, under ``/api/v1``."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
