"""The exchange's part of reports: match rate, cost against the requesters' fallback,
utilisation before and after, with plotly charts.

The section shows alliance totals per process family and requesters under letters
(``requester A``…), never member names: per-member figures reach a wider audience only through
the firewall's release rules (see :func:`~osatnet.exchange.aggregate_contributions`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from string import ascii_uppercase
from typing import Any

import plotly.graph_objects as go

from ..reporting import Report, Section
from ._platform_outcome import OVERTIME_PREMIUM, RunOutcome

__all__ = ["ExchangeReportData", "ProcessRow", "RequesterRow", "exchange_section"]


@dataclass(frozen=True)
class ProcessRow:
    """One process family of the cleared week. ``capacity`` and ``load`` (work the members
    make in-house this week) cover all of the family's lines, not only the posted ones."""

    process: str
    offered: float
    requested: float
    served: float
    capacity: float
    load: float

    @property
    def match_rate(self) -> float:
        return self.served / self.requested if self.requested else 0.0

    @property
    def utilisation_before(self) -> float:
        return self.load / self.capacity if self.capacity else 0.0

    @property
    def utilisation_after(self) -> float:
        # What the exchange placed on a family's lines is made there on top of their own load.
        return (self.load + self.served) / self.capacity if self.capacity else 0.0


@dataclass(frozen=True)
class RequesterRow:
    label: str
    requested: float
    served: float
    exchange_cost: float
    fallback_cost: float


@dataclass(frozen=True)
class ExchangeReportData:
    period: str
    week: str
    status: str
    gap: float | None
    pricing: str
    offers: int
    requests: int
    matches: int
    processes: list[ProcessRow]
    requesters: list[RequesterRow]

    @property
    def requested(self) -> float:
        return sum(p.requested for p in self.processes)

    @property
    def served(self) -> float:
        return sum(p.served for p in self.processes)

    @property
    def exchange_cost(self) -> float:
        return sum(r.exchange_cost for r in self.requesters)

    @property
    def fallback_cost(self) -> float:
        return sum(r.fallback_cost for r in self.requesters)

    @property
    def saving(self) -> float:
        """Share of the fallback cost the exchange saves the requesters."""
        return 1 - self.exchange_cost / self.fallback_cost if self.fallback_cost else 0.0

    @classmethod
    def from_outcome(
        cls, outcome: RunOutcome, capacity: dict[str, float], load: dict[str, float],
        matches: int,
    ) -> ExchangeReportData:  # fmt: skip
        """Totals per family from a run, with each family's capacity and in-house load."""
        cells: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        for o in outcome.offers:
            cells[o.process][0] += o.capacity
        per_member: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
        for r in outcome.requests:
            cells[r.process][1] += r.quantity
            cells[r.process][2] += r.served
            if r.fallback[1] != "unknown":
                row = per_member[r.member_id]
                row[0] += r.quantity
                row[1] += r.served
                row[2] += r.exchange_cost
                row[3] += r.fallback_cost
        processes = [
            ProcessRow(p, offered, requested, served, capacity.get(p, 0.0), load.get(p, 0.0))
            for p, (offered, requested, served) in sorted(cells.items())
        ]
        # Letters by size, not by member id, so the order gives nothing away.
        ranked = sorted(per_member.values(), key=lambda v: -v[3])
        requesters = [
            RequesterRow(f"requester {_letter(i)}", *values) for i, values in enumerate(ranked)
        ]
        return cls(outcome.period, outcome.week, outcome.status, outcome.gap, outcome.pricing,
                   len(outcome.offers), len(outcome.requests), matches, processes,
                   requesters)  # fmt: skip

    def summary(self) -> dict[str, float | int]:
        """Key figures (numbers only) for the demo's summary."""
        return {
            "offers": self.offers,
            "requests": self.requests,
            "matches": self.matches,
            "requested_units": round(self.requested),
            "served_units": round(self.served),
            "match_rate_pct": round(100 * self.served / self.requested, 1)
            if self.requested
            else 0.0,
            "exchange_cost_jpy": round(self.exchange_cost),
            "fallback_cost_jpy": round(self.fallback_cost),
            "saving_pct": round(100 * self.saving, 1),
            "gap_pct": round(100 * self.gap, 3) if self.gap is not None else -1.0,
        }


def _letter(i: int) -> str:
    return (
        ascii_uppercase[i] if i < 26 else f"{ascii_uppercase[i // 26 - 1]}{ascii_uppercase[i % 26]}"
    )


def exchange_section(report: Report, data: ExchangeReportData) -> Section:
    """Add the capacity exchange's section for one cleared week."""
    summary = data.summary()
    section = report.section(f"Capacity exchange / 生産能力の融通 — {data.week} ({data.period})")
    section.metrics({
        "offers / requests": f"{data.offers} / {data.requests}",
        "matches": str(data.matches),
        "match rate (units)": f"{summary['match_rate_pct']:.0f}%",
        "requesters' cost vs fallback": f"-{summary['saving_pct']:.0f}%",
        "clearing": data.status if data.gap is None else f"{data.status} (gap {data.gap:.2%})",
    })  # fmt: skip
    section.paragraph(
        "Members short of capacity posted overflow requests, members with idle lines posted "
        "offers; the secretariat cleared the week at least total cost (host price plus "
        f"logistics), {data.pricing} pricing. Fallback: without the exchange each requester "
        f"would run overtime at its maximum price plus {OVERTIME_PREMIUM:.0%}, or decline the "
        "order at its unserved penalty, whichever is cheaper; unserved units keep that cost."
    )
    section.figure(_rates(data), "Share of requested units placed, per process family.")
    section.figure(_utilisation(data), "Utilisation of all member lines, before and after.")
    section.figure(_costs(data), "Cost per requester: with the exchange against its fallback.")
    section.table(
        ["process", "offered", "requested", "placed", "match rate %", "util. before %",
         "util. after %"],
        [[p.process, p.offered, p.requested, p.served, round(100 * p.match_rate, 1),
          round(100 * p.utilisation_before, 1), round(100 * p.utilisation_after, 1)]
         for p in data.processes],
        caption="Per process family (units or wafers per week)",
    )  # fmt: skip
    return section


def _rates(data: ExchangeReportData) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=[p.process for p in data.processes],
            y=[100 * p.match_rate for p in data.processes],
            customdata=[[p.served, p.requested] for p in data.processes],
            hovertemplate="%{x}: %{y:.0f}%<br>%{customdata[0]:,.0f} of %{customdata[1]:,.0f}"
            "<extra></extra>",
        )
    )
    fig.update_layout(title="Match rate per process family", yaxis_title="% of requested units",
                      yaxis_range=[0, 105])  # fmt: skip
    return fig


def _utilisation(data: ExchangeReportData) -> go.Figure:
    x = [p.process for p in data.processes]
    fig = go.Figure()
    for name, values in (
        ("before", [100 * p.utilisation_before for p in data.processes]),
        ("after", [100 * p.utilisation_after for p in data.processes]),
    ):
        fig.add_trace(go.Bar(name=name, x=x, y=values))
    fig.update_layout(barmode="group", title="Utilisation before and after the exchange",
                      yaxis_title="% of weekly capacity")  # fmt: skip
    return fig


def _costs(data: ExchangeReportData) -> go.Figure:
    x = [r.label for r in data.requesters]
    fig = go.Figure()
    traces: list[tuple[str, list[Any]]] = [
        ("fallback (overtime or declined)", [r.fallback_cost / 1e6 for r in data.requesters]),
        ("with the exchange", [r.exchange_cost / 1e6 for r in data.requesters]),
    ]
    for name, values in traces:
        fig.add_trace(go.Bar(name=name, x=x, y=values))
    fig.update_layout(barmode="group", title="Requesters' cost of the week",
                      yaxis_title="million JPY")  # fmt: skip
    return fig
