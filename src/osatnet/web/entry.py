"""Form entry of a submission: the form's rows, their choices, and submitting them.

A submission is a complete version, so the form starts from the active version's values and
what the user saves replaces it, exactly as uploading a whole file would.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from pydantic import ValidationError
from starlette.datastructures import FormData

from ..db import Database
from ..errors import InputError
from ..registry import Registry
from ..vault import SubmissionInfo, ValueRecord, Vault
from ..vault._intake import SubmissionRow
from ..vault.measures import MEASURES, Level
from .labels import measure_label
from .render import translate

__all__ = [
    "MAX_ROWS",
    "Choices",
    "FormRow",
    "blank_rows",
    "choices",
    "parse_rows",
    "rows_from_values",
    "submit_form",
]

MAX_ROWS = 500  # far above a real submission; bounds the work a posted form can cause
FORM = "form"  # the "file" name of errors located in the form


@dataclass(frozen=True)
class FormRow:
    number: int
    where: str = ""  # "SITE|PROCESS", or "" for a company-wide (member-level) measure
    measure: str = ""
    value: str = ""

    @property
    def blank(self) -> bool:
        return not (self.measure or self.value.strip())

    def data(self, member_id: str) -> dict[str, object]:
        site, _, process = self.where.partition("|")
        # Full-width digits and thousands separators are how many people type numbers.
        text = unicodedata.normalize("NFKC", self.value).replace(",", "").strip()
        return {
            "member_id": member_id,
            "site_id": site or None,
            "process": process or None,
            "measure": self.measure,
            "value": text,
        }


@dataclass(frozen=True)
class Choices:
    places: list[tuple[str, str]]
    site_measures: list[tuple[str, str]]
    member_measures: list[tuple[str, str]]


def choices(db: Database, member_id: str, language: str) -> Choices:
    """What the form's selects offer: the member's own site x process pairs, and measures."""
    registry = Registry(db)
    sites = {s.site_id: s for s in registry.sites(member_id)}
    processes = {p.key: p for p in registry.processes()}
    places = [("", translate(language, "Company-wide (no site)"))]
    for c in registry.capabilities():
        if c.site_id not in sites:
            continue
        site, process = sites[c.site_id], processes.get(c.process)
        site_name = site.name_ja if language == "ja" and site.name_ja else site.name
        process_name = (process.name_ja if language == "ja" else process.name) if process else ""
        places.append((f"{c.site_id}|{c.process}", f"{site_name} — {process_name or c.process}"))
    by_level: dict[Level, list[tuple[str, str]]] = {Level.SITE: [], Level.MEMBER: []}
    for key, m in MEASURES.items():
        by_level[m.level].append((key, measure_label(key, language)))
    return Choices(places, by_level[Level.SITE], by_level[Level.MEMBER])


def blank_rows(count: int, start: int = 1) -> list[FormRow]:
    return [FormRow(start + i) for i in range(count)]


def rows_from_values(values: list[ValueRecord]) -> list[FormRow]:
    """The active version as form rows (derived values are computed, not entered)."""
    rows: list[FormRow] = []
    for v in (v for v in values if not v.derived):
        where = f"{v.site_id}|{v.process}" if v.site_id and v.process else ""
        rows.append(FormRow(len(rows) + 1, where, v.measure, format(v.value, ".15g")))
    return rows + blank_rows(3, start=len(rows) + 1)


def parse_rows(form: FormData) -> list[FormRow]:
    """Rows ``where-N``, ``measure-N``, ``value-N`` for N = 1, 2, … as posted."""
    rows: list[FormRow] = []
    for number in range(1, MAX_ROWS + 1):
        if f"measure-{number}" not in form:
            break
        rows.append(
            FormRow(
                number,
                str(form.get(f"where-{number}") or ""),
                str(form.get(f"measure-{number}") or ""),
                str(form.get(f"value-{number}") or ""),
            )
        )
    return rows


def submit_form(
    vault: Vault, period: str, rows: list[FormRow], member_id: str, language: str
) -> SubmissionInfo:
    """Check the filled rows and store them as a new version; errors name the form's rows."""
    filled = [r for r in rows if not r.blank]
    if not filled:
        raise InputError(translate(language, "Enter at least one value."), file=FORM)
    parsed: list[SubmissionRow] = []
    errors: list[InputError] = []
    for row in filled:
        try:
            parsed.append(SubmissionRow.model_validate(row.data(member_id)))
        except ValidationError as exc:
            for e in exc.errors():
                column = str(e["loc"][0]) if e["loc"] else None
                errors.append(InputError(e["msg"], file=FORM, row=row.number, column=column))
    if errors:
        raise InputError.many(errors)
    try:
        return vault.submit(period, parsed, source="web form")
    except InputError as exc:
        # The vault numbers the rows it was given (filled ones): point back at the form's rows.
        raise InputError.many([
            InputError(e.reason, file=FORM, column=e.column,
                       row=filled[e.row - 1].number if e.row else None)
            for e in exc.all_errors
        ]) from None  # fmt: skip
