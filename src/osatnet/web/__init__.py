"""The web dashboard: server-rendered pages (Jinja2 + HTMX) over the same services as the CLI.

:func:`install` adds the pages, the static files (htmx and plotly's bundle, served from this
process so that the dashboard works offline) and HTML error pages to the API's application.
See ``docs/web.md``.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from ..errors import NotFoundError, OsatnetError
from .guard import error_page
from .routes_audit import router as audit_router
from .routes_auth import router as auth_router
from .routes_benchmark import router as benchmark_router
from .routes_blind import router as blind_router
from .routes_exchange import router as exchange_router
from .routes_periods import router as periods_router
from .routes_procurement import router as procurement_router
from .routes_registry import router as registry_router
from .routes_releases import router as releases_router
from .routes_risk import router as risk_router
from .routes_submissions import router as submissions_router

__all__ = ["STATIC", "install"]

STATIC = Path(__file__).parent / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
ROUTERS = (
    auth_router,
    registry_router,
    submissions_router,
    benchmark_router,
    exchange_router,
    procurement_router,
    risk_router,
    periods_router,
    releases_router,
    blind_router,
    audit_router,
)


def _plotly_js() -> FileResponse:
    # The bundle of the installed plotly: the charts' figures and their JS always match.
    return FileResponse(
        PLOTLY_JS,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown pages and wrong methods: an HTML page for people, JSON under /api."""
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/api/") or request.url.path.startswith("/static/"):
        return await http_exception_handler(request, exc)
    if exc.status_code == 404:
        return error_page(request, NotFoundError(f"no page {request.url.path}"))
    failure = OsatnetError(str(exc.detail))
    response = error_page(request, failure)
    response.status_code = exc.status_code
    return response


def install(app: FastAPI) -> None:
    """Add the dashboard to ``app`` (called by :func:`osatnet.api.create_app`)."""
    app.add_api_route("/static/plotly.min.js", _plotly_js, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.add_exception_handler(HTTPException, _http_error)
