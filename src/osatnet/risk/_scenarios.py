"""Disruption scenarios: a YAML schema, the shipped library, and their effect on a network.

A scenario is a list of events. Each event hits nodes (they neither ship, receive nor produce)
or links (their capacity is cut) from ``start_week`` for ``duration_weeks``. Applied to a
network, a scenario becomes a :class:`Timeline`: per week, which nodes are down and which
fraction of each link's capacity is left; its last column holds from then on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import InputError
from ..registry.catalog import prefecture, prefectures
from ._duration import DURATION_TAGS, Duration
from ._network import Network

__all__ = [
    "CountryExportBan",
    "Event",
    "RegionOutage",
    "Scenario",
    "SupplierFailure",
    "Timeline",
    "TransportDisruption",
    "load_scenario",
    "node_outage",
    "parse_scenario",
    "shipped_scenarios",
    "timeline",
]

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
_EARTH_RADIUS_KM = 6371.0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Timed(_Model):
    start_week: int = Field(default=0, ge=0)
    duration_weeks: int = Field(ge=1)

    @property
    def end_week(self) -> int:
        return self.start_week + self.duration_weeks


class Point(_Model):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class RegionOutage(_Timed):
    """Every node in ``regions`` (prefectures, areas such as Kyushu, or the region column) or
    within ``radius_km`` of ``center`` is down."""

    type: Literal["region_outage"]
    regions: tuple[str, ...] = ()
    center: Point | None = None
    radius_km: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _where(self) -> RegionOutage:
        if (self.center is None) != (self.radius_km is None):
            raise ValueError("center and radius_km go together")
        if not self.regions and self.center is None:
            raise ValueError("give regions, or a center with a radius_km")
        return self


class CountryExportBan(_Timed):
    """``country`` stops shipping ``items`` (all items when empty) abroad."""

    type: Literal["export_ban"]
    country: str = Field(pattern="^[A-Z]{2}$")
    items: tuple[str, ...] = ()


class SupplierFailure(_Timed):
    type: Literal["supplier_failure"]
    nodes: tuple[str, ...] = Field(min_length=1)


class TransportDisruption(_Timed):
    """Links through ``hubs`` (ids, or every hub in ``regions``) and links leaving
    ``countries`` lose ``capacity_cut`` of their capacity; an ``extra_lead_weeks`` delay is a
    gap in which nothing arrives through them."""

    type: Literal["transport_disruption"]
    hubs: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    countries: tuple[Annotated[str, Field(pattern="^[A-Z]{2}$")], ...] = ()
    capacity_cut: float = Field(default=0.0, ge=0, le=1)
    extra_lead_weeks: int = Field(default=0, ge=0)

    @property
    def end_week(self) -> int:
        # A delay can outlast the capacity cut: the event ends when both are over.
        return self.start_week + max(self.duration_weeks, self.extra_lead_weeks)

    @model_validator(mode="after")
    def _effect(self) -> TransportDisruption:
        if not (self.hubs or self.regions or self.countries):
            raise ValueError("give hubs, regions or countries")
        if self.capacity_cut == 0 and self.extra_lead_weeks == 0:
            raise ValueError("give a capacity_cut > 0 or extra_lead_weeks > 0")
        return self


Event = Annotated[
    RegionOutage | CountryExportBan | SupplierFailure | TransportDisruption,
    Field(discriminator="type"),
]


class Scenario(_Model):
    name: str = Field(min_length=1)
    description: str = ""
    sources: tuple[str, ...] = ()
    events: tuple[Event, ...] = Field(min_length=1)
    # Monte Carlo only: chance of the scenario happening in a year, and how long it lasts
    # (the duration of its longest events; see docs/risk.md).
    probability: float | None = Field(default=None, ge=0, le=1)
    duration: Duration | None = None

    @property
    def ttr_weeks(self) -> int:
        """Weeks until the last event ends."""
        return max(e.end_week for e in self.events)


def _line_of(node: Any, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the YAML node at ``loc`` (the deepest one that exists)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == key), None)
            if found is None:
                key_node = next((k for k, _ in node.value if k.value == key), None)
                return key_node.start_mark.line + 1 if key_node is not None else line
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


def parse_scenario(text: str, label: str = "<scenario>") -> Scenario:
    """Validate YAML ``text``; errors give ``LABEL:LINE: column KEY.PATH: reason``."""
    try:
        tree = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        reason = str(getattr(exc, "problem", None) or exc)
        raise InputError(f"not valid YAML: {reason}", file=label, row=row) from None
    if not isinstance(data, dict):
        raise InputError("expected a mapping with name and events", file=label, row=1)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            # Pydantic puts the union member's tag in the path: drop it to keep YAML keys.
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in _TAGS))
            key = ".".join(str(p) for p in loc) or None
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] not in ("value_error", "missing") and "input" in err:
                message += f", got {err['input']!r}"
            errors.append(InputError(message, file=label, row=_line_of(tree, loc), column=key))
        raise InputError.many(errors) from None


_TAGS = DURATION_TAGS | {"region_outage", "export_ban", "supplier_failure", "transport_disruption"}


def _library() -> dict[str, Scenario]:
    folder = resources.files("osatnet.risk").joinpath("scenarios")
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            scenario = parse_scenario(entry.read_text("utf-8"), f"scenarios/{entry.name}")
            found[entry.name.removesuffix(".yaml")] = scenario
    return found


def shipped_scenarios() -> dict[str, Scenario]:
    """The shipped library, keyed by file stem (``kumamoto-earthquake``…)."""
    return _library()


def load_scenario(spec: str | Path) -> Scenario:
    """A scenario from a YAML file, or the shipped one named ``spec`` (file stem)."""
    path = Path(spec)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise InputError(f"cannot read scenario: {exc.strerror}", file=str(path)) from None
        return parse_scenario(text, path.name)
    library = _library()
    if str(spec) not in library:
        raise InputError(
            f"no scenario file or shipped scenario {str(spec)!r}; shipped: {', '.join(library)}"
        )
    return library[str(spec)]


@dataclass(frozen=True)
class Timeline:
    """Week by week state: ``node_down[n, w]``, ``link_factor[l, w]``; column ``-1`` lasts."""

    name: str
    node_down: BoolArray
    link_factor: FloatArray
    ttr_weeks: int

    @property
    def weeks(self) -> int:
        return int(self.node_down.shape[1])

    def seeds(self, link_cust_node: npt.NDArray[np.int64]) -> BoolArray:
        """Nodes hit directly: down, or receiving through a cut link."""
        hit: BoolArray = np.asarray(self.node_down.any(axis=1), dtype=np.bool_)
        cut = (self.link_factor < 1.0).any(axis=1)
        hit[link_cust_node[cut]] = True
        return hit


def node_outage(network: Network, node_id: str) -> Timeline:
    """``node_id`` down for good (the time-to-survive question)."""
    down = np.zeros((len(network.nodes), 1), dtype=np.bool_)
    down[network.node_position[node_id], 0] = True
    return Timeline(node_id, down, np.ones((len(network.links), 1)), network.node(node_id).ttr)


def _region_keys(names: tuple[str, ...]) -> set[str]:
    keys = set()
    areas = {p.area.casefold(): p.area for p in prefectures()}
    for name in names:
        area = areas.get(name.strip().casefold())
        if area is not None:
            keys |= {p.name.casefold() for p in prefectures() if p.area == area}
            continue
        pref = prefecture(name)
        keys.add(pref.name.casefold() if pref is not None else name.strip().casefold())
    return keys


def _within(network: Network, center: Point, radius_km: float) -> BoolArray:
    lat = np.radians([n.lat for n in network.nodes])
    lon = np.radians([n.lon for n in network.nodes])
    lat0, lon0 = math.radians(center.lat), math.radians(center.lon)
    h = np.sin((lat - lat0) / 2) ** 2 + np.cos(lat) * math.cos(lat0) * np.sin((lon - lon0) / 2) ** 2
    dist = 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    result: BoolArray = dist <= radius_km
    return result


def timeline(scenario: Scenario, network: Network, label: str | None = None) -> Timeline:
    """The scenario's effect on ``network``; unknown node ids are input errors."""
    n_nodes, n_links = len(network.nodes), len(network.links)
    weeks = scenario.ttr_weeks + 1
    down = np.zeros((n_nodes, weeks), dtype=np.bool_)
    factor = np.ones((n_links, weeks))
    pos = network.node_position
    region = np.array([n.region.casefold() for n in network.nodes])
    country = np.array([n.country for n in network.nodes])
    hub = np.array([n.kind.value == "logistics_hub" for n in network.nodes], dtype=np.bool_)
    sup = np.array([pos[k.supplier_id] for k in network.links], dtype=np.int64)
    cust = np.array([pos[k.customer_id] for k in network.links], dtype=np.int64)
    item = np.array([k.item for k in network.links])
    errors = []
    for i, event in enumerate(scenario.events):
        span = slice(event.start_week, event.start_week + event.duration_weeks)
        if isinstance(event, RegionOutage):
            hit = np.isin(region, list(_region_keys(event.regions)))
            if event.center is not None and event.radius_km is not None:
                hit |= _within(network, event.center, event.radius_km)
            down[hit, span] = True
        elif isinstance(event, SupplierFailure):
            unknown = [n for n in event.nodes if n not in pos]
            if unknown:
                errors.append(InputError(
                    f"unknown node(s) {', '.join(unknown)}", file=label or scenario.name,
                    column=f"events.{i}.nodes",
                ))  # fmt: skip
                continue
            down[[pos[n] for n in event.nodes], span] = True
        elif isinstance(event, CountryExportBan):
            banned = (country[sup] == event.country) & (country[cust] != event.country)
            if event.items:
                banned &= np.isin(item, list(event.items))
            factor[banned, span] = 0.0
        else:
            unknown = [h for h in event.hubs if h not in pos]
            if unknown:
                errors.append(InputError(
                    f"unknown hub(s) {', '.join(unknown)}", file=label or scenario.name,
                    column=f"events.{i}.hubs",
                ))  # fmt: skip
                continue
            at = np.zeros(n_nodes, dtype=np.bool_)
            at[[pos[h] for h in event.hubs]] = True
            at |= hub & (np.isin(region, list(_region_keys(event.regions))) | np.isin(
                country, list(event.countries)))  # fmt: skip
            through = at[sup] | at[cust]
            through |= np.isin(country[sup], list(event.countries)) & (
                country[sup] != country[cust]
            )
            factor[through, span] *= 1.0 - event.capacity_cut
            gap = slice(event.start_week, event.start_week + event.extra_lead_weeks)
            factor[through, gap] = 0.0
    if errors:
        raise InputError.many(errors)
    return Timeline(scenario.name, down, factor, scenario.ttr_weeks)
