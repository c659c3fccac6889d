"""The firewall's part of reports: release tables (withheld cells marked) and benchmarks."""

from __future__ import annotations

import plotly.graph_objects as go

from ..reporting import Report, Section
from .benchmark import BenchmarkReport, BenchmarkRow
from .releases import ReleaseTable

__all__ = ["benchmark_html", "benchmark_section", "release_section"]

_STATUS_TEXT = {"primary": "withheld (sensitive)", "secondary": "withheld (protects another cell)"}


def release_section(report: Report, table: ReleaseTable, title: str | None = None) -> Section:
    counts = {
        s: sum(c.status == s for c in table.cells) for s in ("published", "primary", "secondary")
    }
    section = report.section(title or f"Released table: {table.stat} of {table.measure} / 公表統計")
    section.paragraph(
        f"Release {table.id} for {', '.join(table.periods)} by {', '.join(table.dims)}: "
        "every cell, margins included, passed the alliance's disclosure rules (minimum "
        "contributors, dominance, p% rule); withheld cells are marked, and enough others are "
        "withheld that none can be recomputed from the rest."
    )
    section.metrics(
        {
            "published cells": str(counts["published"]),
            "withheld (sensitive)": str(counts["primary"]),
            "withheld (protection)": str(counts["secondary"]),
        }
    )
    if len(table.dims) == 2:
        section.figure(_heatmap(table), "Published values; grey cells are withheld.")
    rows, css = [], []
    for c in table.cells:
        shown = "—" if c.value is None else c.value
        rows.append(
            [
                *(c.labels[d] for d in table.dims),
                shown,
                c.contributors or "",
                _STATUS_TEXT.get(c.status, ""),
            ]
        )
        css.append(
            ["", *([""] * (len(table.dims) - 1)), "suppressed" if c.value is None else "", "", ""]
        )
    section.table([*table.dims, table.stat, "contributors", "status"], rows, css=css)
    return section


def _heatmap(table: ReleaseTable) -> go.Figure:
    rows_dim, cols_dim = table.dims
    ys = sorted({c.labels[rows_dim] for c in table.cells}, key=lambda v: (v == "TOTAL", v))
    xs = sorted({c.labels[cols_dim] for c in table.cells}, key=lambda v: (v == "TOTAL", v))
    z: list[list[float | None]] = [[None] * len(xs) for _ in ys]
    text = [[""] * len(xs) for _ in ys]
    for c in table.cells:
        i, j = ys.index(c.labels[rows_dim]), xs.index(c.labels[cols_dim])
        z[i][j] = c.value
        text[i][j] = "withheld" if c.value is None else f"{c.value:,.0f}"
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=xs,
            y=ys,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            hoverongaps=False,
        )
    )
    fig.update_layout(
        title=f"{table.stat} of {table.measure}", height=80 + 26 * len(ys), plot_bgcolor="#d9d9d9"
    )
    return fig


def benchmark_section(report: Report, bench: BenchmarkReport) -> Section:
    section = report.section(
        f"Benchmark of member {bench.member_id}, {bench.period} / ベンチマーク"
    )
    section.paragraph(
        "Your own values against the alliance's released quartiles (25th percentile, median, "
        "75th percentile by process). Built from released statistics only: no other member's "
        "data was read to make this page."
    )
    for key in dict.fromkeys(r.measure for r in bench.rows):
        rows = [r for r in bench.rows if r.measure == key]
        section.figure(
            _position(rows), f"{key}: your value (diamond) and the alliance's middle half (bar)."
        )
        trend = [r for r in rows if sum(t.own is not None for t in r.trend) > 1]
        if trend:
            section.figure(_trend(trend), f"{key}: your trend against the alliance median.")
    table_rows = [
        [
            r.measure,
            r.process,
            r.own_value,
            r.median if r.median is not None else "withheld",
            r.band,
            "" if r.gap_to_median_pct is None else f"{r.gap_to_median_pct:+.1f}%",
            "lower" if r.lower_is_better else "higher",
        ]
        for r in bench.rows
    ]
    section.table(
        ["measure", "process", "yours", "median", "quartile", "gap to median", "better"], table_rows
    )
    for note in bench.notes:
        section.paragraph(note)
    return section


def _position(rows: list[BenchmarkRow]) -> go.Figure:
    fig = go.Figure()
    known = [(r, r.p25, r.p75) for r in rows if r.p25 is not None and r.p75 is not None]
    fig.add_trace(
        go.Bar(
            x=[r.process for r, _, _ in known],
            y=[hi - lo for _, lo, hi in known],
            base=[lo for _, lo, _ in known],
            name="alliance p25–p75",
            marker_color="#9ecae1",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[r.process for r, _, _ in known],
            y=[r.median for r, _, _ in known],
            mode="markers",
            name="median",
            marker={"symbol": "line-ew-open", "size": 18, "color": "#08519c"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[r.process for r in rows],
            y=[r.own_value for r in rows],
            mode="markers",
            name="yours",
            marker={"symbol": "diamond", "size": 12, "color": "#d94801"},
        )
    )
    fig.update_layout(title=rows[0].measure, yaxis_title=rows[0].unit, barmode="overlay")
    return fig


def _trend(rows: list[BenchmarkRow]) -> go.Figure:
    fig = go.Figure()
    for r in rows:
        periods = [t.period for t in r.trend]
        fig.add_trace(
            go.Scatter(
                x=periods,
                y=[t.own for t in r.trend],
                mode="lines+markers",
                name=f"{r.process} (yours)",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=periods,
                y=[t.median for t in r.trend],
                mode="lines",
                name=f"{r.process} (median)",
                line={"dash": "dot"},
            )
        )
    fig.update_layout(title=f"{rows[0].measure} over time", yaxis_title=rows[0].unit)
    return fig


def benchmark_html(bench: BenchmarkReport) -> str:
    report = Report(
        f"osatnet benchmark: {bench.member_id} {bench.period}",
        "Confidential to the member: contains the member's own values.",
    )
    benchmark_section(report, bench)
    return report.to_html()
