"""Self-contained HTML reports: text, tables and plotly charts, with plotly's JS inlined."""

from __future__ import annotations

from ._html import Report, Section

__all__ = ["Report", "Section"]
