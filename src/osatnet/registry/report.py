"""The registry's part of reports: key figures and charts of members, sites and capacity."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import plotly.graph_objects as go

from ..reporting import Report, Section
from .catalog import PROCESS_FAMILIES, EmployeeBand, prefecture
from .service import Registry

__all__ = ["registry_section", "registry_summary"]


def _area(country: str, region: str) -> str:
    found = prefecture(region) if country == "JP" else None
    return found.area if found else f"overseas ({country})"


def registry_summary(registry: Registry) -> dict[str, Any]:
    """Key figures: members by band and role, sites by area, certified sites, capacity."""
    members = registry.members()
    sites = registry.sites()
    caps = registry.capabilities()
    capacity: dict[str, float] = defaultdict(float)
    for c in caps:
        capacity[c.process] += c.weekly_capacity
    small = sum(m.employee_band in (EmployeeBand.LT_50, EmployeeBand.B50_99) for m in members)
    return {
        "members": len(members),
        "members_under_100_pct": round(100 * small / len(members), 1) if members else 0.0,
        "members_by_role": dict(Counter(m.role.value for m in members)),
        "members_by_band": {
            b.value: sum(m.employee_band == b for m in members) for b in EmployeeBand
        },
        "sites": len(sites),
        "sites_overseas": sum(s.country != "JP" for s in sites),
        "sites_by_area": dict(Counter(_area(s.country, s.region) for s in sites).most_common()),
        "sites_by_certification": dict(Counter(c.value for s in sites for c in s.certifications)),
        "capabilities": len(caps),
        "automotive_capabilities": sum(c.automotive for c in caps),
        "weekly_capacity": {p.key: capacity[p.key] for p in PROCESS_FAMILIES if p.key in capacity},
    }


def registry_section(report: Report, registry: Registry) -> Section:
    summary = registry_summary(registry)
    section = report.section("Alliance registry / 加盟企業と拠点")
    section.metrics(
        {
            "members": str(summary["members"]),
            "members under 100 staff": f"{summary['members_under_100_pct']:.0f}%",
            "sites": str(summary["sites"]),
            "overseas sites": str(summary["sites_overseas"]),
            "automotive-qualified capabilities": str(summary["automotive_capabilities"]),
        }
    )
    section.figure(
        _site_map(registry), "Sites in Japan by area; marker size grows with capacity lines."
    )
    section.figure(_bands(summary), "Members by employee band and role.")
    section.figure(_capacity(registry), "Weekly capacity per process family and area.")
    rows = [[area, n] for area, n in summary["sites_by_area"].items()]
    section.table(["area", "sites"], rows, caption="Sites by area")
    return section


def _site_map(registry: Registry) -> go.Figure:
    members = {m.member_id: m for m in registry.members()}
    lines = Counter(c.site_id for c in registry.capabilities())
    fig = go.Figure()
    by_area: dict[str, list[Any]] = defaultdict(list)
    for s in registry.sites():
        if s.country == "JP":
            by_area[_area(s.country, s.region)].append(s)
    for area, sites in sorted(by_area.items()):
        fig.add_trace(
            go.Scatter(
                x=[s.lon for s in sites],
                y=[s.lat for s in sites],
                mode="markers",
                name=area,
                marker={"size": [8 + 3 * lines[s.site_id] for s in sites], "opacity": 0.75},
                text=[f"{members[s.member_id].name_ja}<br>{s.name} ({s.region})" for s in sites],
                hoverinfo="text",
            )
        )
    fig.update_layout(
        title="Member sites in Japan",
        xaxis_title="longitude",
        yaxis_title="latitude",
        yaxis={"scaleanchor": "x", "scaleratio": 1.2},
        height=560,
        margin={"l": 40, "r": 10, "t": 50, "b": 40},
    )
    return fig


def _bands(summary: dict[str, Any]) -> go.Figure:
    bands = list(summary["members_by_band"])
    fig = go.Figure(go.Bar(x=bands, y=list(summary["members_by_band"].values())))
    fig.update_layout(
        title="Members by employee band", xaxis_title="employees", yaxis_title="members"
    )
    return fig


def _capacity(registry: Registry) -> go.Figure:
    areas = {s.site_id: _area(s.country, s.region) for s in registry.sites()}
    table: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for c in registry.capabilities():
        table[areas[c.site_id]][c.process] += c.weekly_capacity
    keys = [p.key for p in PROCESS_FAMILIES if p.capacity_unit == "units"]
    fig = go.Figure()
    for area in sorted(table):
        fig.add_trace(go.Bar(name=area, x=keys, y=[table[area].get(k, 0.0) for k in keys]))
    fig.update_layout(
        barmode="stack",
        title="Weekly capacity of unit-based processes (units/week)",
        yaxis_title="units per week",
    )
    return fig
