"""The exceptions osatnet raises, in one place.

::

    OsatnetError                     base of everything osatnet raises on purpose
    ├── InputError (ValueError)      bad user input: a file, a row, a column, a reason
    ├── NotFoundError (LookupError)  a named thing (member, site, period…) does not exist
    ├── PermissionDenied             the caller's role or member may not do this
    ├── ConflictError                the request clashes with the stored state (a closed period…)
    └── ConfigError                  settings or environment are unusable (bad URL, missing key)

The CLI turns every ``OsatnetError`` into one line on stderr and exit code 2; the REST API
turns them into 4xx answers. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ConflictError",
    "InputError",
    "NotFoundError",
    "OsatnetError",
    "PermissionDenied",
]


class OsatnetError(Exception):
    """Base class of the errors osatnet raises on purpose."""


class InputError(OsatnetError, ValueError):
    """Bad input, located as precisely as possible.

    ``str()`` gives ``FILE:ROW: column COLUMN: reason``, leaving out the parts that are unknown.
    Row numbers count the header as row 1, as a spreadsheet shows them.
    """

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = file
        self.row = row
        self.column = column
        self.others: list[InputError] = []
        super().__init__(self._format())

    @classmethod
    def many(cls, errors: list[InputError]) -> InputError:
        """One error to raise for several: the first, carrying the rest in ``others``."""
        if not errors:
            raise ValueError("InputError.many needs at least one error")
        first = errors[0]
        first.others = list(errors[1:])
        return first

    @property
    def all_errors(self) -> list[InputError]:
        return [self, *self.others]

    def _format(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.row is not None:
                where += f":{self.row}"
            where += ": "
        elif self.row is not None:
            where = f"row {self.row}: "
        if self.column is not None:
            where += f"column {self.column}: "
        return where + self.reason


class NotFoundError(OsatnetError, LookupError):
    """A named object does not exist."""


class PermissionDenied(OsatnetError):
    """The caller may not do this."""


class ConflictError(OsatnetError):
    """The request clashes with the stored state."""


class ConfigError(OsatnetError):
    """Settings or environment are unusable."""
