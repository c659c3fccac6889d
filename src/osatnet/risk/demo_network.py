"""A realistic multi-tier supply network for the demo alliance, from public facts.

Facts followed (dated; see docs/risk.md): build-up film (ABF) for substrates comes about 90%
from one Japanese maker; organic substrates from Japan, Taiwan and Korea; bonding wire from
Japan and Germany (with plants in Asia); leadframes from Japan, Singapore and Taiwan; epoxy mold
compound from Japan, with Chinese makers growing. Supplier names describe a role and a country:
none is a real company. Member sites are the demo registry's assembly sites.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np

from ..demo.generator import DemoRegistry
from ..registry.catalog import prefectures
from ..registry.schemas import SiteRow
from ._network import BomLine, Link, Need, Network, Node, NodeKind

__all__ = ["SUPPLIERS", "generate_network"]

# One row per supplier: the share is its part of the item's world supply in the demo.
_SUPPLIER_TABLE = """
node_id|name|kind|country|region|lat|lon|item|share
T2-ABF-JP|ABF film maker (JP)|tier2+|JP|Gunma|36.39|139.06|abf_film|0.9
T2-BUF-TW|Build-up film maker (TW)|tier2+|TW|Hsinchu|24.80|120.97|abf_film|0.1
T2-CU-JP|Copper strip mill (JP)|tier2+|JP|Shizuoka|34.98|138.38|copper_strip|0.7
T2-CU-KR|Copper strip mill (KR)|tier2+|KR|Ulsan|35.54|129.31|copper_strip|0.3
T1-SUB-JP1|Substrate maker A (JP)|tier1|JP|Gifu|35.42|136.76|substrate|0.2
T1-SUB-JP2|Substrate maker B (JP)|tier1|JP|Nagano|36.65|138.18|substrate|0.15
T1-SUB-TW1|Substrate maker C (TW)|tier1|TW|Taoyuan|24.99|121.30|substrate|0.25
T1-SUB-TW2|Substrate maker D (TW)|tier1|TW|New Taipei|25.01|121.46|substrate|0.2
T1-SUB-KR|Substrate maker E (KR)|tier1|KR|Gyeonggi|37.27|127.01|substrate|0.2
T1-BW-JP1|Bonding wire maker A (JP)|tier1|JP|Saga|33.25|130.30|bonding_wire|0.35
T1-BW-JP2|Bonding wire maker B (JP)|tier1|JP|Saitama|35.86|139.65|bonding_wire|0.3
T1-BW-DE|Bonding wire maker (DE)|tier1|DE|Hesse|50.13|8.92|bonding_wire|0.15
T1-BW-MY|Bonding wire plant of the DE maker (MY)|tier1|MY|Penang|5.35|100.28|bonding_wire|0.2
T1-LF-JP1|Leadframe maker A (JP)|tier1|JP|Fukuoka|33.88|130.88|leadframe|0.35
T1-LF-JP2|Leadframe maker B (JP)|tier1|JP|Nagano|36.10|137.97|leadframe|0.15
T1-LF-SG|Leadframe maker (SG)|tier1|SG|Singapore|1.35|103.82|leadframe|0.25
T1-LF-TW|Leadframe maker (TW)|tier1|TW|Kaohsiung|22.62|120.31|leadframe|0.25
T1-EMC-JP1|Mold compound maker A (JP)|tier1|JP|Tochigi|36.56|139.88|mold_compound|0.4
T1-EMC-JP2|Mold compound maker B (JP)|tier1|JP|Ibaraki|36.34|140.45|mold_compound|0.3
T1-EMC-CN|Mold compound maker (CN)|tier1|CN|Jiangsu|31.30|120.60|mold_compound|0.3
"""


def _suppliers() -> tuple[tuple[str, str, NodeKind, str, str, float, float, str, float], ...]:
    rows = [line.split("|") for line in _SUPPLIER_TABLE.strip().splitlines()[1:]]
    return tuple(
        (r[0], r[1], NodeKind(r[2]), r[3], r[4], float(r[5]), float(r[6]), r[7], float(r[8]))
        for r in rows
    )


SUPPLIERS = _suppliers()
# Ports and airports that foreign supplies reach Japanese sites through.
HUBS: dict[str, tuple[str, str, str, float, float]] = {
    "TW": ("H-KAOHSIUNG", "Kaohsiung port hub (TW)", "Kaohsiung", 22.61, 120.28),
    "KR": ("H-BUSAN", "Busan port hub (KR)", "Busan", 35.10, 129.04),
    "CN": ("H-SHANGHAI", "Shanghai port hub (CN)", "Shanghai", 31.23, 121.47),
    "SG": ("H-SINGAPORE", "Singapore port hub (SG)", "Singapore", 1.26, 103.84),
    "MY": ("H-PENANG", "Penang port hub (MY)", "Penang", 5.41, 100.34),
    "DE": ("H-FRANKFURT", "Frankfurt air cargo hub (DE)", "Hesse", 50.04, 8.56),
}
# Imports for Kyushu's many plants land at Hakata port (Fukuoka) before the last leg.
KYUSHU_HUB = ("H-HAKATA", "Hakata port hub (JP)", "Fukuoka", 33.60, 130.40)
# Package made -> input item and quantity per package (units per package).
RECIPES: dict[str, dict[str, float]] = {
    "leadframe_package": {"leadframe": 0.05, "bonding_wire": 0.0005, "mold_compound": 0.0004},
    "substrate_package": {"substrate": 1.0, "bonding_wire": 0.0003, "mold_compound": 0.001},
}
# Inputs made by tier-1 suppliers from deeper tiers.
SUPPLIER_RECIPES: dict[str, tuple[str, float]] = {
    "substrate": ("abf_film", 0.002),  # m2 of film per substrate
    "leadframe": ("copper_strip", 0.00002),  # tonnes of strip per leadframe strip
}
VALUE_PER_PACKAGE = {"leadframe_package": 35.0, "substrate_package": 420.0}  # JPY lost per unit


def _pick(rng: np.random.Generator, item: str, how_many: int) -> list[tuple[str, float]]:
    """Suppliers of ``item`` for one customer, with its split of the volume (by share)."""
    options = [(s[0], s[8]) for s in SUPPLIERS if s[7] == item]
    shares = np.array([o[1] for o in options])
    idx = rng.choice(len(options), size=min(how_many, len(options)), replace=False,
                     p=shares / shares.sum())  # fmt: skip
    split = shares[idx] * rng.uniform(0.7, 1.3, idx.size)
    return [(options[i][0], float(w)) for i, w in zip(idx, split / split.sum(), strict=True)]


def generate_network(registry: DemoRegistry, seed: int = 7) -> Network:
    """Member sites (the registry's OSAT sites), up to 20 suppliers and 7 hubs; deterministic."""
    rng = np.random.default_rng(seed)
    country_of = {s[0]: s[3] for s in SUPPLIERS}
    nodes = [Node(s[0], s[1], s[2], s[3], s[4], s[5], s[6]) for s in SUPPLIERS]
    hubs = [*HUBS.items(), ("JP", KYUSHU_HUB)]
    nodes += [Node(h[0], h[1], NodeKind.LOGISTICS_HUB, c, h[2], h[3], h[4]) for c, h in hubs]
    kyushu = {p.name for p in prefectures() if p.area == "Kyushu"}
    osat = {m.member_id for m in registry.members if m.role.value == "osat"}
    capacity = {(c.site_id, c.process): c.weekly_capacity for c in registry.capabilities}
    links: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    needs: list[Need] = []
    bom: list[BomLine] = []
    demand: dict[tuple[str, str], float] = defaultdict(float)  # (supplier, item) shipped

    def ship(sup: str, site: SiteRow, item: str, vol: float, cap: float) -> None:
        hub = HUBS.get(country_of.get(sup, ""))
        path = [sup, site.site_id]
        if hub is not None and site.country == "JP":
            path = [sup, hub[0], site.site_id]
            if site.region in kyushu:
                path.insert(2, KYUSHU_HUB[0])
        for a, b in itertools.pairwise(path):
            links[(a, b, item)][0] += vol
            links[(a, b, item)][1] += cap
        demand[(sup, item)] += vol

    for site in registry.sites:
        if site.member_id not in osat:
            continue
        name = f"{site.member_id} {site.name}"
        nodes.append(
            Node(site.site_id, name, NodeKind.MEMBER_SITE, site.country, site.region,
                 site.lat, site.lon, member_id=site.member_id)
        )  # fmt: skip
        for package, inputs in RECIPES.items():
            cap = capacity.get((site.site_id, package))
            if cap is None:
                continue
            out = round(cap * float(rng.uniform(0.6, 0.85)), -2)
            stock = round(out * float(rng.uniform(0, 1)))  # finished packages on hand
            needs.append(Need(site.site_id, package, out, stock, VALUE_PER_PACKAGE[package]))
            for item, qty in inputs.items():
                bom.append(BomLine(site.site_id, package, item, qty))
                use = out * qty
                cover = float(rng.uniform(2.0, 6.0))  # weeks of stock on hand
                needs.append(Need(site.site_id, item, 0.0, round(use * cover, 3), 0.0))
                for sup, share in _pick(rng, item, int(rng.integers(1, 4))):
                    surge = float(rng.uniform(1.1, 1.5))
                    ship(sup, site, item, use * share, use * share * surge)
    # Tier-1 makers of substrates and leadframes draw on deeper tiers for what they ship.
    for (sup, item), shipped in sorted(demand.items()):
        if item not in SUPPLIER_RECIPES:
            continue
        raw, qty = SUPPLIER_RECIPES[item]
        bom.append(BomLine(sup, item, raw, qty))
        needs.append(Need(sup, item, 0.0, round(shipped * float(rng.uniform(1, 2)), 1), 0.0))
        needs.append(Need(sup, raw, 0.0, round(shipped * qty * float(rng.uniform(2, 4)), 4), 0.0))
        for deep, share in _pick(rng, raw, 2 if raw == "abf_film" else 1):
            use = shipped * qty * share
            links[(deep, sup, raw)][0] += use
            links[(deep, sup, raw)][1] += use * float(rng.uniform(1.05, 1.3))
    used = {n for key in links for n in key[:2]}
    return Network(
        nodes=[n for n in nodes if n.node_id in used or n.kind is NodeKind.MEMBER_SITE],
        links=[Link(s, c, i, round(v, 4), round(m, 4)) for (s, c, i), (v, m) in links.items()],
        needs=needs,
        bom=bom,
    ).validate()
