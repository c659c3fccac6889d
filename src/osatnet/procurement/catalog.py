"""The catalog of back-end material categories and equipment classes.

The catalog gives the well-known categories a stable key, an English and a Japanese name and
the unit quantities are counted in. Files may use keys that are not in the catalog (a member
can bring its own category); :func:`describe` then falls back to the key itself.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["CATALOG", "CatalogEntry", "Kind", "describe", "lookup"]


class Kind(enum.Enum):
    MATERIAL = "material"
    EQUIPMENT = "equipment"


@dataclass(frozen=True)
class CatalogEntry:
    key: str
    name_en: str
    name_ja: str
    unit: str
    kind: Kind


def _m(key: str, en: str, ja: str, unit: str) -> CatalogEntry:
    return CatalogEntry(key, en, ja, unit, Kind.MATERIAL)


def _e(key: str, en: str, ja: str) -> CatalogEntry:
    return CatalogEntry(key, en, ja, "unit", Kind.EQUIPMENT)


_ENTRIES: tuple[CatalogEntry, ...] = (
    _m("bonding_wire_au", "Bonding wire, gold (Au)", "金ボンディングワイヤ", "km"),
    _m("bonding_wire_cu", "Bonding wire, copper (Cu)", "銅ボンディングワイヤ", "km"),
    _m("bonding_wire_ag", "Bonding wire, silver alloy (Ag)", "銀合金ボンディングワイヤ", "km"),
    _m("leadframe", "Leadframes", "リードフレーム", "kpcs"),
    _m("organic_substrate", "Organic substrates", "有機基板", "kpcs"),
    _m("epoxy_mold_compound", "Epoxy mold compound", "エポキシ封止材", "kg"),
    _m("die_attach_film", "Die attach film", "ダイアタッチフィルム", "m2"),
    _m("die_attach_paste", "Die attach paste", "ダイアタッチペースト", "kg"),
    _m("underfill", "Underfill", "アンダーフィル", "kg"),
    _m("solder_balls", "Solder balls", "はんだボール", "Mpcs"),
    _m("tape_and_reel", "Carrier tape & reel", "キャリアテープ・リール", "reel"),
    _m("test_socket", "Test sockets", "テストソケット", "pcs"),
    _m("probe_card", "Probe cards", "プローブカード", "pcs"),
    _e("wire_bonder", "Wire bonders", "ワイヤボンダ"),
    _e("die_bonder", "Die bonders", "ダイボンダ"),
    _e("molding_press", "Molding presses", "モールドプレス"),
    _e("tester", "Testers (ATE)", "テスタ"),
    _e("handler", "Test handlers", "テストハンドラ"),
)

CATALOG: dict[str, CatalogEntry] = {e.key: e for e in _ENTRIES}


def lookup(key: str) -> CatalogEntry | None:
    """The catalog entry of ``key``, or ``None`` for a category the catalog does not know."""
    return CATALOG.get(key)


def describe(key: str) -> CatalogEntry:
    """The entry of ``key``; a free-form key gets itself as name and a neutral unit."""
    entry = CATALOG.get(key)
    if entry is not None:
        return entry
    return CatalogEntry(key, key, key, "unit", Kind.MATERIAL)
