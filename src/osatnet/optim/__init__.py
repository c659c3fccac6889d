"""Optimisation plumbing: models built from arrays, solved by a backend, results normalised.

The model (:class:`LinearModel`) is plain arrays; :func:`solve` hands it to HiGHS (the only
module that imports ``highspy``) and returns a :class:`Solution` whose :class:`Status` never
exposes solver-specific codes. :class:`LPSession` keeps one LP loaded for many warm re-solves
that change only the objective or column bounds.
"""

from __future__ import annotations

from ._highs import solve
from ._model import LinearModel, Sense
from ._result import Solution, Status
from ._session import LPSession

__all__ = ["LPSession", "LinearModel", "Sense", "Solution", "Status", "solve"]
