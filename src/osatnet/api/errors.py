"""osatnet's errors as HTTP answers: 4xx for the caller's mistakes, with located details."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ..auth import TooManyAttempts
from ..errors import (
    ConfigError,
    ConflictError,
    InputError,
    NotFoundError,
    OsatnetError,
    PermissionDenied,
)

__all__ = ["install_error_handlers", "status_of"]


class Unauthenticated(PermissionDenied):
    """No credentials, or credentials that are not valid."""


def status_of(exc: OsatnetError) -> int:
    if isinstance(exc, Unauthenticated):
        return 401
    if isinstance(exc, TooManyAttempts):
        return 429
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, InputError):
        return 422
    if isinstance(exc, ConfigError):
        return 500
    return 400


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OsatnetError)
    body: dict[str, object] = {"detail": str(exc)}
    if isinstance(exc, InputError):
        body["errors"] = [
            {"file": e.file, "row": e.row, "column": e.column, "reason": e.reason}
            for e in exc.all_errors
        ]
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
    return JSONResponse(body, status_code=status_of(exc), headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OsatnetError, _handle)
