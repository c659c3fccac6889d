"""Vocabularies shipped with the package: process families, certifications, bands, roles,
Japanese prefectures and country codes."""

from __future__ import annotations

import csv
import enum
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "PROCESS_FAMILIES",
    "Certification",
    "EmployeeBand",
    "MemberRole",
    "ProcessFamilyInfo",
    "Stage",
    "UserRole",
    "country_codes",
    "country_name",
    "prefecture",
    "prefectures",
]


class EmployeeBand(enum.StrEnum):
    LT_50 = "<50"
    B50_99 = "50-99"
    B100_299 = "100-299"
    B300_999 = "300-999"
    GE_1000 = "1000+"


class MemberRole(enum.StrEnum):
    OSAT = "osat"
    MATERIALS = "materials"
    EQUIPMENT = "equipment"
    CUSTOMER = "customer"


class UserRole(enum.StrEnum):
    MEMBER_USER = "member_user"
    MEMBER_ADMIN = "member_admin"
    SECRETARIAT = "secretariat"
    AUDITOR = "auditor"

    @property
    def belongs_to_member(self) -> bool:
        return self in (UserRole.MEMBER_USER, UserRole.MEMBER_ADMIN)


class Certification(enum.StrEnum):
    ISO_9001 = "ISO 9001"
    IATF_16949 = "IATF 16949"
    ISO_14001 = "ISO 14001"
    AEC_Q100 = "AEC-Q100"
    AEC_Q101 = "AEC-Q101"

    @classmethod
    def parse(cls, text: str) -> Certification:
        """Accept spellings such as ``IATF16949``, ``iatf-16949`` or ``ISO 9001``."""
        wanted = _squash(text)
        for cert in cls:
            if _squash(cert.value) == wanted:
                return cert
        allowed = ", ".join(c.value for c in cls)
        raise ValueError(f"unknown certification {text.strip()!r}; expected one of {allowed}")


def _squash(text: str) -> str:
    return re.sub(r"[\s\-_]", "", text).upper()


class Stage(enum.StrEnum):
    WAFER = "wafer"
    ASSEMBLY = "assembly"
    PACKAGE = "package"
    TEST = "test"


@dataclass(frozen=True)
class ProcessFamilyInfo:
    key: str
    name: str
    name_ja: str
    stage: Stage
    capacity_unit: str


# The stable keys are used in files and the API: never rename one, add new ones at the end.
PROCESS_FAMILIES: tuple[ProcessFamilyInfo, ...] = (
    ProcessFamilyInfo(
        "wafer_backgrind", "Wafer backgrind", "バックグラインド", Stage.WAFER, "wafers"
    ),
    ProcessFamilyInfo("dicing", "Dicing", "ダイシング", Stage.WAFER, "wafers"),
    ProcessFamilyInfo("die_attach", "Die attach", "ダイボンディング", Stage.ASSEMBLY, "units"),
    ProcessFamilyInfo(
        "wire_bond_au", "Wire bond (Au)", "ワイヤボンディング（金）", Stage.ASSEMBLY, "units"
    ),
    ProcessFamilyInfo(
        "wire_bond_cu", "Wire bond (Cu)", "ワイヤボンディング（銅）", Stage.ASSEMBLY, "units"
    ),
    ProcessFamilyInfo(
        "flip_chip_bump", "Flip-chip bump", "フリップチップ・バンプ形成", Stage.WAFER, "wafers"
    ),
    ProcessFamilyInfo(
        "flip_chip_attach", "Flip-chip attach", "フリップチップ実装", Stage.ASSEMBLY, "units"
    ),
    ProcessFamilyInfo("molding", "Molding", "モールド", Stage.ASSEMBLY, "units"),
    ProcessFamilyInfo(
        "leadframe_package",
        "Leadframe packages (QFN/SOP/QFP)",
        "リードフレーム系パッケージ（QFN/SOP/QFP）",
        Stage.PACKAGE,
        "units",
    ),
    ProcessFamilyInfo(
        "substrate_package",
        "Substrate packages (BGA/LGA)",
        "基板系パッケージ（BGA/LGA）",
        Stage.PACKAGE,
        "units",
    ),
    ProcessFamilyInfo("wlcsp", "WLCSP", "WLCSP（ウェハレベルCSP）", Stage.WAFER, "wafers"),
    ProcessFamilyInfo("sip_module", "SiP / module", "SiP・モジュール", Stage.PACKAGE, "units"),
    ProcessFamilyInfo("wafer_sort", "Wafer sort", "ウェハテスト（プローブ）", Stage.TEST, "wafers"),
    ProcessFamilyInfo("final_test", "Final test", "ファイナルテスト", Stage.TEST, "units"),
    ProcessFamilyInfo("burn_in", "Burn-in", "バーンイン", Stage.TEST, "units"),
    ProcessFamilyInfo("tape_and_reel", "Tape & reel", "テーピング", Stage.PACKAGE, "units"),
)

PROCESS_KEYS: frozenset[str] = frozenset(p.key for p in PROCESS_FAMILIES)


@dataclass(frozen=True)
class PrefectureInfo:
    name: str
    name_ja: str
    area: str
    capital: str
    lat: float
    lon: float


@cache
def prefectures() -> tuple[PrefectureInfo, ...]:
    """Japan's 47 prefectures with their area (Kyushu, Shikoku…) and capital coordinates."""
    text = resources.files("osatnet.data").joinpath("japan_prefectures.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(
        PrefectureInfo(
            r["prefecture"],
            r["prefecture_ja"],
            r["region"],
            r["capital"],
            float(r["lat"]),
            float(r["lon"]),
        )
        for r in rows
    )


def prefecture(name: str) -> PrefectureInfo | None:
    """Look a prefecture up by English or Japanese name (``Kumamoto``, ``熊本県``, ``熊本``)."""
    wanted = name.strip().casefold().removesuffix("-ken").removesuffix(" prefecture")
    for p in prefectures():
        ja_short = p.name_ja.rstrip("都道府県") if p.name_ja != "北海道" else p.name_ja
        if wanted in (p.name.casefold(), p.name_ja, ja_short):
            return p
    return None


# Babel's territory list includes groupings and private-use codes: keep real countries only.
_NOT_COUNTRIES = frozenset(
    {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"}
)


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (from the CLDR data shipped with Babel)."""
    from babel import Locale

    names = [str(c) for c in Locale("en").territories]
    return frozenset(c for c in names if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)


def country_name(code: str, locale: str = "en") -> str:
    from babel import Locale

    return str(Locale(locale).territories.get(code, code))
