"""Names of measures, statistics and dimensions in the reader's language.

The vocabulary's keys (``unit_cost_labour``…) stay visible next to the names: they are what
files and the CLI use, and what the secretariat will ask about.
"""

from __future__ import annotations

from ..procurement.catalog import CATALOG
from ..vault.measures import END_MARKETS, REGIONS
from .nav import N_
from .render import translate

__all__ = ["dimension_label", "measure_label", "stat_label"]

_MEASURES: dict[str, str] = {
    "weekly_capacity": N_("Weekly capacity"),
    "utilisation_pct": N_("Utilisation (%%)"),
    "unit_cost_labour": N_("Unit cost: labour (JPY/unit)"),
    "unit_cost_materials": N_("Unit cost: materials (JPY/unit)"),
    "unit_cost_depreciation": N_("Unit cost: depreciation (JPY/unit)"),
    "unit_cost_overhead": N_("Unit cost: overhead (JPY/unit)"),
    "unit_cost_total": N_("Unit cost: total (JPY/unit)"),
    "yield_pct": N_("Yield (%%)"),
    "headcount": N_("Headcount (persons)"),
    # Published weeks of the capacity exchange (osatnet.exchange.release).
    "exchange_offered": N_("Exchange: capacity offered (units)"),
    "exchange_requested": N_("Exchange: quantity requested (units)"),
    "exchange_hosted": N_("Exchange: quantity hosted (units)"),
    "exchange_received": N_("Exchange: quantity received (units)"),
    "exchange_matched": N_("Exchange: quantity matched (units)"),
}
_MARKETS: dict[str, str] = {
    "automotive": N_("automotive"),
    "industrial": N_("industrial"),
    "consumer": N_("consumer"),
    "communications": N_("communications"),
    "computing_ai": N_("computing and AI"),
    "other": N_("other"),
}
_REGIONS: dict[str, str] = {
    "japan": N_("Japan"),
    "china": N_("China"),
    "rest_of_asia": N_("rest of Asia"),
    "americas": N_("Americas"),
    "europe": N_("Europe"),
}
_STATS: dict[str, str] = {
    "sum": N_("sum"),
    "mean": N_("mean"),
    "median": N_("median"),
    "count": N_("count"),
    "p25": N_("25th percentile"),
    "p75": N_("75th percentile"),
}
_DIMENSIONS: dict[str, str] = {
    "process": N_("process"),
    "region": N_("region"),
    "employee_band": N_("employee band"),
    "country": N_("country"),
    "period": N_("period"),
}
assert set(_MARKETS) == set(END_MARKETS) and set(_REGIONS) == set(REGIONS)


def measure_label(key: str, language: str) -> str:
    """A measure's name, e.g. ``歩留まり（%）`` for ``yield_pct`` in Japanese."""
    if key in _MEASURES:
        return translate(language, _MEASURES[key])
    if key.startswith("revenue_share_region_"):
        region = key.removeprefix("revenue_share_region_").removesuffix("_pct")
        if region in _REGIONS:
            name = translate(language, _REGIONS[region])
            return translate(language, "Revenue by customer region: %(name)s (%%)", name=name)
    if key.startswith("revenue_share_"):
        market = key.removeprefix("revenue_share_").removesuffix("_pct")
        if market in _MARKETS:
            name = translate(language, _MARKETS[market])
            return translate(language, "Revenue share: %(name)s (%%)", name=name)
    if key.startswith("spend_") and key.removeprefix("spend_") in CATALOG:
        entry = CATALOG[key.removeprefix("spend_")]
        name = entry.name_ja if language == "ja" else entry.name_en
        return translate(language, "Procurement spend: %(name)s (JPY/quarter)", name=name)
    return key


def stat_label(key: str, language: str) -> str:
    return translate(language, _STATS[key]) if key in _STATS else key


def dimension_label(key: str, language: str) -> str:
    return translate(language, _DIMENSIONS[key]) if key in _DIMENSIONS else key
