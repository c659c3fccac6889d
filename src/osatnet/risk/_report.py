"""Charts and tables of a :class:`RiskResult` for the HTML report (plotly, offline).

The node map is a plain lon/lat scatter: plotly's geo maps fetch outlines from a CDN, which
breaks the report's promise to open offline.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..reporting import Report, Section
from ._assess import RiskResult
from ._concentration import HIGH, MODERATE
from ._montecarlo import MonteCarloResult

__all__ = [
    "concentration_figure",
    "loss_curve_figure",
    "loss_distribution_figure",
    "map_figure",
    "risk_section",
    "scenario_figure",
    "tts_figure",
]

_KIND_SYMBOL = {"member_site": "circle", "tier1": "square", "tier2+": "diamond",
                "logistics_hub": "triangle-up"}  # fmt: skip


def concentration_figure(result: RiskResult) -> Any:
    import plotly.graph_objects as go

    items = result.concentration.items
    fig = go.Figure()
    for attr, label in (("hhi_supplier", "by supplier"), ("hhi_country", "by country"),
                        ("hhi_region", "by region")):  # fmt: skip
        fig.add_bar(x=[c.item for c in items], y=[getattr(c, attr) for c in items], name=label)
    for y, text in ((HIGH, "highly concentrated (> 2,500)"), (MODERATE, "moderately (1,500)")):
        fig.add_hline(y=y, line_dash="dash", annotation_text=text, annotation_position="top left")
    fig.update_layout(barmode="group", yaxis_title="HHI (0-10,000)", yaxis_range=[0, 10_500],
                      title="Concentration of supply per item")  # fmt: skip
    return fig


def tts_figure(result: RiskResult, top: int = 25) -> Any:
    import plotly.graph_objects as go

    rows = list(result.nodes[:top])
    cap = max([r.ttr_weeks for r in rows] + [1]) * 2.0
    tts = [min(r.tts_weeks, cap) for r in rows]
    fig = go.Figure()
    fig.add_bar(x=[r.node_id for r in rows], y=tts, name="time to survive (weeks)",
                text=["∞" if math.isinf(r.tts_weeks) else "" for r in rows])  # fmt: skip
    fig.add_scatter(x=[r.node_id for r in rows], y=[r.ttr_weeks for r in rows], mode="markers",
                    marker={"symbol": "line-ew-open", "size": 18, "line": {"width": 3}},
                    name="time to recover (weeks)")  # fmt: skip
    fig.update_layout(title="TTS vs TTR of the most exposed nodes (TTS < TTR: demand is lost)",
                      yaxis_title="weeks")  # fmt: skip
    return fig


def map_figure(result: RiskResult) -> Any:
    import plotly.graph_objects as go

    exposure = {r.node_id: r.exposure for r in result.nodes}
    fig = go.Figure()
    links = result.network.links
    pos = result.network.node_position
    xs: list[float | None] = []
    ys: list[float | None] = []
    for k in links:
        a, b = result.network.nodes[pos[k.supplier_id]], result.network.nodes[pos[k.customer_id]]
        xs += [a.lon, b.lon, None]
        ys += [a.lat, b.lat, None]
    fig.add_scatter(x=xs, y=ys, mode="lines", line={"width": 0.5, "color": "#bbb"},
                    name="supply links", hoverinfo="skip")  # fmt: skip
    for kind, symbol in _KIND_SYMBOL.items():
        nodes = [n for n in result.network.nodes if n.kind.value == kind]
        if not nodes:
            continue
        fig.add_scatter(
            x=[n.lon for n in nodes], y=[n.lat for n in nodes], mode="markers", name=kind,
            text=[f"{n.node_id}: {n.name} ({n.country}, {n.region})" for n in nodes],
            marker={"symbol": symbol, "size": 10,
                    "color": [exposure.get(n.node_id, 0.0) for n in nodes],
                    "colorscale": "YlOrRd", "cmin": 0, "cmax": 1,
                    "line": {"width": 0.5, "color": "#333"}, "showscale": kind == "member_site",
                    "colorbar": {"title": "exposure"}},
        )  # fmt: skip
    fig.update_layout(title="Sites, suppliers and hubs, coloured by risk exposure",
                      xaxis_title="longitude", yaxis_title="latitude",
                      yaxis_scaleanchor="x")  # fmt: skip
    return fig


def scenario_figure(result: RiskResult) -> Any:
    import plotly.graph_objects as go

    names = [s.name for s in result.scenarios]
    fig = go.Figure()
    fig.add_bar(x=names, y=[s.lost_value for s in result.scenarios], name="lost value")
    if result.reroutes:
        fig.add_bar(x=names, y=[r.lost_value_after for r in result.reroutes],
                    name="lost value after rerouting in the alliance")  # fmt: skip
    fig.update_layout(barmode="group", title="Lost value per scenario", yaxis_title="JPY")
    return fig


def loss_distribution_figure(mc: MonteCarloResult, bins: int = 40) -> Any:
    """Histogram of the simulated yearly losses, binned here: embedding every sample would
    put megabytes of numbers into the report. Years without loss are a separate bar."""
    import plotly.graph_objects as go

    losses = mc.losses
    hit = losses[losses > 0]
    fig = go.Figure()
    if hit.size:
        counts, edges = np.histogram(hit, bins=bins)
        fig.add_bar(x=(edges[:-1] + edges[1:]) / 2, y=counts / losses.size, width=np.diff(edges),
                    name="years with a loss")  # fmt: skip
    pct = round(mc.alpha * 100)
    for x, label, dash in ((mc.expected_loss, "expected", "dot"), (mc.var, f"VaR {pct}%", "dash"),
                           (mc.cvar, f"CVaR {pct}%", "solid")):  # fmt: skip
        fig.add_vline(x=x, line_dash=dash, annotation_text=f"{label}: {x:,.0f}",
                      annotation_position="top right")  # fmt: skip
    free = float((losses <= 0).mean())
    fig.update_layout(
        title=f"Simulated yearly lost value ({mc.samples:,} years; {free:.1%} without loss)",
        xaxis_title="lost value in a year (JPY)", yaxis_title="share of years", bargap=0,
    )  # fmt: skip
    return fig


def loss_curve_figure(mc: MonteCarloResult) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    for curve in mc.curves:
        fig.add_scatter(x=curve.weeks, y=curve.lost_value, mode="lines", name=curve.scenario)
    fig.update_layout(title="Lost value by duration of the disruption (the Monte Carlo's table)",
                      xaxis_title="duration (weeks)", yaxis_title="lost value (JPY)")  # fmt: skip
    return fig


def _montecarlo_part(section: Section, mc: MonteCarloResult) -> None:
    pct = round(mc.alpha * 100)
    section.metrics({
        "simulated years": f"{mc.samples:,}",
        "expected loss / year": f"¥{mc.expected_loss:,.0f}",
        f"VaR {pct}%": f"¥{mc.var:,.0f}",
        f"CVaR {pct}%": f"¥{mc.cvar:,.0f}",
    })  # fmt: skip
    section.figure(loss_distribution_figure(mc),
                   f"Dotted: expected loss; dashed: VaR {pct}%; solid: CVaR {pct}%")  # fmt: skip
    section.figure(loss_curve_figure(mc))
    section.table(
        ["scenario", "probability / year", "expected loss / year", f"mean loss beyond VaR {pct}%"],
        [[s.scenario, s.probability, s.expected_loss, s.tail_loss] for s in mc.scenarios],
        caption="Monte Carlo: what each scenario adds to the yearly loss",
    )  # fmt: skip


def risk_section(report: Report, result: RiskResult) -> Section:
    """Add the supply-chain risk section (charts and tables) to ``report``."""
    section = report.section("Supply-chain risk")
    at_risk = [r for r in result.nodes if r.at_risk]
    section.metrics({
        "nodes": str(len(result.network.nodes)),
        "supply links": str(len(result.network.links)),
        "nodes with TTS < TTR": str(len(at_risk)),
        "single-source items": str(len(result.concentration.single_source)),
    })  # fmt: skip
    section.figure(concentration_figure(result), "HHI per item; dashed lines: thresholds")
    section.table(
        ["item", "suppliers", "HHI supplier", "HHI country", "top country", "share %"],
        [[c.item, c.suppliers, c.hhi_supplier, c.hhi_country, c.top_country,
          c.top_country_share] for c in result.concentration.items],
    )  # fmt: skip
    section.figure(map_figure(result))
    section.figure(tts_figure(result))
    section.table(
        ["node", "TTS (weeks)", "TTR (weeks)", "lost units", "lost value", "exposure"],
        [[r.node_id, "∞" if math.isinf(r.tts_weeks) else round(r.tts_weeks, 2), r.ttr_weeks,
          r.lost_units, r.lost_value, round(r.exposure, 3)] for r in result.nodes[:15]],
        caption="Top risks: each node down in turn",
    )  # fmt: skip
    if result.scenarios:
        section.figure(scenario_figure(result))
        after = {r.scenario: r for r in result.reroutes}
        section.table(
            ["scenario", "TTS (weeks)", "TTR (weeks)", "lost value", "avoided by rerouting"],
            [[s.name, "∞" if math.isinf(s.tts_weeks) else round(s.tts_weeks, 2), s.ttr_weeks,
              s.lost_value, after[s.name].avoided_value if s.name in after else None]
             for s in result.scenarios],
        )  # fmt: skip
    if result.montecarlo is not None:
        _montecarlo_part(section, result.montecarlo)
    return section
