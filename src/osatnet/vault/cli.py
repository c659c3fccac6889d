"""``osatnet submissions``, ``osatnet keys`` and ``osatnet audit``: thin wrappers over the vault."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..cli._common import JsonOption, UserOption, console, print_json, require_user
from ..db import Database
from .keys import init_master_key, key_status, rotate_master_key
from .measures import DERIVED_MEASURES, MEASURES
from .service import Vault

__all__ = ["audit_app", "keys_app", "submissions_app"]

submissions_app = typer.Typer(
    help="Confidential submissions (raw values: own member only).", no_args_is_help=True
)
keys_app = typer.Typer(help="The firewall's master key.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)

PeriodOption = Annotated[str, typer.Option("--period", "-p", help="Reporting period, e.g. 2026Q3.")]


def _vault(user: str | None) -> Vault:
    return Vault.login(Database(), require_user(user), via="cli")


@submissions_app.command("import")
def submit(
    file: Annotated[
        Path,
        typer.Argument(help="Long-format CSV or .xlsx: member_id,site_id,process,measure,value."),
    ],
    period: PeriodOption,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """Submit a file as a new version of your member's submission (all or nothing)."""
    info = _vault(user).submit_file(file, period)
    if json:
        print_json(info.model_dump(mode="json"))
    else:
        console.print(
            f"{info.member_id} {info.period_key}: version {info.version} stored "
            f"({info.row_count} values, encrypted)"
        )


@submissions_app.command("withdraw")
def withdraw(period: PeriodOption, user: UserOption = None, json: JsonOption = False) -> None:
    """Withdraw your member's active submission (while the period is open)."""
    info = _vault(user).withdraw(period)
    print_json(info.model_dump(mode="json")) if json else console.print(
        f"version {info.version} withdrawn"
    )


@submissions_app.command("list")
def list_(
    period: Annotated[str | None, typer.Option("--period", "-p", help="Only this period.")] = None,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """Your member's submission versions (no values)."""
    rows = _vault(user).submissions(period)
    if json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("period", "version", "status", "by", "at", "values", "source")
    for r in rows:
        table.add_row(
            r.period_key,
            str(r.version),
            r.status,
            r.created_by,
            str(r.created_at or ""),
            str(r.row_count),
            r.source or "",
        )
    console.print(table)


@submissions_app.command("show")
def show(
    period: PeriodOption,
    version: Annotated[int | None, typer.Option("--version", help="A past version.")] = None,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """Your member's raw values, decrypted (derived measures included). Audited."""
    rows = _vault(user).values(period, version=version)
    if json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("site_id", "process", "measure", "value", "derived")
    for r in rows:
        table.add_row(
            r.site_id or "",
            r.process or "",
            r.measure,
            f"{r.value:,.4g}",
            "yes" if r.derived else "",
        )
    console.print(table)


@submissions_app.command("export")
def export(
    period: PeriodOption,
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    user: UserOption = None,
) -> None:
    """Write your member's values to a CSV file. Audited."""
    console.print(f"wrote {_vault(user).export_values(period, out)}")


@submissions_app.command("status")
def status(period: PeriodOption, user: UserOption = None, json: JsonOption = False) -> None:
    """Who has submitted for a period (metadata only; the secretariat sees all members)."""
    rows = _vault(user).status(period)
    if json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("member", "version", "status", "at")
    for r in rows:
        table.add_row(r.member_id, str(r.version), r.status, str(r.created_at or ""))
    console.print(table)


@submissions_app.command("measures")
def measures(json: JsonOption = False) -> None:
    """The vocabulary of measures, with level, unit and valid range."""
    rows = [*MEASURES.values(), *DERIVED_MEASURES.values()]
    if json:
        print_json([
            {"measure": m.key, "level": m.level.value, "unit": m.unit, "low": m.low,
             "high": m.high, "derived": m.key in DERIVED_MEASURES}
            for m in rows
        ])  # fmt: skip
        return
    table = Table("measure", "level", "unit", "range", "note")
    for m in rows:
        note = "computed" if m.key in DERIVED_MEASURES else ""
        table.add_row(
            m.key,
            m.level.value,
            m.unit,
            f"{m.low:g}..{'' if m.high is None else f'{m.high:g}'}",
            note,
        )
    console.print(table)


def _operator() -> str:
    return f"operator:{getpass.getuser()}"


@keys_app.command("init")
def keys_init() -> None:
    """Create the master key file (never overwrites one). Back it up outside the database."""
    master = init_master_key(Database())
    console.print(f"master key {master.key_id} written to {master.source}")


@keys_app.command("status")
def keys_status(json: JsonOption = False) -> None:
    """Which master key is in use and how many member keys it wraps."""
    st = key_status(Database())
    data = {"source": st.source, "key_id": st.key_id, "member_keys": st.member_keys,
            "wrapped_by_other_keys": st.wrapped_by_other_keys}  # fmt: skip
    print_json(data) if json else console.print(data)


@keys_app.command("rotate")
def keys_rotate(
    new_key_file: Annotated[
        Path | None,
        typer.Option(
            "--new-key-file", help="Where to write the new key (needed with OSATNET_MASTER_KEY)."
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Generate a new master key and re-wrap every member's data key with it."""
    report = rotate_master_key(Database(), actor=_operator(), new_key_file=new_key_file)
    data = {"old_key_id": report.old_key_id, "new_key_id": report.new_key_id,
            "rewrapped": report.rewrapped, "key_file": str(report.key_file),
            "retired_file": str(report.retired_file) if report.retired_file else None}  # fmt: skip
    print_json(data) if json else console.print(
        f"re-wrapped {report.rewrapped} member keys: {report.old_key_id} -> {report.new_key_id}; "
        f"new key in {report.key_file}"
    )


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[
        str | None,
        typer.Option("--anchor", help="A hash from `osatnet audit head` kept elsewhere."),
    ] = None,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """Check the hash chain; name every edited, removed or reordered entry (exit 2 if any)."""
    problems = _vault(user).verify_audit(anchor)
    if json:
        print_json({"ok": not problems, "problems": [p.__dict__ for p in problems]})
    elif not problems:
        console.print("audit trail intact")
    for p in problems:
        if not json:
            console.print(f"[red]entry {p.seq}[/]: {p.kind}: {p.message}", soft_wrap=True)
    if problems:
        raise typer.Exit(2)


@audit_app.command("log")
def audit_log(
    limit: Annotated[int, typer.Option("--limit", help="How many of the newest entries.")] = 50,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """The newest audit entries (never raw values)."""
    entries = _vault(user).audit_entries(limit)
    if json:
        print_json([
            {"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
             "target": e.target, "details": e.details, "hash": e.hash}
            for e in entries
        ])  # fmt: skip
        return
    table = Table("seq", "at", "actor", "action", "target", "details")
    for e in entries:
        table.add_row(str(e.seq), e.at[:19], e.actor, e.action, e.target, e.details)
    console.print(table)


@audit_app.command("head")
def audit_head(user: UserOption = None) -> None:
    """The newest entry's sequence number and hash: keep it elsewhere, verify with --anchor."""
    entries = _vault(user).audit_entries(1)
    if entries:
        console.print(f"{entries[-1].seq} {entries[-1].hash}", highlight=False)
