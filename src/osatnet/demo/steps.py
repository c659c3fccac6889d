"""The demo's steps, in order. Each capability adds its own step here."""

from __future__ import annotations

from ..auth import Auth
from ..blind.demo import demo_step as blind_demo_step
from ..exchange.demo import demo_step as exchange_demo_step
from ..procurement.demo import demo_step as procurement_demo_step
from ..registry.report import registry_section, registry_summary
from ..risk import assess, generate_network, risk_section, shipped_scenarios, write_network
from ..tabular import write_csv
from ..vault import Vault
from ..vault._context import Actor
from ..vault.benchmark import benchmark_report
from ..vault.releases import Releases, write_release_csv
from ..vault.report import benchmark_html, benchmark_section, release_section
from ._context import DemoContext, DemoStep
from .generator import generate_registry
from .submissions import demo_submission_rows

__all__ = ["STEPS"]

PERIODS = ("2026Q1", "2026Q2", "2026Q3")
DEMO_PASSWORD = "osatnet-demo"


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
    # Demo users can sign in to the web dashboard: the demo database is never a real one.
    auth = Auth(ctx.db)
    for user in registry.users():
        auth.set_password(user.username, DEMO_PASSWORD)
    ctx.summary["users"] = len(registry.users())
    ctx.summary["demo_password"] = DEMO_PASSWORD


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


BENCHMARK_MEASURES = ("unit_cost_total", "yield_pct", "utilisation_pct")


def _releases(ctx: DemoContext) -> None:
    """The secretariat publishes the alliance table and the quartiles members benchmark on."""
    secretariat = Releases(ctx.db, Actor.load(ctx.db, "secretariat"))
    table = secretariat.create("2026Q2", "weekly_capacity", "sum", ["process", "region"])
    write_release_csv(table, ctx.out / "release-capacity-2026Q2.csv")
    release_section(ctx.report, table, "Alliance capacity, 2026Q2 (released table) / 公表統計")
    for period in PERIODS[:-1]:
        for key in BENCHMARK_MEASURES:
            for stat in ("p25", "median", "p75"):
                secretariat.create(period, key, stat, ["process"])
    statuses = [c.status for c in table.cells]
    ctx.summary["release_cells"] = {
        s: statuses.count(s) for s in ("published", "primary", "secondary")
    }
    ctx.summary["releases"] = len(secretariat.list())


def _benchmark(ctx: DemoContext) -> None:
    """One member's benchmark: the OSAT with the most process lines."""
    lines: dict[str, int] = {}
    for site in ctx.registry.sites():
        lines[site.member_id] = lines.get(site.member_id, 0) + len(
            ctx.registry.capabilities(site_id=site.site_id)
        )
    member = max(sorted(lines), key=lambda m: lines[m])
    actor = Actor.load(ctx.db, f"{member.lower()}-admin")
    bench = benchmark_report(ctx.db, actor, "2026Q2")
    benchmark_section(ctx.report, bench)
    (ctx.out / f"benchmark-{member}-2026Q2.html").write_text(
        benchmark_html(bench), encoding="utf-8"
    )
    bands = [r.band for r in bench.rows]
    ctx.summary["benchmark_member"] = member
    ctx.summary["benchmark_rows"] = len(bench.rows)
    ctx.summary["benchmark_withheld"] = bands.count("withheld")


def _risk(ctx: DemoContext) -> None:
    """The multi-tier network of the demo alliance under the shipped scenarios."""
    data = generate_registry(ctx.seed)
    network = generate_network(data, ctx.seed)
    result = assess(
        network, list(shipped_scenarios().values()), capabilities=ctx.registry.capabilities()
    )
    write_network(network, ctx.out / "risk-network")
    risk_section(ctx.report, result)
    worst = max(result.scenarios, key=lambda r: r.lost_value, default=None)
    ctx.summary["risk_nodes"] = len(network.nodes)
    ctx.summary["risk_scenarios"] = len(result.scenarios)
    if result.montecarlo is not None:
        ctx.summary["risk_expected_loss_jpy"] = round(result.montecarlo.expected_loss)
        ctx.summary["risk_var95_jpy"] = round(result.montecarlo.var)
        ctx.summary["risk_cvar95_jpy"] = round(result.montecarlo.cvar)
    if worst is not None:
        ctx.summary["risk_worst_scenario"] = worst.name
        ctx.summary["risk_worst_lost_value_jpy"] = round(worst.lost_value)


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
    DemoStep("registry report", _registry_report),
    DemoStep("confidential submissions (encrypted)", _submissions),
    DemoStep("disclosure-controlled releases", _releases),
    DemoStep("member benchmark", _benchmark),
    DemoStep("capacity exchange week", exchange_demo_step),
    DemoStep("joint procurement round", procurement_demo_step),
    DemoStep("supply-chain risk", _risk),
    DemoStep("blind mode: three compute nodes", blind_demo_step),
]
