"""The table model: cells with margins, contributors summed per member, additivity."""

from __future__ import annotations

import numpy as np
import pytest

from osatnet.errors import InputError
from osatnet.vault.sdc import TOTAL, build_table


def _records(rows: list[tuple[str, str, str, float]]) -> dict[str, list[object]]:
    return {
        "contributor": [r[0] for r in rows],
        "process": [r[1] for r in rows],
        "region": [r[2] for r in rows],
        "value": [r[3] for r in rows],
    }


ROWS = [
    ("m1", "sort", "JP", 30.0),
    ("m1", "sort", "JP", 30.0),  # a second site of m1 in the same cell
    ("m2", "sort", "JP", 20.0),
    ("m3", "sort", "MY", 5.0),
    ("m2", "test", "MY", 7.0),
    ("m4", "test", "JP", 0.0),  # reports zero: not a contributor
]


def test_cells_margins_and_per_member_sums() -> None:
    t = build_table(_records(ROWS), ["process", "region"])
    assert t.labels == (("sort", "test", TOTAL), ("JP", "MY", TOTAL))
    assert t.shape == (3, 3) and t.num_cells == 9
    cell = t.cell_index("sort", "JP")
    assert t.value[cell] == 80.0
    assert t.contributors[cell] == 2  # m1's two sites are one contributor
    assert (t.largest[cell], t.second[cell], t.top_n[cell]) == (60.0, 20.0, 80.0)
    jp = t.cell_index(TOTAL, "JP")
    assert t.value[jp] == 80.0 and t.contributors[jp] == 2  # m4 reported 0
    assert t.contributors[t.cell_index("test", "JP")] == 0  # structural zero
    assert t.empty[t.cell_index("test", "JP")]
    grand = t.cell_index(TOTAL, TOTAL)
    assert t.value[grand] == 92.0
    assert t.contributors[grand] == 3
    # m2 is in two cells; in the grand total its parts add up: 20 + 7.
    assert (t.largest[grand], t.second[grand]) == (60.0, 27.0)
    assert t.cell_labels(grand) == (TOTAL, TOTAL)
    assert t.coords.shape == (9, 2)


def test_additivity_relations_hold_and_count() -> None:
    t = build_table(_records(ROWS), ["process", "region"])
    # One row per line: 3 lines along process (one per region level) and 3 along region.
    assert t.relations.shape == (6, 9)
    assert np.allclose(t.relations @ t.value, 0.0)
    rng = np.random.default_rng(1)
    n = 200
    data = {
        "contributor": rng.integers(0, 9, n),
        "a": rng.integers(0, 3, n),
        "b": rng.integers(0, 4, n),
        "c": rng.integers(0, 2, n),
        "d": rng.integers(0, 2, n),
        "value": rng.random(n),
    }
    t4 = build_table(data, ["a", "b", "c", "d"], dominance_n=3)
    assert t4.num_cells == 4 * 5 * 3 * 3
    assert np.allclose(t4.relations @ t4.value, 0.0)
    assert t4.value[-1] == pytest.approx(data["value"].sum())
    assert np.all(t4.top_n >= t4.largest + t4.second - 1e-12)


def test_declared_levels_give_empty_cells() -> None:
    t = build_table(_records(ROWS), ["process", "region"], levels={"region": ["MY", "JP", "TW"]})
    assert t.labels[1] == ("MY", "JP", "TW", TOTAL)
    tw = t.cell_index(TOTAL, "TW")
    assert t.value[tw] == 0.0 and t.contributors[tw] == 0
    assert t.value[t.cell_index("sort", "MY")] == 5.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"value": [1.0, -1.0, 0, 0, 0, 0]}, "finite and >= 0"),
        ({"value": [1.0, float("nan"), 0, 0, 0, 0]}, "finite and >= 0"),
        ({"region": ["JP", "TOTAL", "JP", "JP", "JP", "JP"]}, "reserved"),
        ({"region": ["JP"]}, "entries"),
    ],
)
def test_bad_records(change: dict[str, list[object]], message: str) -> None:
    data = {**_records(ROWS), **change}
    with pytest.raises(InputError, match=message):
        build_table(data, ["process", "region"])


def test_bad_shapes() -> None:
    data = _records(ROWS)
    with pytest.raises(InputError, match="1 to 4"):
        build_table(data, [])
    with pytest.raises(InputError, match="repeat"):
        build_table(data, ["region", "region"])
    with pytest.raises(InputError, match="missing column"):
        build_table(data, ["country"])
    with pytest.raises(InputError, match="dominance_n"):
        build_table(data, ["region"], dominance_n=0)
    with pytest.raises(InputError, match="undeclared level 'MY'"):
        build_table(data, ["region"], levels={"region": ["JP"]})
    with pytest.raises(InputError, match="no level"):
        build_table(data, ["region"], levels={"region": []})
    with pytest.raises(InputError, match="repeat"):
        build_table(data, ["region"], levels={"region": ["JP", "JP", "MY"]})
    t = build_table(data, ["region"])
    with pytest.raises(InputError, match="expected 1 labels"):
        t.cell_index("JP", "sort")
    with pytest.raises(InputError, match="unknown level"):
        t.cell_index("TW")
