"""Sharing at the source: encoding, Shamir shares, sealing to one node, input checks."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from osatnet.blind._mpyc import finfields, thresha
from osatnet.blind.client import BlindValue, share_values
from osatnet.blind.config import keygen, load_config, write_config
from osatnet.blind.envelope import Opener, Sealer, share_aad, unb64
from osatnet.blind.field import (
    FRACTION_BITS,
    VALUE_BITS,
    comparison_bits,
    decode_fixed,
    encode_fixed,
    split,
    value_modulus,
)
from osatnet.blind.store import ShareStore
from osatnet.errors import ConfigError, InputError


def test_fixed_point_round_trip_and_range() -> None:
    assert encode_fixed(1.5) == 3 << (FRACTION_BITS - 1)
    assert decode_fixed(encode_fixed(1234.56)) == pytest.approx(1234.56, abs=2**-16)
    with pytest.raises(InputError, match="finite"):
        encode_fixed(math.nan)
    with pytest.raises(InputError, match="range"):
        encode_fixed(2.0**41)


def test_any_two_shares_reconstruct_one_alone_is_not_the_secret() -> None:
    modulus = value_modulus()
    secrets = [0, 1, encode_fixed(4321.5), -7]
    shares = split(secrets, modulus, 3)
    field = finfields.GF(modulus)
    for pair in ((0, 1), (0, 2), (1, 2)):
        points = [(i + 1, [field(x) for x in shares[i]]) for i in pair]
        got = [int(v) % modulus for v in thresha.recombine(field, points)]
        assert got == [s % modulus for s in secrets]
    # Degree-1 sharing: a single share is a uniformly random field element.
    assert all(shares[0][j] != secrets[j] % modulus for j in range(len(secrets)))
    with pytest.raises(InputError, match="at least 3"):
        split(secrets, modulus, 2)


def test_a_comparison_wider_than_the_field_allows_is_refused() -> None:
    assert comparison_bits(2**50) == 53  # the magnitude's bits, the sign, a margin
    with pytest.raises(InputError, match="comparisons"):
        comparison_bits(2**VALUE_BITS)


def test_the_field_is_the_one_mpyc_picks() -> None:
    # find_prime_root(l + f + k + 2) for SecFxp(96, 16) at k = 30: a 144-bit prime.
    assert value_modulus().bit_length() == 144


def _node_keys(tmp_path: Path) -> list[bytes]:
    return [unb64(keygen(tmp_path / f"n{i}", i).public_key_b64()) for i in range(3)]


def test_only_the_addressed_node_opens_its_share_and_only_in_place(tmp_path: Path) -> None:
    files = [keygen(tmp_path / f"n{i}", i) for i in range(3)]
    nodes = [("127.0.0.1", 1000 + i, f) for i, f in enumerate(files)]
    configs = [
        load_config(write_config(tmp_path / f"n{i}.toml", i, nodes, store=tmp_path / "s"))
        for i in range(3)
    ]
    keys = [c.me.public_key for c in configs]
    bundles = share_values("M01", "2026Q2", [BlindValue("headcount", 120, "S1", "FC")], keys)
    b0 = bundles[0]
    share = b0["shares"][0]  # type: ignore[index]
    eph = unb64(str(b0["ephemeral"]))
    aad = share_aad("M01", "2026Q2", "headcount", "S1", "FC", 0)
    plain = Opener.of(configs[0].load_private_key(), eph).open(unb64(share["sealed"]), aad)
    assert len(plain) == 48
    with pytest.raises(ConfigError, match="failed authentication"):
        Opener.of(configs[1].load_private_key(), eph).open(unb64(share["sealed"]), aad)
    for moved in (
        share_aad("M02", "2026Q2", "headcount", "S1", "FC", 0),
        share_aad("M01", "2026Q3", "headcount", "S1", "FC", 0),
        share_aad("M01", "2026Q2", "headcount", "S2", "FC", 0),
        share_aad("M01", "2026Q2", "headcount", "S1", "FC", 1),
    ):
        with pytest.raises(ConfigError):
            Opener.of(configs[0].load_private_key(), eph).open(unb64(share["sealed"]), moved)


def test_sealer_uses_a_fresh_ephemeral_key_each_time(tmp_path: Path) -> None:
    key = _node_keys(tmp_path)[0]
    assert Sealer.to(key).ephemeral != Sealer.to(key).ephemeral


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (BlindValue("weekly_capacity", -1.0, "S1", "FC"), "at least 0"),
        (BlindValue("utilisation_pct", 101.0, "S1", "FC"), "at most 100"),
        (BlindValue("weekly_capacity", math.nan, "S1", "FC"), "must be a number"),
        (BlindValue("unit_cost_total", 5.0, "S1", "FC"), "computed measure"),
        (BlindValue("no_such_measure", 5.0), "unknown"),
    ],
)
def test_the_client_refuses_out_of_range_values(
    tmp_path: Path, value: BlindValue, why: str
) -> None:
    with pytest.raises(InputError, match=why):
        share_values("M01", "2026Q2", [value], _node_keys(tmp_path))


def test_the_store_replaces_a_resent_upload_and_refuses_odd_names(tmp_path: Path) -> None:
    keys = _node_keys(tmp_path)
    store = ShareStore(tmp_path / "store")
    for v in (10.0, 20.0):
        for b in share_values("M01", "2026Q2", [BlindValue("headcount", v, "S1", "FC")], keys):
            store.put(b)
    assert store.members("2026Q2") == ["M01"]
    assert len(list(store.bundles("2026Q2", 1))) == 1
    with pytest.raises(InputError):
        store.path("../etc", "M01", 0)
