"""Standard logging for osatnet. Confidential values are never logged: log ids and counts."""

from __future__ import annotations

import logging
import sys

__all__ = ["configure_logging", "get_logger"]


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name if name.startswith("osatnet") else f"osatnet.{name}")


def configure_logging(level: int | None = None) -> None:
    """Send ``osatnet`` logs to stderr. ``None`` takes the level from the settings."""
    if level is None:
        from .settings import Settings

        name = Settings().log_level.upper()
        level = logging.getLevelNamesMapping().get(name, logging.WARNING)
    logger = logging.getLogger("osatnet")
    logger.setLevel(level)
    if not any(getattr(h, "_osatnet", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._osatnet = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
