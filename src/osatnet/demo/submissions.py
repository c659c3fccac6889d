"""Realistic confidential figures for the demo alliance, per member and quarter.

Unit costs follow the kind of process (yen per unit or per wafer), split into labour,
materials, depreciation and overhead; small firms carry a little more labour and overhead.
Each member keeps its own efficiency, utilisation and market mix from quarter to quarter,
with small drifts, so benchmarking has a trend to show. Every figure is invented.
"""

from __future__ import annotations

import numpy as np

from ..registry.catalog import EmployeeBand, MemberRole
from ..vault.measures import END_MARKETS, REGIONS
from .generator import DemoRegistry

__all__ = ["demo_submission_rows"]

# Typical total unit cost (JPY per unit, or per wafer for wafer-level families).
_UNIT_COST = {
    "wafer_backgrind": 900.0, "dicing": 1_500.0, "die_attach": 1.2, "wire_bond_au": 6.0,
    "wire_bond_cu": 3.5, "flip_chip_bump": 9_000.0, "flip_chip_attach": 8.0, "molding": 1.5,
    "leadframe_package": 4.0, "substrate_package": 25.0, "wlcsp": 12_000.0, "sip_module": 60.0,
    "wafer_sort": 6_000.0, "final_test": 7.0, "burn_in": 15.0, "tape_and_reel": 0.3,
}  # fmt: skip
# Material categories each process consumes (for the spend measures), with yen per unit made.
_SPEND = {
    "wire_bond_au": ("bonding_wire_au", 2.0), "wire_bond_cu": ("bonding_wire_cu", 0.6),
    "leadframe_package": ("leadframe", 1.1), "substrate_package": ("organic_substrate", 11.0),
    "molding": ("epoxy_mold_compound", 0.35), "die_attach": ("die_attach_paste", 0.2),
    "flip_chip_attach": ("underfill", 0.8), "final_test": ("test_socket", 0.05),
    "wafer_sort": ("probe_card", 120.0), "tape_and_reel": ("tape_and_reel", 0.08),
}  # fmt: skip
_SMALL = {EmployeeBand.LT_50, EmployeeBand.B50_99}
_WEEKS_PER_QUARTER = 13


def _shares(rng: np.random.Generator, alpha: np.ndarray) -> list[float]:
    """Percent shares that add up to exactly 100 after rounding to 0.1."""
    raw = rng.dirichlet(alpha) * 100
    rounded = np.round(raw, 1)
    rounded[int(np.argmax(rounded))] += round(100 - float(rounded.sum()), 1)
    return [round(float(x), 1) for x in rounded]


def demo_submission_rows(
    data: DemoRegistry, seed: int, quarters: int
) -> dict[str, list[list[dict[str, object]]]]:
    """``{member_id: [rows of quarter 1, rows of quarter 2, ...]}`` in the submission format."""
    rng = np.random.default_rng(seed + 1000)
    sites_of: dict[str, list[str]] = {}
    for s in data.sites:
        sites_of.setdefault(s.member_id, []).append(s.site_id)
    caps_of: dict[str, list[tuple[str, float]]] = {}
    for c in data.capabilities:
        caps_of.setdefault(c.site_id, []).append((c.process, c.weekly_capacity))
    out: dict[str, list[list[dict[str, object]]]] = {}
    for member in data.members:
        small = member.employee_band in _SMALL
        efficiency = float(rng.lognormal(0.1 if small else -0.05, 0.15))
        utilisation = float(rng.uniform(55, 92))
        auto_alpha = 6.0 if member.role is MemberRole.OSAT else 2.0
        markets_alpha = np.array([auto_alpha, 3.0, 2.5, 1.5, 1.5, 0.8])
        regions_alpha = np.array([8.0, 2.0, 2.0, 1.0, 1.0])
        history = []
        for q in range(quarters):
            drift = 1 + 0.02 * q * float(rng.normal(0, 1))
            rows: list[dict[str, object]] = []
            spend: dict[str, float] = {}
            for site_id in sites_of.get(member.member_id, []):
                for process, capacity in caps_of.get(site_id, []):
                    util = float(np.clip(utilisation + rng.normal(0, 4), 20, 99))
                    rows += _site_rows(rng, member.member_id, site_id, process, capacity, util,
                                       efficiency * drift, small)  # fmt: skip
                    if process in _SPEND:
                        category, yen = _SPEND[process]
                        made = capacity * util / 100 * _WEEKS_PER_QUARTER
                        spend[category] = spend.get(category, 0.0) + made * yen
            for name, values in (
                (
                    "revenue_share_{}_pct",
                    zip(END_MARKETS, _shares(rng, markets_alpha), strict=True),
                ),
                (
                    "revenue_share_region_{}_pct",
                    zip(REGIONS, _shares(rng, regions_alpha), strict=True),
                ),
            ):
                rows += [_row(member.member_id, None, None, name.format(k), v) for k, v in values]
            rows += [
                _row(member.member_id, None, None, f"spend_{k}", round(v, -3))
                for k, v in sorted(spend.items())
            ]
            history.append(rows)
        out[member.member_id] = history
    return out


def _row(
    member: str, site: str | None, process: str | None, measure: str, value: float
) -> dict[str, object]:
    return {
        "member_id": member,
        "site_id": site,
        "process": process,
        "measure": measure,
        "value": value,
    }


def _site_rows(
    rng: np.random.Generator, member: str, site: str, process: str, capacity: float,
    utilisation: float, efficiency: float, small: bool,
) -> list[dict[str, object]]:  # fmt: skip
    total = _UNIT_COST[process] * efficiency * float(rng.lognormal(0, 0.08))
    labour = rng.uniform(0.33, 0.45) if small else rng.uniform(0.25, 0.35)
    depreciation = rng.uniform(0.12, 0.2) if small else rng.uniform(0.18, 0.28)
    overhead = rng.uniform(0.1, 0.16)
    materials = 1 - labour - depreciation - overhead
    is_test = process in ("wafer_sort", "final_test", "burn_in")
    yield_pct = float(np.clip(rng.normal(97.5 if is_test else 99.2, 0.6), 90, 99.95))
    per_head = 25_000 if capacity > 50_000 else 400  # units or wafers per person-week
    headcount = max(2, round(capacity / per_head * float(rng.uniform(0.7, 1.3))))
    parts = {
        "labour": labour,
        "materials": materials,
        "depreciation": depreciation,
        "overhead": overhead,
    }
    rows = [
        _row(member, site, process, "weekly_capacity", capacity),
        _row(member, site, process, "utilisation_pct", round(utilisation, 1)),
        *(
            _row(member, site, process, f"unit_cost_{k}", round(total * share, 4))
            for k, share in parts.items()
        ),
        _row(member, site, process, "yield_pct", round(yield_pct, 2)),
        _row(member, site, process, "headcount", headcount),
    ]
    return rows
