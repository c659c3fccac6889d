"""Pydantic schemas of the registry: one per table row, used by files, the API and the CLI.

They validate once, at the boundary; the service trusts what they let through.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from .catalog import (
    PROCESS_KEYS,
    Certification,
    EmployeeBand,
    MemberRole,
    country_codes,
    prefecture,
)

__all__ = ["CapabilityRow", "MemberRow", "SiteRow", "parse_bool"]

Key = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Text = Annotated[str, Field(min_length=1, max_length=200)]

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected true/false (or 1/0, yes/no), got {value!r}")


def _prefecture_name(value: str, info: ValidationInfo) -> str:
    if info.data.get("country") != "JP":
        return value
    found = prefecture(value)
    if found is None:
        raise ValueError(f"expected one of Japan's 47 prefectures (e.g. Kumamoto), got {value!r}")
    return found.name


def _country(value: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code) or code not in country_codes():
        raise ValueError(f"expected an ISO 3166-1 alpha-2 country code such as JP, got {value!r}")
    return code


CountryCode = Annotated[str, AfterValidator(_country)]


class _Row(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True, extra="forbid")


class MemberRow(_Row):
    member_id: Key
    name: Text
    name_ja: Text
    country: CountryCode
    prefecture: Text = Field(description="Headquarters prefecture (JP) or state/region.")
    employee_band: EmployeeBand
    role: MemberRole
    website: str | None = None

    @field_validator("prefecture")
    @classmethod
    def _japanese_prefecture(cls, value: str, info: ValidationInfo) -> str:
        return _prefecture_name(value, info)


class SiteRow(_Row):
    site_id: Key
    member_id: Key
    name: Text
    name_ja: str | None = None
    country: CountryCode
    region: Text = Field(description="Prefecture (JP) or state/region elsewhere.")
    lat: float = Field(default=None, ge=-90, le=90, validate_default=True)
    lon: float = Field(default=None, ge=-180, le=180, validate_default=True)
    certifications: tuple[Certification, ...] = ()

    @field_validator("certifications", mode="before")
    @classmethod
    def _split_certifications(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p for p in (s.strip() for s in value.split(";")) if p]
            return tuple(
                sorted({Certification.parse(p) for p in parts}, key=list(Certification).index)
            )
        return value

    @field_validator("region")
    @classmethod
    def _japanese_region(cls, value: str, info: ValidationInfo) -> str:
        return _prefecture_name(value, info)

    @field_validator("lat", "lon", mode="before")
    @classmethod
    def _default_to_capital(cls, value: Any, info: ValidationInfo) -> Any:
        if value is not None and str(value).strip() != "":
            return value
        # A Japanese site without coordinates is placed at its prefecture's capital.
        found = (
            prefecture(info.data.get("region", "")) if info.data.get("country") == "JP" else None
        )
        if found is None:
            raise ValueError(
                "required (in Japan, leave lat and lon empty to use the prefecture capital)"
            )
        return found.lat if info.field_name == "lat" else found.lon

    @property
    def area(self) -> str:
        """Kyushu, Shikoku, Kanto… for Japanese sites; the country code elsewhere."""
        found = prefecture(self.region) if self.country == "JP" else None
        return found.area if found else self.country


class CapabilityRow(_Row):
    site_id: Key
    process: str
    weekly_capacity: float = Field(ge=0, allow_inf_nan=False)
    automotive: bool = False

    @field_validator("process")
    @classmethod
    def _known_process(cls, value: str) -> str:
        key = value.strip()
        if key not in PROCESS_KEYS:
            raise ValueError(
                f"unknown process {key!r}; expected a catalog key such as final_test "
                f"(see `osatnet registry processes`)"
            )
        return key

    @field_validator("automotive", mode="before")
    @classmethod
    def _bool(cls, value: Any) -> bool:
        return parse_bool(value)
