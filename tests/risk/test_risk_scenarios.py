"""Scenario YAML: the shipped library, errors with line and key, effects on a network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from risk_testlib import node

from osatnet.errors import InputError
from osatnet.risk import (
    Link,
    Network,
    NodeKind,
    generate_network,
    load_scenario,
    parse_scenario,
    shipped_scenarios,
    timeline,
)
from osatnet.risk.demo_network import SUPPLIERS


def test_shipped_library() -> None:
    library = shipped_scenarios()
    assert set(library) >= {
        "kumamoto-earthquake", "taiwan-strait", "malaysia-flood",
        "export-ban-substrates-tw", "abf-film-maker-failure",
    }  # fmt: skip
    for scenario in library.values():
        assert scenario.description and scenario.sources
    failure = library["abf-film-maker-failure"].events[0]
    assert failure.type == "supplier_failure"
    assert set(failure.nodes) <= {s[0] for s in SUPPLIERS}  # ids of the demo network
    assert load_scenario("taiwan-strait") == library["taiwan-strait"]


def test_syntax_error_has_a_line() -> None:
    with pytest.raises(InputError) as exc:
        parse_scenario("name: x\nevents:\n  - type: [unclosed\n", "bad.yaml")
    assert exc.value.file == "bad.yaml" and exc.value.row == 4
    assert "not valid YAML" in str(exc.value)


@pytest.mark.parametrize(
    ("text", "row", "column", "reason"),
    [
        (
            "name: x\nevents:\n  - type: region_outage\n    regions: [Kumamoto]\n"
            "    duration_weeks: 2\n    radius: 50\n",
            6, "events.0.radius", "Extra inputs are not permitted",
        ),
        (
            "name: x\nevents:\n  - type: supplier_failure\n    nodes: [A]\n",
            3, "events.0.duration_weeks", "Field required",
        ),
        (
            "name: x\nevents:\n  - type: region_outage\n    duration_weeks: 2\n"
            "    center: {lat: 32.8, lon: 130.7}\n",
            3, "events.0", "center and radius_km go together",
        ),
        (
            "name: x\nevents:\n  - type: flood\n    duration_weeks: 2\n",
            3, "events.0", "does not match any of the expected tags",
        ),
        (
            "name: x\nevents:\n  - type: export_ban\n    country: China\n    duration_weeks: 1\n",
            4, "events.0.country", "String should match pattern",
        ),
        (
            "name: x\nevents:\n  - type: transport_disruption\n    hubs: [H]\n"
            "    duration_weeks: 1\n",
            3, "events.0", "capacity_cut > 0 or extra_lead_weeks",
        ),
        ("name: x\nevents: []\n", 2, "events", "at least 1 item"),
    ],
)  # fmt: skip
def test_schema_errors_name_line_and_key(text: str, row: int, column: str, reason: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_scenario(text, "s.yaml")
    err = exc.value
    assert (err.file, err.row, err.column) == ("s.yaml", row, column), str(err)
    assert reason in err.reason


def test_not_a_mapping_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="expected a mapping"):
        parse_scenario("- 1\n- 2\n")
    with pytest.raises(InputError, match="cannot read scenario"):
        load_scenario(tmp_path / "none.yaml")
    with pytest.raises(InputError, match="shipped: "):
        load_scenario("no-such-scenario")
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nevents:\n  - {type: supplier_failure, nodes: [A], "
                    "duration_weeks: 3}\n", encoding="utf-8")  # fmt: skip
    assert load_scenario(path).ttr_weeks == 3


def network() -> Network:
    return Network(
        nodes=[
            node("KUM", region="Kumamoto", lat=32.80, lon=130.71),
            node("OIT", region="Oita", lat=33.24, lon=131.61),  # ~ 100 km from Kumamoto
            node("TOK", region="Tokyo", lat=35.68, lon=139.69),
            node("TW", country="TW", region="Taipei", lat=25.0, lon=121.5),
            node("HUB", NodeKind.LOGISTICS_HUB, "TW", "Kaohsiung", 22.6, 120.3),
            node("M", NodeKind.MEMBER_SITE, region="Tokyo", lat=35.6, lon=139.7),
        ],
        links=[
            Link("KUM", "M", "X", 1, 1), Link("OIT", "M", "X", 1, 1),
            Link("TW", "HUB", "Y", 1, 1), Link("HUB", "M", "Y", 1, 1),
            Link("TW", "TOK", "X", 1, 1), Link("TOK", "M", "Z", 1, 1),
        ],
    ).validate()  # fmt: skip


def down_of(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    net = network()
    tl = timeline(parse_scenario(text), net)
    ids = [n.node_id for n in net.nodes]
    return [ids[i] for i in np.flatnonzero(tl.node_down.any(axis=1))], tl.node_down, tl.link_factor


def test_region_outage_by_radius_prefecture_and_area() -> None:
    hit, down, _ = down_of(
        "name: q\nevents:\n  - type: region_outage\n    center: {lat: 32.79, lon: 130.74}\n"
        "    radius_km: 60\n    start_week: 1\n    duration_weeks: 2\n"
    )
    assert hit == ["KUM"]
    assert down[0].tolist() == [False, True, True, False]  # the last column is "recovered"
    hit, _, _ = down_of(
        "name: q\nevents:\n  - {type: region_outage, regions: [大分県], duration_weeks: 1}\n"
    )
    assert hit == ["OIT"]
    hit, _, _ = down_of(
        "name: q\nevents:\n  - {type: region_outage, regions: [Kyushu], duration_weeks: 1}\n"
    )
    assert hit == ["KUM", "OIT"]


def test_export_ban_and_transport() -> None:
    _, _, factor = down_of(
        "name: b\nevents:\n  - {type: export_ban, country: TW, items: [X], start_week: 1, "
        "duration_weeks: 1}\n"
    )
    assert factor[:, 1].tolist() == [1, 1, 1, 1, 0, 1]  # only TW -> TOK of item X
    _, _, factor = down_of(
        "name: t\nevents:\n  - {type: transport_disruption, countries: [TW], capacity_cut: 0.5,"
        " extra_lead_weeks: 3, duration_weeks: 2}\n"
    )
    # Links leaving TW and links through its hub: a 3-week gap outlasting the 2-week cut.
    assert factor.shape[1] == 4
    assert factor[2].tolist() == [0, 0, 0, 1] and factor[3].tolist() == [0, 0, 0, 1]
    assert factor[0].tolist() == [1, 1, 1, 1]
    _, _, factor = down_of(
        "name: t\nevents:\n  - {type: transport_disruption, hubs: [HUB], capacity_cut: 0.25,"
        " duration_weeks: 1}\n"
    )
    assert factor[:, 0].tolist() == [1, 1, 0.75, 0.75, 1, 1]


def test_unknown_nodes_are_errors() -> None:
    text = (
        "name: u\nevents:\n  - {type: supplier_failure, nodes: [NOPE], duration_weeks: 1}\n"
        "  - {type: transport_disruption, hubs: [NOHUB], capacity_cut: 1, duration_weeks: 1}\n"
    )
    with pytest.raises(InputError) as exc:
        timeline(parse_scenario(text), network())
    assert [e.column for e in exc.value.all_errors] == ["events.0.nodes", "events.1.hubs"]


def test_shipped_scenarios_hit_the_demo_network() -> None:
    from osatnet.demo.generator import generate_registry

    net = generate_network(generate_registry(7), 7)
    for name, scenario in shipped_scenarios().items():
        tl = timeline(scenario, net)
        hit = tl.node_down.any() or (tl.link_factor < 1).any()
        assert hit, name
