"""Plotly figures of the risk dashboard, built from a risk result's ``as_dict()`` and the network.

The map is a plain lon/lat scatter (never a geo trace: those fetch outlines from a CDN). A
member's own sites are drawn as a separate, outlined series, named in the legend, so that they
stand out by shape and name as well as by colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from ..risk import HIGH, MODERATE, Network
from .charts import BRAND, OWN, _html

__all__ = ["hhi_figure", "risk_map", "scenario_figure", "tts_figure"]

_SYMBOLS = {"member_site": "circle", "tier1": "square", "tier2+": "diamond",
            "logistics_hub": "triangle-up"}  # fmt: skip


def hhi_figure(items: Sequence[Mapping[str, Any]], labels: Mapping[str, str]) -> str:
    """HHI per item by supplier, country and region, with the two thresholds dashed.

    ``labels``: ``supplier``, ``country``, ``region``, ``high``, ``moderate``, ``axis``.
    """
    fig = go.Figure()
    colours = {"supplier": BRAND, "country": "#5b8db8", "region": "#a9c3db"}
    for key in ("supplier", "country", "region"):
        fig.add_bar(
            x=[str(c["item"]) for c in items],
            y=[c[f"hhi_{key}"] for c in items],
            name=labels[key],
            marker={"color": colours[key]},
        )
    for y, text in ((HIGH, labels["high"]), (MODERATE, labels["moderate"])):
        fig.add_hline(
            y=y, line={"dash": "dash", "color": OWN}, annotation_text=text,
            annotation_position="top left",
        )  # fmt: skip
    fig.update_layout(
        barmode="group",
        height=380,
        legend={"orientation": "h", "y": -0.25},
        yaxis={"title": labels["axis"], "range": [0, 10_500], "gridcolor": "#e4e8ec"},
    )
    return _html(fig)


def tts_figure(
    nodes: Sequence[Mapping[str, Any]], own: set[str], labels: Mapping[str, str], top: int = 25
) -> str:
    """Time to survive (bars, capped) against time to recover (marks) of the most exposed nodes.

    ``labels``: ``tts``, ``ttr``, ``axis``, ``own``.
    """
    rows = list(nodes[:top])
    ttr = [float(r["ttr_weeks"]) for r in rows]
    cap = max([*ttr, 1.0]) * 2.0
    tts = [cap if r["tts_weeks"] is None else min(float(r["tts_weeks"]), cap) for r in rows]
    names = [str(r["node_id"]) for r in rows]
    fig = go.Figure()
    fig.add_bar(
        x=names,
        y=tts,
        name=labels["tts"],
        marker={
            "color": [OWN if n in own else BRAND for n in names],
            "pattern": {"shape": ["/" if n in own else "" for n in names]},
        },
        text=["∞" if r["tts_weeks"] is None else "" for r in rows],
        textposition="outside",
    )
    fig.add_scatter(
        x=names, y=ttr, mode="markers", name=labels["ttr"],
        marker={"symbol": "line-ew-open", "size": 20, "line": {"width": 3, "color": "#1b1f24"}},
    )  # fmt: skip
    fig.update_layout(
        height=400,
        legend={"orientation": "h", "y": -0.35},
        xaxis={"tickangle": -45},
        yaxis={"title": labels["axis"], "gridcolor": "#e4e8ec"},
    )
    return _html(fig)


def scenario_figure(
    scenarios: Sequence[Mapping[str, Any]],
    reroutes: Sequence[Mapping[str, Any]],
    labels: Mapping[str, str],
) -> str:
    """Lost value per scenario (and after rerouting within the alliance, when it ran).

    ``labels``: ``lost``, ``after``, ``axis``.
    """
    names = [str(s["scenario"]) for s in scenarios]
    fig = go.Figure()
    fig.add_bar(
        x=names, y=[s["lost_value"] for s in scenarios], name=labels["lost"],
        marker={"color": OWN},
    )  # fmt: skip
    if reroutes:
        after = {str(r["scenario"]): r["lost_value_after"] for r in reroutes}
        fig.add_bar(
            x=names, y=[after.get(n) for n in names], name=labels["after"],
            marker={"color": BRAND},
        )  # fmt: skip
    fig.update_layout(
        barmode="group",
        height=360,
        legend={"orientation": "h", "y": -0.3},
        yaxis={"title": labels["axis"], "gridcolor": "#e4e8ec"},
    )
    return _html(fig)


def risk_map(
    network: Network,
    exposure: Mapping[str, float],
    own_member: str | None,
    labels: Mapping[str, str],
) -> str:
    """Sites, suppliers and hubs at their longitude and latitude, coloured by exposure.

    ``labels``: ``links``, ``own``, ``exposure`` and one per node kind (``member_site``…).
    """
    pos = {n.node_id: n for n in network.nodes}
    xs: list[float | None] = []
    ys: list[float | None] = []
    for link in network.links:
        a, b = pos.get(link.supplier_id), pos.get(link.customer_id)
        if a is None or b is None:
            continue
        xs += [a.lon, b.lon, None]
        ys += [a.lat, b.lat, None]
    fig = go.Figure()
    fig.add_scatter(
        x=xs, y=ys, mode="lines", line={"width": 0.6, "color": "#b5bec7"}, name=labels["links"],
        hoverinfo="skip",
    )  # fmt: skip
    first = True
    for kind, symbol in _SYMBOLS.items():
        nodes = [n for n in network.nodes if n.kind.value == kind]
        if not nodes:
            continue
        fig.add_scatter(
            x=[n.lon for n in nodes],
            y=[n.lat for n in nodes],
            mode="markers",
            name=labels.get(kind, kind),
            text=[f"{n.node_id}: {n.name} ({n.country}, {n.region})" for n in nodes],
            customdata=[exposure.get(n.node_id, 0.0) for n in nodes],
            hovertemplate="%{text}<br>" + labels["exposure"] + " %{customdata:.2f}<extra></extra>",
            marker={
                "symbol": symbol,
                "size": 11,
                "color": [exposure.get(n.node_id, 0.0) for n in nodes],
                "colorscale": "YlOrRd",
                "cmin": 0,
                "cmax": 1,
                "line": {"width": 0.8, "color": "#333333"},
                "showscale": first,
                "colorbar": {"title": {"text": labels["exposure"]}},
            },
        )
        first = False
    mine = [n for n in network.nodes if own_member is not None and n.member_id == own_member]
    if mine:
        fig.add_scatter(
            x=[n.lon for n in mine],
            y=[n.lat for n in mine],
            mode="markers+text",
            name=labels["own"],
            text=[n.node_id for n in mine],
            textposition="top center",
            marker={"symbol": "circle-open", "size": 22, "line": {"width": 3, "color": BRAND}},
            hoverinfo="text",
        )
    fig.update_layout(
        height=520,
        legend={"orientation": "h", "y": -0.12},
        xaxis={"title": None, "ticksuffix": "°E", "zeroline": False, "gridcolor": "#eef1f4",
               "constrain": "domain"},
        yaxis={"title": None, "ticksuffix": "°N", "zeroline": False, "gridcolor": "#eef1f4",
               "scaleanchor": "x"},
    )  # fmt: skip
    return _html(fig)
