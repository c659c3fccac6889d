"""The demo's steps, in order. Each capability adds its own step here."""

from __future__ import annotations

from ..registry.report import registry_section, registry_summary
from ..tabular import write_csv
from ..vault import Vault
from ._context import DemoContext, DemoStep
from .generator import generate_registry
from .submissions import demo_submission_rows

__all__ = ["STEPS"]

PERIODS = ("2026Q1", "2026Q2", "2026Q3")


def _write_registry_files(ctx: DemoContext) -> None:
    data = generate_registry(ctx.seed)
    folder = ctx.out / "registry"
    folder.mkdir(parents=True, exist_ok=True)
    # The demo goes through the same files and import path a secretariat would use.
    from ..registry._export import export_registry

    export_registry(folder, data.members, data.sites, data.capabilities)
    ctx.summary["registry_files"] = str(folder)


def _import_registry(ctx: DemoContext) -> None:
    registry = ctx.registry
    registry.configure_alliance(name="Demo Back-end Alliance", name_ja="デモ後工程アライアンス")
    first = registry.import_path(ctx.out / "registry")
    again = registry.import_path(ctx.out / "registry")
    ctx.summary["import_created"] = sum(c["created"] for c in first.as_dict().values())
    ctx.summary["reimport_changes"] = again.changed


def _periods_and_users(ctx: DemoContext) -> None:
    registry = ctx.registry
    for key in PERIODS:
        registry.add_period(key)
    registry.add_user("secretariat", "secretariat", display_name="Alliance secretariat")
    registry.add_user("auditor", "auditor", display_name="External auditor")
    for m in registry.members():
        registry.add_user(f"{m.member_id.lower()}-admin", "member_admin", member_id=m.member_id)
    ctx.summary["users"] = len(registry.users())


def _submissions(ctx: DemoContext) -> None:
    """Every member submits three quarters through the firewall; then Q1 and Q2 close."""
    rows = demo_submission_rows(generate_registry(ctx.seed), ctx.seed, len(PERIODS))
    values = 0
    for member_id, quarters in rows.items():
        vault = Vault.login(ctx.db, f"{member_id.lower()}-admin", via="demo")
        for key, quarter in zip(PERIODS, quarters, strict=True):
            vault.submit(key, quarter, source="demo")
            values += len(quarter)
    for key in PERIODS[:-1]:
        ctx.registry.set_period_status(key, "closed")
    ctx.summary["submitted_values"] = values
    ctx.summary["submissions"] = len(rows) * len(PERIODS)


def _export_round_trip(ctx: DemoContext) -> None:
    registry = ctx.registry
    registry.export(ctx.out / "registry-export.xlsx")
    report = registry.import_path(ctx.out / "registry-export.xlsx")
    if report.changed:
        raise AssertionError(f"export/import round trip changed {report.changed} rows")
    ctx.summary["round_trip"] = "identical"


def _registry_report(ctx: DemoContext) -> None:
    ctx.summary["registry"] = registry_summary(ctx.registry)
    registry_section(ctx.report, ctx.registry)
    rows = [
        [m.member_id, m.name, m.name_ja, m.prefecture, m.employee_band.value, m.role.value]
        for m in ctx.registry.members()
    ]
    columns = ["member_id", "name", "name_ja", "prefecture", "employees", "role"]
    ctx.report.sections[-1].table(columns, rows, caption="Members / 加盟企業")
    write_csv(ctx.out / "members.csv", columns, rows)


STEPS: list[DemoStep] = [
    DemoStep("generate the demo registry files", _write_registry_files),
    DemoStep("import the registry (twice: idempotent)", _import_registry),
    DemoStep("open periods, create users", _periods_and_users),
    DemoStep("export and re-import (round trip)", _export_round_trip),
    DemoStep("confidential submissions (encrypted)", _submissions),
    DemoStep("registry report", _registry_report),
]
