"""The ``osatnet`` command line: a thin layer over the Python API.

Each capability owns its commands in ``osatnet/<capability>/cli.py``; this package assembles
them and turns :class:`~osatnet.errors.OsatnetError` into one line on stderr with exit code 2.
"""

from __future__ import annotations

from ._app import app, main

__all__ = ["app", "main"]
