"""Optimisation plumbing: models built from arrays, solved by a backend, results normalised.

The model (:class:`LinearModel`) is plain arrays; :func:`solve` hands it to HiGHS (the only
module that imports ``highspy``) and returns a :class:`Solution` whose :class:`Status` never
exposes solver-specific codes.
"""

from __future__ import annotations

from ._highs import solve
from ._model import LinearModel, Sense
from ._result import Solution, Status

__all__ = ["LinearModel", "Sense", "Solution", "Status", "solve"]
