"""The application factory. Nothing is created at import time."""

from __future__ import annotations

import importlib
import importlib.util
import secrets
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from .. import __version__
from ..db import Database
from ..settings import Settings
from .errors import install_error_handlers
from .routers import ROUTERS

__all__ = ["create_app"]


def _session_secret(settings: Settings) -> str:
    """A stable secret for signing session cookies: the setting, else a file in data_dir."""
    if settings.session_secret:
        return settings.session_secret
    path: Path = settings.data_dir / "session.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(db: Database | None = None) -> FastAPI:
    """The osatnet service: REST API under /api/v1 (and the web dashboard where installed)."""
    db = db or Database()
    app = FastAPI(
        title="osatnet",
        version=__version__,
        summary="Registry, confidentiality firewall and shared services of a back-end alliance.",
        description=(
            "Authenticate with `Authorization: Bearer <token>` (create one with "
            "`osatnet tokens create USER`) or a browser session from /login. Raw submissions "
            "are readable only by their own member's users; everything else is aggregated "
            "under the alliance's disclosure rules."
        ),
    )
    app.state.db = db
    app.add_middleware(
        SessionMiddleware,
        secret_key=_session_secret(db.settings),
        session_cookie="osatnet_session",
        same_site="lax",
        https_only=db.settings.secure_cookies,
        max_age=8 * 3600,
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, prefix="/api/v1")
    _install_web(app)
    return app


def _install_web(app: FastAPI) -> None:
    if importlib.util.find_spec("osatnet.web") is None:  # the API runs without the dashboard
        return
    importlib.import_module("osatnet.web").install(app)
