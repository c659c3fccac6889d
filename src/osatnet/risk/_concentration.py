"""Herfindahl-Hirschman index per item, by supplier, by supplier country and by region.

Shares are of the item's planned weekly volume (``links.weekly_volume``) in percent, so the
index runs from near 0 (many small sources) to 10,000 (one source). Thresholds follow the
U.S. merger guidelines of 2010: above 2,500 highly concentrated, 1,500-2,500 moderately.
Links shipped by logistics hubs are left out: a hub relays, it is not a source.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._network import Network, NodeKind

__all__ = ["HIGH", "MODERATE", "Concentration", "ItemConcentration", "concentration", "level"]

HIGH = 2_500.0
MODERATE = 1_500.0

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def level(hhi: float) -> str:
    """``high`` above 2,500, ``moderate`` from 1,500, else ``low``."""
    return "high" if hhi > HIGH else "moderate" if hhi >= MODERATE else "low"


@dataclass(frozen=True)
class ItemConcentration:
    item: str
    volume: float
    suppliers: int
    countries: int
    hhi_supplier: float
    hhi_country: float
    hhi_region: float
    top_supplier: str
    top_supplier_share: float
    top_country: str
    top_country_share: float

    @property
    def level_supplier(self) -> str:
        return level(self.hhi_supplier)

    @property
    def level_country(self) -> str:
        return level(self.hhi_country)

    @property
    def level_region(self) -> str:
        return level(self.hhi_region)

    def as_dict(self) -> dict[str, object]:
        return {
            "item": self.item,
            "volume": self.volume,
            "suppliers": self.suppliers,
            "countries": self.countries,
            "hhi_supplier": round(self.hhi_supplier, 1),
            "hhi_country": round(self.hhi_country, 1),
            "hhi_region": round(self.hhi_region, 1),
            "level_supplier": self.level_supplier,
            "level_country": self.level_country,
            "level_region": self.level_region,
            "top_supplier": self.top_supplier,
            "top_supplier_share": round(self.top_supplier_share, 2),
            "top_country": self.top_country,
            "top_country_share": round(self.top_country_share, 2),
        }


@dataclass(frozen=True)
class Concentration:
    items: tuple[ItemConcentration, ...]

    @property
    def single_source(self) -> list[str]:
        return [c.item for c in self.items if c.suppliers == 1]

    @property
    def single_country(self) -> list[str]:
        return [c.item for c in self.items if c.countries == 1]

    def as_dict(self) -> dict[str, object]:
        return {
            "items": [c.as_dict() for c in self.items],
            "single_source": self.single_source,
            "single_country": self.single_country,
        }


def _hhi(item: IntArray, group: IntArray, volume: FloatArray, n_items: int) -> tuple[
    FloatArray, IntArray, IntArray, FloatArray
]:  # fmt: skip
    """HHI per item over ``group``; also the number of groups with volume, the top group and
    its share. One pass of bincounts over (item, group) cells."""
    n_groups = int(group.max()) + 1 if group.size else 1
    cell = item * n_groups + group
    vol = np.bincount(cell, weights=volume, minlength=n_items * n_groups).reshape(n_items, -1)
    total = vol.sum(axis=1)
    share = np.divide(vol * 100.0, total[:, None], out=np.zeros_like(vol), where=total[:, None] > 0)
    top = share.argmax(axis=1)
    return (share**2).sum(axis=1), (vol > 0).sum(axis=1), top, share.max(axis=1)


def concentration(network: Network) -> Concentration:
    """HHI of every item with supplied volume, sorted from the most concentrated supplier base."""
    pos = network.node_position
    links = [
        k for k in network.links
        if network.nodes[pos[k.supplier_id]].kind is not NodeKind.LOGISTICS_HUB
        and k.weekly_volume > 0
    ]  # fmt: skip
    if not links:
        return Concentration(())
    items, item_code = np.unique([k.item for k in links], return_inverse=True)
    sup_node = [network.nodes[pos[k.supplier_id]] for k in links]
    suppliers, sup_code = np.unique([n.node_id for n in sup_node], return_inverse=True)
    countries, country_code = np.unique([n.country for n in sup_node], return_inverse=True)
    _, region_code = np.unique([f"{n.country}/{n.region}" for n in sup_node], return_inverse=True)
    volume = np.array([k.weekly_volume for k in links], dtype=np.float64)
    item_code = item_code.astype(np.int64)
    n = len(items)
    total = np.bincount(item_code, weights=volume, minlength=n)
    h_sup, n_sup, top_sup, share_sup = _hhi(item_code, sup_code.astype(np.int64), volume, n)
    h_cty, n_cty, top_cty, share_cty = _hhi(item_code, country_code.astype(np.int64), volume, n)
    h_reg, _, _, _ = _hhi(item_code, region_code.astype(np.int64), volume, n)
    rows = [
        ItemConcentration(
            item=str(items[i]), volume=float(total[i]), suppliers=int(n_sup[i]),
            countries=int(n_cty[i]), hhi_supplier=float(h_sup[i]), hhi_country=float(h_cty[i]),
            hhi_region=float(h_reg[i]), top_supplier=str(suppliers[top_sup[i]]),
            top_supplier_share=float(share_sup[i]), top_country=str(countries[top_cty[i]]),
            top_country_share=float(share_cty[i]),
        )
        for i in range(n)
    ]  # fmt: skip
    rows.sort(key=lambda c: (-c.hhi_supplier, c.item))
    return Concentration(tuple(rows))
