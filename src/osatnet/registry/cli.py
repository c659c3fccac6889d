"""``osatnet registry``, ``periods`` and ``users``: thin wrappers over :class:`Registry`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..cli._common import JsonOption, console, print_json
from .catalog import UserRole
from .service import Registry

__all__ = ["app", "periods_app", "users_app"]

app = typer.Typer(help="The alliance registry: members, sites, capabilities.", no_args_is_help=True)
periods_app = typer.Typer(help="Reporting periods (quarters such as 2026Q3).", no_args_is_help=True)
users_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A folder of CSV files or an .xlsx workbook.")],
    json: JsonOption = False,
) -> None:
    """Import members, sites and capabilities (all or nothing; re-importing is idempotent)."""
    report = Registry().import_path(path)
    if json:
        print_json(report.as_dict())
        return
    table = Table("table", "created", "updated", "unchanged", title=f"Imported {path}")
    for name, counts in report.as_dict().items():
        table.add_row(name, *(str(counts[k]) for k in ("created", "updated", "unchanged")))
    console.print(table)


@app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="A folder for CSV files, or a .xlsx path.")],
    json: JsonOption = False,
) -> None:
    """Write the registry in the layout `osatnet registry import` reads."""
    paths = Registry().export(out)
    if json:
        print_json({"written": [str(p) for p in paths]})
    else:
        for p in paths:
            console.print(f"wrote {p}")


@app.command("members")
def members(json: JsonOption = False) -> None:
    """List the members."""
    rows = Registry().members()
    if json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("member_id", "name", "name_ja", "country", "prefecture", "employees", "role")
    for m in rows:
        table.add_row(
            m.member_id,
            m.name,
            m.name_ja,
            m.country,
            m.prefecture,
            m.employee_band.value,
            m.role.value,
        )
    console.print(table)


@app.command("sites")
def sites(
    member: Annotated[
        str | None, typer.Option("--member", help="Only this member's sites.")
    ] = None,
    json: JsonOption = False,
) -> None:
    """List the sites with their certifications."""
    rows = Registry().sites(member)
    if json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("site_id", "member_id", "name", "country", "region", "certifications")
    for s in rows:
        certs = "; ".join(c.value for c in s.certifications)
        table.add_row(s.site_id, s.member_id, s.name, s.country, s.region, certs)
    console.print(table)


@app.command("capabilities")
def capabilities(
    site: Annotated[str | None, typer.Option("--site", help="Only this site.")] = None,
    process: Annotated[str | None, typer.Option("--process", help="Only this process key.")] = None,
    json: JsonOption = False,
) -> None:
    """List site capabilities (weekly capacity per process family)."""
    rows = Registry().capabilities(site_id=site, process=process)
    if json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("site_id", "process", "weekly_capacity", "automotive")
    for c in rows:
        table.add_row(
            c.site_id, c.process, f"{c.weekly_capacity:,.0f}", "yes" if c.automotive else ""
        )
    console.print(table)


@app.command("processes")
def processes(json: JsonOption = False) -> None:
    """List the process-family catalog and its stable keys."""
    rows = Registry().processes()
    if json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("key", "name", "name_ja", "stage", "capacity unit")
    for p in rows:
        table.add_row(p.key, p.name, p.name_ja, p.stage, f"{p.capacity_unit}/week")
    console.print(table)


@periods_app.command("add")
def period_add(
    period: Annotated[str, typer.Argument(help="A quarter such as 2026Q3.")],
    json: JsonOption = False,
) -> None:
    """Open a new reporting period."""
    info = Registry().add_period(period)
    print_json(info.model_dump()) if json else console.print(f"period {info.key} is open")


@periods_app.command("close")
def period_close(period: str, json: JsonOption = False) -> None:
    """Close a reporting period (no more submissions or withdrawals)."""
    info = Registry().set_period_status(period, "closed")
    print_json(info.model_dump()) if json else console.print(f"period {info.key} is closed")


@periods_app.command("reopen")
def period_reopen(period: str, json: JsonOption = False) -> None:
    """Reopen a closed reporting period."""
    info = Registry().set_period_status(period, "open")
    print_json(info.model_dump()) if json else console.print(f"period {info.key} is open")


@periods_app.command("list")
def period_list(json: JsonOption = False) -> None:
    """List reporting periods."""
    rows = Registry().periods()
    if json:
        print_json([p.model_dump() for p in rows])
        return
    table = Table("period", "starts", "ends", "status")
    for p in rows:
        table.add_row(p.key, p.starts_on, p.ends_on, p.status)
    console.print(table)


@users_app.command("add")
def user_add(
    username: str,
    role: Annotated[UserRole, typer.Option("--role", help="The user's role.")],
    member: Annotated[
        str | None, typer.Option("--member", help="The member (for member roles).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    json: JsonOption = False,
) -> None:
    """Create a user."""
    info = Registry().add_user(username, role, member_id=member, display_name=name, email=email)
    if json:
        print_json(info.model_dump(mode="json"))
    else:
        console.print(f"user {info.username} ({info.role.value}) created")


@users_app.command("list")
def user_list(
    member: Annotated[
        str | None, typer.Option("--member", help="Only this member's users.")
    ] = None,
    json: JsonOption = False,
) -> None:
    """List users."""
    rows = Registry().users(member)
    if json:
        print_json([u.model_dump(mode="json") for u in rows])
        return
    table = Table("username", "role", "member", "name")
    for u in rows:
        table.add_row(
            u.username, u.role.value, u.member_id or "(secretariat)", u.display_name or ""
        )
    console.print(table)
