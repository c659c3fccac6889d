"""Generate a registry shaped like Japan's 2025 back-end alliance (J-OSAT).

Public facts it follows (see docs/demo.md): about 30 firms, about 80% with fewer than 100 staff,
plants scattered over Kyushu, Shikoku, Tohoku, Chubu and Kanto, a few overseas sites, a few
materials and equipment makers among the members. Names are invented; nothing is a real firm.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from ..registry.catalog import Certification, EmployeeBand, MemberRole, prefectures
from ..registry.schemas import CapabilityRow, MemberRow, SiteRow

__all__ = ["DemoRegistry", "generate_registry"]

N_MEMBERS = 30
# Bands of the 24 OSATs: most are small, as in the real alliance.
_OSAT_BANDS = ["<50"] * 12 + ["50-99"] * 10 + ["100-299"] + ["1000+"]
_OTHER_ROLES = [
    ("materials", "100-299"), ("materials", "50-99"), ("materials", "300-999"),
    ("equipment", "50-99"), ("equipment", "100-299"), ("customer", "1000+"),
]  # fmt: skip
# Headquarters of the 27 members that are not materials makers; shuffled per seed.
_HQ_AREAS = ["Kyushu"] * 12 + ["Tohoku"] * 5 + ["Chubu"] * 4 + ["Kanto"] * 4 + ["Shikoku"]
_HQ_AREAS += ["Chugoku"]
# Shikoku hosts materials makers more than assembly plants.
_ROLE_AREA = {"materials": "Shikoku"}
_SITES_PER_BAND = {"<50": (1, 2), "50-99": (1, 3), "100-299": (3, 4), "300-999": (3, 5),
                   "1000+": (6, 8)}  # fmt: skip
_OVERSEAS_PER_BAND = {"100-299": 1, "300-999": 1, "1000+": 3}
_SIZE = {"<50": 0.5, "50-99": 1.0, "100-299": 2.2, "300-999": 4.0, "1000+": 7.0}
_OVERSEAS = [("MY", "Penang", 5.41, 100.33), ("PH", "Laguna", 14.17, 121.33),
             ("TW", "Kaohsiung", 22.63, 120.30), ("US", "Arizona", 33.45, -112.07)]  # fmt: skip

_WORDS = [
    ("Micro", "マイクロ"), ("Semicon", "セミコン"), ("Device", "デバイス"),
    ("Electronics", "エレクトロニクス"), ("Precision", "精密"),
    ("Packaging", "パッケージング"), ("Test Systems", "テストシステムズ"),
    ("Technologies", "テクノロジーズ"), ("Assembly", "アセンブリ"), ("Devices", "デバイセズ"),
]  # fmt: skip
_ROLE_WORDS = {
    "materials": ("Materials", "マテリアル"),
    "equipment": ("Engineering", "エンジニアリング"),
    "customer": ("Semiconductor", "セミコンダクター"),
}

# Site profiles of OSAT plants: process -> weekly capacity of a 50-99 staff plant.
_PROFILES: dict[str, dict[str, float]] = {
    "leadframe assembly": {"wafer_backgrind": 2_500, "dicing": 2_500, "die_attach": 400_000,
                           "wire_bond_au": 150_000, "wire_bond_cu": 250_000, "molding": 400_000,
                           "leadframe_package": 400_000, "tape_and_reel": 500_000},
    "substrate assembly": {"dicing": 2_000, "die_attach": 200_000, "wire_bond_cu": 150_000,
                           "flip_chip_attach": 80_000, "molding": 200_000,
                           "substrate_package": 200_000},
    "test": {"wafer_sort": 3_000, "final_test": 300_000, "burn_in": 60_000,
             "tape_and_reel": 300_000},
    "wafer level": {"wafer_backgrind": 3_000, "flip_chip_bump": 1_200, "wlcsp": 1_000,
                    "wafer_sort": 1_500},
    "module": {"die_attach": 100_000, "flip_chip_attach": 40_000, "sip_module": 50_000,
               "final_test": 80_000},
}  # fmt: skip
_AUTOMOTIVE_PROCESSES = {"die_attach", "wire_bond_au", "wire_bond_cu", "molding",
                         "leadframe_package", "substrate_package", "final_test", "burn_in",
                         "wafer_sort"}  # fmt: skip


@dataclass
class DemoRegistry:
    members: list[MemberRow] = field(default_factory=list)
    sites: list[SiteRow] = field(default_factory=list)
    capabilities: list[CapabilityRow] = field(default_factory=list)


def _ja_short(name_ja: str) -> str:
    return name_ja if name_ja == "北海道" else name_ja.rstrip("都府県")


def generate_registry(seed: int = 7) -> DemoRegistry:
    """A deterministic demo registry: 30 members, about 60 sites."""
    rng = np.random.default_rng(seed)
    by_area: dict[str, list[int]] = {}
    prefs = prefectures()
    for i, p in enumerate(prefs):
        by_area.setdefault(p.area, []).append(i)
    hq_areas = iter(rng.permutation(_HQ_AREAS))

    roles = [("osat", b) for b in rng.permutation(_OSAT_BANDS)] + _OTHER_ROLES
    order = rng.permutation(len(roles))
    out = DemoRegistry()
    used_names: set[str] = set()
    overseas = iter(_OVERSEAS * N_MEMBERS)  # cycle, so every overseas country appears
    for number, idx in enumerate(order, start=1):
        role, band = roles[idx]
        area = _ROLE_AREA.get(role) or str(next(hq_areas))
        pref = prefs[int(rng.choice(by_area[area]))]
        choices = [_ROLE_WORDS[role]] if role in _ROLE_WORDS else list(rng.permutation(_WORDS))
        for word, word_ja in [*choices, *_WORDS]:
            name, name_ja = f"{pref.name} {word}", f"{_ja_short(pref.name_ja)}{word_ja}"
            if name not in used_names:
                break
        used_names.add(name)
        member_id = f"M{number:02d}"
        out.members.append(
            MemberRow(
                member_id=member_id, name=f"{name} Co., Ltd.", name_ja=f"{name_ja}株式会社",
                country="JP", prefecture=pref.name, employee_band=EmployeeBand(band),
                role=MemberRole(role),
            )
        )  # fmt: skip
        _add_sites(rng, out, member_id, role, band, pref.name, by_area[area], overseas)
    return out


def _add_sites(
    rng: np.random.Generator,
    out: DemoRegistry,
    member_id: str,
    role: str,
    band: str,
    home: str,
    area_prefs: list[int],
    overseas: Iterator[tuple[str, str, float, float]],
) -> None:
    prefs = prefectures()
    low, high = _SITES_PER_BAND[band]
    n_sites = int(rng.integers(low, high + 1)) if role == "osat" else 1
    n_abroad = _OVERSEAS_PER_BAND.get(band, 0) if role == "osat" else 0
    for k in range(n_sites):
        if k >= n_sites - n_abroad:
            country, region, lat, lon = next(overseas)
            name, name_ja = f"{region} plant", None
        else:
            # The first plant sits in the home prefecture, later ones anywhere in the area.
            pref = (
                next(p for p in prefs if p.name == home)
                if k == 0
                else prefs[int(rng.choice(area_prefs))]
            )
            country, region, lat, lon = "JP", pref.name, pref.lat, pref.lon
            name, name_ja = f"{pref.capital} plant", f"{pref.capital}工場"
        lat += float(rng.normal(0, 0.12))
        lon += float(rng.normal(0, 0.12))
        site_id = f"{member_id}-S{k + 1}"
        certs = _certifications(rng, role, band)
        out.sites.append(
            SiteRow(
                site_id=site_id, member_id=member_id, name=name, name_ja=name_ja, country=country,
                region=region, lat=round(lat, 4), lon=round(lon, 4), certifications=certs,
            )
        )  # fmt: skip
        if role == "osat":
            _add_capabilities(rng, out, site_id, band, Certification.IATF_16949 in certs)


def _certifications(rng: np.random.Generator, role: str, band: str) -> tuple[Certification, ...]:
    size = _SIZE[band]
    certs = [Certification.ISO_9001]
    if rng.random() < min(0.9, 0.35 + 0.1 * size):
        certs.append(Certification.ISO_14001)
    if role == "osat" and rng.random() < min(0.95, 0.3 + 0.12 * size):
        certs.append(Certification.IATF_16949)
        if rng.random() < 0.6:
            certs.append(Certification.AEC_Q100)
        if rng.random() < 0.3:
            certs.append(Certification.AEC_Q101)
    return tuple(sorted(certs, key=list(Certification).index))


def _add_capabilities(
    rng: np.random.Generator, out: DemoRegistry, site_id: str, band: str, iatf: bool
) -> None:
    names = list(_PROFILES)
    profile = _PROFILES[names[int(rng.integers(len(names)))]]
    scale = _SIZE[band] * float(rng.lognormal(0.0, 0.25))
    for process, base in profile.items():
        if rng.random() < 0.15:
            continue  # not every plant runs every step of its profile
        capacity = float(np.round(base * scale, -2 if base < 10_000 else -3))
        automotive = iatf and process in _AUTOMOTIVE_PROCESSES and rng.random() < 0.7
        out.capabilities.append(
            CapabilityRow(
                site_id=site_id, process=process, weekly_capacity=max(capacity, 100.0),
                automotive=automotive,
            )
        )  # fmt: skip
