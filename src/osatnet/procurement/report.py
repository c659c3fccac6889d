"""The procurement part of the secretariat's report: savings, the target, what rules cost.

Built from a :class:`RoundSummary` only, so the report can show nothing the summary does not
hold: alliance totals, and members' savings as an unnamed distribution (never a member's name
next to its figure).
"""

from __future__ import annotations

import plotly.graph_objects as go

from ..reporting import Report, Section
from ._rounds_schemas import RoundSummary

__all__ = ["procurement_section"]


def procurement_section(report: Report, data: RoundSummary) -> Section:
    """Append the round's section to ``report`` and return it."""
    section = report.section(f"Joint procurement, round {data.round_key} / 共同購買")
    verdict = "reached" if data.target_reached else "not reached"
    metrics = {
        "pooled cost": f"{data.total_cost:,.0f}",
        "buying alone": f"{data.solo_total:,.0f}",
        "savings vs buying alone": f"{data.savings_pct:.1f}%",
        f"alliance target {data.target_pct:.0f}%": verdict,
        "members pooled": str(data.members),
    }
    if data.savings_vs_current_pct is not None:
        metrics["savings vs current prices"] = f"{data.savings_vs_current_pct:.1f}%"
    section.metrics(metrics)
    section.paragraph(
        f"The members' demand was pooled per category and awarded across the suppliers' price "
        f"breaks at least cost within the round's resilience rules; the cost was split by "
        f"{data.method}"
        + ("" if data.exact else " (sampled, to 0.5% standard error)")
        + ". Each member sees its own share and savings; this page shows totals only."
    )
    section.figure(_totals(data), "Alliance cost: every member buying alone against the pool.")
    if data.savings_distribution:
        section.figure(
            _distribution(data),
            "Members by savings versus buying alone (bands of 5 points; members unnamed).",
        )
    else:
        section.paragraph(
            "Too few members took part to show how savings are spread without singling one out."
        )
    costly = [r for r in data.rule_costs if r["cost"] > 0.005]
    if costly:
        section.figure(_rule_costs(costly), "What each binding rule costs the alliance.")
    else:
        section.paragraph("No resilience rule or capacity limit raised the cost of this round.")
    binding = [p for p in data.shadow_prices if p["constraint"] != "demand"]
    if binding:
        section.table(
            ["category", "constraint", "supplier / country", "saving", "per one more"],
            [
                [p["category"], p["constraint"], p["subject"], p["saving"], p["per"]]
                for p in binding
            ],
            caption="Shadow prices at the chosen breaks",
        )
    section.table(
        ["category", "name", "buyers", "quantity", "unit", "average price", "cost"],
        [
            [
                c["category"],
                c["name_ja"],
                c["buyers"],
                c["quantity"],
                c["unit"],
                c["unit_price"],
                c["cost"],
            ]
            for c in data.categories
        ],
        caption="Pooled categories",
    )
    section.paragraph(
        _core_text(data.core)
        if data.core is not None
        else "The core check could not be completed for this round; the split stands."
    )
    if data.unpooled_categories:
        section.paragraph(
            f"{data.unpooled_categories} categories had a single buyer and were not pooled."
        )
    return section


def _totals(data: RoundSummary) -> go.Figure:
    names = ["buying alone", "pooled"]
    values = [data.solo_total, data.total_cost]
    if data.current_spend is not None:
        names.insert(0, "current prices")
        values.insert(0, data.current_spend)
    fig = go.Figure(go.Bar(x=names, y=values, text=[f"{v:,.0f}" for v in values]))
    target = data.solo_total * (1 - data.target_pct / 100)
    fig.add_hline(
        y=target,
        line_dash="dash",
        annotation_text=f"{data.target_pct:.0f}% below buying alone",
    )
    fig.update_layout(title="Alliance cost of the round", yaxis_title="cost", height=420)
    return fig


def _distribution(data: RoundSummary) -> go.Figure:
    bands = data.savings_distribution or []
    fig = go.Figure(
        go.Bar(
            x=[(b["from_pct"] + b["to_pct"]) / 2 for b in bands],
            y=[b["members"] for b in bands],
            width=[b["to_pct"] - b["from_pct"] for b in bands],
            hovertext=[f"{b['from_pct']:g} to {b['to_pct']:g}%" for b in bands],
        )
    )
    fig.add_vline(x=data.target_pct, line_dash="dash", annotation_text="target")
    fig.update_layout(
        title="Members by savings",
        xaxis_title="savings versus buying alone (%)",
        yaxis_title="members",
        bargap=0.05,
        height=420,
    )
    return fig


def _rule_costs(rows: list[dict[str, object]]) -> go.Figure:
    labels = [f"{r['category']}: {r['rule']}" for r in rows]
    fig = go.Figure(go.Bar(x=[r["cost"] for r in rows], y=labels, orientation="h"))
    fig.update_layout(
        title="Cost of each binding rule (award with it minus award without it)",
        xaxis_title="cost",
        height=160 + 28 * len(rows),
        margin={"l": 240},
    )
    return fig


def _core_text(core: dict[str, object]) -> str:
    if core.get("in_core"):
        how = "every group" if core.get("exact") else "every group the search tried"
        return f"The split is in the core: {how} pays no more than buying alone."
    eps = core.get("least_core_epsilon")
    state = "empty" if core.get("core_empty") else "not empty"
    return (
        "Some group of members would pay less buying alone than the split charges it; the "
        f"core is {state} (least-core epsilon {eps}). The secretariat can offer the least-core "
        "correction."
    )
