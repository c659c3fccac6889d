"""MPyC, imported without its import-time side effects on the host program.

Importing ``mpyc`` parses ``sys.argv`` (MPyC's own command-line options) and configures the
root logger to print on stdout; importing ``mpyc.runtime`` builds a runtime from ``sys.argv``.
osatnet has its own command line and logging, so every MPyC import goes through
:func:`mpyc_argv`: MPyC sees only the arguments given, and finds logging already configured.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

__all__ = ["finfields", "mpyc_argv", "thresha"]


@contextmanager
def mpyc_argv(args: Sequence[str]) -> Iterator[None]:
    saved = sys.argv
    root = logging.getLogger()
    # logging.basicConfig (called by MPyC) does nothing once the root logger has a handler.
    guard = logging.NullHandler() if not root.handlers else None
    if guard is not None:
        root.addHandler(guard)
    sys.argv = [saved[0] if saved else "osatnet", *args]
    try:
        yield
    finally:
        sys.argv = saved
        if guard is not None:
            root.removeHandler(guard)


with mpyc_argv([]):
    from mpyc import finfields, thresha  # type: ignore[import-untyped]
