"""Plotly figures for the pages, as HTML fragments that use the locally served plotly.min.js.

Maps are plain lon/lat scatters over the prefecture capitals: plotly's geo traces fetch their
outlines from a CDN, and the dashboard must work without the internet.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from ..registry.catalog import prefectures
from ..registry.schemas import SiteRow
from ..vault.benchmark import BenchmarkRow

__all__ = ["benchmark_figure", "procurement_figure", "site_map"]

_CONFIG = {"displaylogo": False, "responsive": True}
_FONT = (
    'system-ui, "Hiragino Sans", "Noto Sans JP", "Noto Sans CJK JP", "Yu Gothic", Meiryo, '
    "sans-serif"
)
BRAND = "#17466e"
OWN = "#b3261e"


def _html(fig: go.Figure) -> str:
    fig.update_layout(
        font={"family": _FONT, "size": 13, "color": "#1b1f24"},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
    )
    fig.update_layout(margin={"l": 50, "r": 20, "t": 30, "b": fig.layout.margin.b or 40})
    html = fig.to_html(full_html=False, include_plotlyjs=False, config=_CONFIG)
    return str(html)


def site_map(sites: Sequence[SiteRow], *, language: str, capitals_label: str) -> str:
    """The sites as points, over faint prefecture capitals that sketch Japan's outline."""
    caps = prefectures()
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[p.lon for p in caps],
            y=[p.lat for p in caps],
            mode="markers",
            marker={"size": 6, "color": "#c3cbd3"},
            name=capitals_label,
            text=[p.name_ja if language == "ja" else p.name for p in caps],
            hoverinfo="text",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[s.lon for s in sites],
            y=[s.lat for s in sites],
            mode="markers+text",
            marker={"size": 14, "color": BRAND, "line": {"width": 2, "color": "#ffffff"}},
            text=[(s.name_ja if language == "ja" and s.name_ja else s.name) for s in sites],
            textposition="middle right",
            name="",
            showlegend=False,
            hovertemplate="%{text}<br>%{y:.2f}°N %{x:.2f}°E<extra></extra>",
        )
    )
    mid_lat = sum(s.lat for s in sites) / len(sites) if sites else 36.0
    fig.update_layout(
        height=440,
        legend={"orientation": "h", "y": -0.12},
        # The plot narrows to keep the aspect ratio, instead of widening the longitude range.
        xaxis={
            "title": None,
            "showgrid": False,
            "zeroline": False,
            "ticksuffix": "°E",
            "constrain": "domain",
        },
        yaxis={
            "title": None,
            "showgrid": False,
            "zeroline": False,
            "ticksuffix": "°N",
            "scaleanchor": "x",
            # Degrees of longitude shrink with latitude: keep distances roughly true.
            "scaleratio": 1 / max(math.cos(math.radians(mid_lat)), 0.2),
        },
    )
    return _html(fig)


def benchmark_figure(
    rows: Sequence[BenchmarkRow],
    *,
    process_names: dict[str, str],
    own_label: str,
    range_label: str,
    median_label: str,
) -> str:
    """One measure: the alliance's p25–p75 range per process, its median and the member's value."""
    shown = [r for r in rows if r.p25 is not None and r.p75 is not None]
    names = [process_names.get(r.process, r.process) for r in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=[process_names.get(r.process, r.process) for r in shown],
            x=[(r.p75 or 0) - (r.p25 or 0) for r in shown],
            base=[r.p25 for r in shown],
            orientation="h",
            marker={"color": "#b9cde0"},
            name=range_label,
            customdata=[[r.p25, r.p75] for r in shown],
            hovertemplate="%{customdata[0]:,.2f} – %{customdata[1]:,.2f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=[process_names.get(r.process, r.process) for r in shown],
            x=[r.median for r in shown],
            mode="markers",
            marker={"symbol": "line-ns", "size": 26, "line": {"width": 3, "color": BRAND}},
            name=median_label,
        )
    )
    fig.add_trace(
        go.Scatter(
            y=names,
            x=[r.own_value for r in rows],
            mode="markers",
            marker={"symbol": "diamond", "size": 14, "color": OWN},
            name=own_label,
        )
    )
    # Pad the axis so that the range bar never fills the whole width: the ends must show.
    points = [x for r in rows for x in (r.own_value, r.p25, r.p75) if x is not None]
    low, high = (min(points), max(points)) if points else (0.0, 1.0)
    pad = (high - low) * 0.2 or abs(high) * 0.05 or 1.0
    fig.update_layout(
        height=150 + 50 * len(rows),
        barmode="overlay",
        legend={"orientation": "h", "y": -0.35},
        margin={"b": 70},
        xaxis={"gridcolor": "#e4e8ec", "range": [low - pad, high + pad]},
        yaxis={"automargin": True},
    )
    return _html(fig)


def procurement_figure(
    *,
    solo_total: float,
    total_cost: float,
    current_spend: float | None,
    target_pct: float,
    labels: dict[str, str],
) -> str:
    """The round's totals as bars: buying alone, together (and today's spend), with the target.

    ``labels``: ``solo``, ``pooled``, ``current``, ``target`` in the reader's language.
    """
    names = [labels["solo"], labels["pooled"]]
    values = [solo_total, total_cost]
    colours = ["#8a99a8", BRAND]
    if current_spend is not None:
        names.insert(0, labels["current"])
        values.insert(0, current_spend)
        colours.insert(0, "#c3cbd3")
    fig = go.Figure(
        go.Bar(
            y=names,
            x=values,
            orientation="h",
            marker={"color": colours},
            text=[f"{v:,.0f}" for v in values],
            textposition="outside",
            hovertemplate="%{y}: %{x:,.0f} JPY<extra></extra>",
            showlegend=False,
        )
    )
    goal = solo_total * (1 - target_pct / 100)
    fig.add_vline(x=goal, line={"dash": "dash", "color": OWN, "width": 2})
    fig.add_annotation(
        x=goal, y=1.08, yref="paper", text=labels["target"], showarrow=False,
        font={"color": OWN},
    )  # fmt: skip
    fig.update_layout(
        height=120 + 60 * len(names),
        xaxis={"gridcolor": "#e4e8ec", "range": [0, max(values) * 1.18], "title": "JPY"},
        yaxis={"automargin": True, "autorange": "reversed"},
    )
    return _html(fig)
