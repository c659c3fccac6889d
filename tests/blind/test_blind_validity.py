"""The nodes check every member's inputs on the shares before computing anything.

A *modified client* is simulated by sealing hand-made shares (any field element as a value or
an indicator) with the same envelope as the real client. In one process (MPyC with a single
party: the same secure code, a share is the value itself) many cases are checked against the
definition; with three node processes over TLS, forged uploads stop every node with an error
naming each offending member and place, and no node writes a result.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from osatnet.blind._mpyc import mpyc_argv
from osatnet.blind.client import BlindValue, share_values
from osatnet.blind.cluster import LocalCluster
from osatnet.blind.config import load_config
from osatnet.blind.envelope import FORMAT, SHARE_BYTES, Sealer, b64, share_aad
from osatnet.blind.field import FRACTION_BITS, ONE, split, value_modulus
from osatnet.blind.job import BlindJob, location_key
from osatnet.blind.layout import Layout
from osatnet.blind.node import open_shares
from osatnet.blind.protocol import _secfxp
from osatnet.blind.store import ShareStore
from osatnet.blind.validity import InvalidInput, check_inputs, input_range
from osatnet.errors import ConfigError, InputError
from osatnet.vault.measures import MEASURES, Level, Measure

from .conftest import PERIOD, Row, job_for, make_rows, upload

P = value_modulus()
CAP = 2**56  # the client's cap 2**40, encoded
PCT = 100 * ONE  # 100 %, encoded


def _signed(v: int) -> int:
    v %= P
    return v - P if v > P // 2 else v


@pytest.fixture(scope="module")
def runtime() -> Iterator[Any]:
    with mpyc_argv([]):
        from mpyc import runtime as mpyc_runtime  # type: ignore[import-untyped]
    with mpyc_argv([]):
        yield mpyc_runtime.setup()


def _alone(rt: Any, work: Any) -> Any:
    async def main() -> Any:
        await rt.start()
        try:
            return await work()
        finally:
            await rt.shutdown()

    return rt.run(main())


# -- the comparison the checks rely on ------------------------------------------------------
@pytest.mark.parametrize("bits", [23, 56])
def test_mpyc_comparison_is_a_bit_exactly_on_its_range(runtime: Any, bits: int) -> None:
    """Pins MPyC's np_sgn(a, l, LT=True) on *any* field element: [a < 0] when the signed a is
    in [-2**l, 2**l), never 0 or 1 outside (what makes "result = 0" a range proof)."""
    rng = random.Random(bits)
    edge = [0, 1, -1, 2**bits - 1, 2**bits, -(2**bits), -(2**bits) - 1, 2 ** (bits + 1)]
    edge += [P - 1, P // 2, P // 2 + 1, 2**100, -(2**100), 2**143]
    xs = edge + [rng.randrange(P) for _ in range(200)] + [rng.randrange(-(2**bits), 2**bits)
                                                          for _ in range(200)]  # fmt: skip

    async def work() -> Any:
        secfxp = _secfxp(runtime)
        a = secfxp.array(secfxp.field.array(np.array([x % P for x in xs], dtype=object)))
        return await runtime.gather(runtime.np_sgn(a, l=bits, LT=True))

    got = [int(v) for v in _alone(runtime, work).value]
    for x, t in zip(xs, got, strict=True):
        s = _signed(x)
        if -(2**bits) <= s < 2**bits:
            assert t == ONE * (s < 0), x
        else:
            assert t not in (0, ONE), x


def test_input_range_per_measure() -> None:
    capacity = input_range(MEASURES["weekly_capacity"].low, MEASURES["weekly_capacity"].high)
    assert (capacity.low, capacity.high, capacity.bits, capacity.upper) == (0, CAP, 56, False)
    pct = input_range(0.0, 100.0)  # x - β < 2**23 does not stop at 100 %: compare both ends
    assert (pct.low, pct.high, pct.bits, pct.upper) == (0, PCT, 23, True)
    assert input_range(0.0, 2.0**50).high == CAP  # the cap wins
    with pytest.raises(InputError, match="never negative"):
        input_range(-1.0, 5.0)


# -- in one process: every kind of forged record -------------------------------------------
def _check(rt: Any, measure: str, records: list[tuple[int, int]]) -> set[int]:
    """Run the nodes' check on (value, indicator) encodings; the records it names."""
    members = [f"M{i:03d}" for i in range(len(records))]
    locations = {m: {location_key(f"{m}-S0", "FC"): {"process": "FC"}} for m in members}
    job = BlindJob(PERIOD, measure, ("process",), locations)
    layout = Layout.build(job.by, members, [("FC",)] * len(members))
    x = np.array([v % P for v, _ in records], dtype=object)
    b = np.array([i % P for _, i in records], dtype=object)
    try:
        _alone(rt, lambda: check_inputs(rt, _secfxp(rt), layout, x, b, job))
    except InvalidInput as exc:
        assert all(where == f"site {m}-S0, process FC" for m, where in exc.offenders)
        return {members.index(m) for m, _ in exc.offenders}
    return set()


def _valid(x: int, b: int, low: int, high: int) -> bool:
    s = _signed(x)
    return low <= s <= high and b % P == ONE * (s > 0)


def _cases(low: int, high: int, seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    cases = [
        (0, 0), (1, ONE), (high, ONE), (high + 1, ONE), (low - 1, 0), (-ONE, 0), (-ONE, ONE),
        (5 * ONE, 2 * ONE),  # indicator 2
        (0, ONE),  # indicator 1, value 0
        (5 * ONE, 0), (5 * ONE, 1), (5 * ONE, -ONE), (0, P - 1), (P - 1, 0), (2**100, ONE),
        (P // 2, ONE), (CAP + 1, ONE), (2 * CAP, ONE), (high + 2**23, ONE),
    ]  # fmt: skip
    for _ in range(60):
        v = rng.choice([rng.randrange(low, high + 1), rng.randrange(P), high + rng.randrange(9)])
        b = rng.choice([ONE * (_signed(v) > 0), ONE, 0, rng.randrange(P)])
        cases.append((v, b))
    return cases


@pytest.mark.parametrize(("measure", "high"), [("weekly_capacity", CAP), ("utilisation_pct", PCT)])
def test_one_party_check_names_exactly_the_invalid_records(
    runtime: Any, measure: str, high: int
) -> None:
    cases = _cases(0, high, seed=len(measure))
    expected = {i for i, (v, b) in enumerate(cases) if not _valid(v, b, 0, high)}
    assert 10 < len(expected) < len(cases) - 10  # both kinds, plenty of each
    assert _check(runtime, measure, cases) == expected


def test_a_range_above_zero_needs_no_zero_indicator(
    runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(MEASURES, "test_band", Measure("test_band", Level.SITE, "x", "", 1.0, 9.0))
    low, high = ONE, 9 * ONE
    cases = [*_cases(low, high, seed=5), (low, ONE), (low, 0), (low - 1, ONE), (high, ONE)]
    expected = {i for i, (v, b) in enumerate(cases) if not _valid(v, b, low, high)}
    assert _check(runtime, "test_band", cases) == expected


class _Spy:
    """The runtime, recording what the check opens (MPyC's own internals call the real one)."""

    def __init__(self, rt: Any) -> None:
        self.rt = rt
        self.opened: list[tuple[str, int]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rt, name)

    def np_is_zero_public(self, a: Any) -> Any:
        self.opened.append(("zero test", a.size))
        return self.rt.np_is_zero_public(a)

    def output(self, a: Any) -> Any:
        self.opened.append(("output", getattr(a, "size", 1)))
        return self.rt.output(a)


def test_honest_records_pass_and_reveal_one_bit(runtime: Any) -> None:
    rng = random.Random(1)
    values = [0.0, 2.0**40, 1.5e-5, *(round(rng.uniform(0, 1e6), 2) for _ in range(300))]
    cases = [(round(v * ONE), ONE * (v > 0)) for v in values]
    spy = _Spy(runtime)
    assert _check(spy, "weekly_capacity", cases) == set()
    assert spy.opened == [("zero test", 1)]  # "all valid": one bit


def test_a_share_that_is_not_a_field_element_is_a_format_error(runtime: Any) -> None:
    job = BlindJob(PERIOD, "weekly_capacity", ("process",), {})
    layout = Layout.build(job.by, ["M01", "M02"], [("FC",), ("FC",)])
    x = np.array([5 * ONE, P + 3], dtype=object)
    b = np.array([ONE, ONE], dtype=object)
    with pytest.raises(InvalidInput, match=r"malformed shares .* M02 \(process FC\)") as exc:
        _alone(runtime, lambda: check_inputs(runtime, _secfxp(runtime), layout, x, b, job))
    assert [m for m, _ in exc.value.offenders] == ["M02"]


# -- three node processes ------------------------------------------------------------------
Forged = tuple[str, str, int, int]  # site, process, value encoding, indicator encoding


def forge(cluster: LocalCluster, member: str, measure: str, records: list[Forged]) -> None:
    """What a modified client uploads: shares of anything, sealed exactly like the real ones."""
    values = split([v for _, _, v, _ in records], P, cluster.size)
    present = split([b for _, _, _, b in records], P, cluster.size)
    for node, key in enumerate(cluster.public_keys):
        sealer = Sealer.to(key)
        shares = []
        for j, (site, process, _, _) in enumerate(records):
            plain = b"".join(
                s.to_bytes(SHARE_BYTES, "big") for s in (values[node][j], present[node][j])
            )
            aad = share_aad(member, PERIOD, measure, site, process, node)
            shares.append({"measure": measure, "site": site, "process": process,
                           "sealed": b64(sealer.seal(plain, aad))})  # fmt: skip
        ShareStore(cluster.store).put(
            {"format": FORMAT, "member": member, "period": PERIOD, "node": node,
             "value_modulus": str(P), "fraction_bits": FRACTION_BITS,
             "ephemeral": b64(sealer.ephemeral), "shares": shares}
        )  # fmt: skip


def _run_rejected(cluster: LocalCluster, job: BlindJob) -> list[str]:
    procs = cluster.start(job)
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [2, 2, 2], errors
    assert not any(cluster.result_path(i).exists() for i in range(cluster.size))
    return errors


def test_nodes_reject_forged_capacities_naming_every_offender(cluster: LocalCluster) -> None:
    honest = make_rows(6, seed=7)
    upload(cluster, honest)
    at_cap = Row("M80", "M80-S0", "P0", "R0", 2.0**40)  # the largest valid value
    upload(cluster, [at_cap])
    forged: dict[str, list[Forged]] = {
        "M90": [("M90-S0", "P0", -5 * ONE, 0)],  # negative capacity
        "M91": [("M91-S0", "P1", 100 * ONE, 2 * ONE)],  # indicator 2
        "M92": [("M92-S0", "P1", 0, ONE)],  # indicator 1, value 0
        "M93": [("M93-S0", "P2", 2**41 * ONE, ONE)],  # beyond the cap
        "M94": [("M94-S0", "P0", 10 * ONE, ONE), ("M94-S1", "P2", 50 * ONE, 0)],  # 2nd: b = 0
        "M95": [("M95-S0", "P1", random.Random(1).randrange(P), ONE)],  # any field element
    }
    rows = [*honest, at_cap]
    for member, records in forged.items():
        forge(cluster, member, "weekly_capacity", records)
        rows += [Row(member, site, process, "R1", 0.0) for site, process, _, _ in records]
    for err in _run_rejected(cluster, job_for(rows)):
        assert "error: invalid inputs for weekly_capacity, checked on the shares" in err, err
        assert "nothing was computed or revealed" in err
        for member, records in forged.items():
            for site, process, _, _ in records[-1:]:
                assert f"{member} (site {site}, process {process})" in err, err
        assert "M94-S0" not in err  # its valid record is not named
        assert not any(f"{r.member} (" in err for r in [*honest, at_cap]), err


def test_nodes_reject_a_utilisation_above_100_percent(cluster: LocalCluster) -> None:
    honest = [Row(r.member, r.site, r.process, r.region, round(r.value / 50, 2))
              for r in make_rows(6, seed=9)]  # fmt: skip
    by_member: dict[str, list[BlindValue]] = {}
    for r in [*honest, Row("M80", "M80-S0", "P1", "R0", 100.0)]:
        by_member.setdefault(r.member, []).append(
            BlindValue("utilisation_pct", r.value, r.site, r.process)
        )
    for member, values in by_member.items():
        for bundle in share_values(member, PERIOD, values, cluster.public_keys):
            ShareStore(cluster.store).put(bundle)
    forge(cluster, "M90", "utilisation_pct", [("M90-S0", "P0", 150 * ONE, ONE)])
    base = job_for([*honest, Row("M80", "M80-S0", "P1", "R0", 100.0),
                    Row("M90", "M90-S0", "P0", "R2", 0.0)])  # fmt: skip
    job = BlindJob(PERIOD, "utilisation_pct", base.by, base.locations, min_contributors=3)
    for err in _run_rejected(cluster, job):
        assert "error: invalid inputs for utilisation_pct" in err, err
        assert "M90 (site M90-S0, process P0)" in err and "[0, 100] %" in err
        assert "M80" not in err  # exactly 100 % is valid


def test_a_share_of_the_wrong_length_is_refused_when_opened(cluster: LocalCluster) -> None:
    rows = make_rows(3, seed=1)
    upload(cluster, rows)
    sealer = Sealer.to(cluster.public_keys[0])
    aad = share_aad("M77", PERIOD, "weekly_capacity", "M77-S0", "P0", 0)
    ShareStore(cluster.store).put(
        {"format": FORMAT, "member": "M77", "period": PERIOD, "node": 0,
         "value_modulus": str(P), "fraction_bits": FRACTION_BITS,
         "ephemeral": b64(sealer.ephemeral),
         "shares": [{"measure": "weekly_capacity", "site": "M77-S0", "process": "P0",
                     "sealed": b64(sealer.seal(bytes(2 * SHARE_BYTES + 1), aad))}]}
    )  # fmt: skip
    job = job_for([*rows, Row("M77", "M77-S0", "P0", "R0", 1.0)])
    with pytest.raises(ConfigError, match=r"M77's share at M77-S0\|P0 is malformed \(49 bytes\)"):
        open_shares(load_config(cluster.configs[0]), job)


def test_a_forged_upload_opens_like_the_clients(tmp_path: Path) -> None:
    """The helper itself: what it seals, a node opens as it opens a real client's upload."""
    cluster = LocalCluster(tmp_path).setup()
    forge(cluster, "M01", "weekly_capacity", [("M01-S0", "P0", 7 * ONE, ONE)])
    job = job_for([Row("M01", "M01-S0", "P0", "R0", 7.0)])
    data = open_shares(load_config(cluster.configs[0]), job)
    assert data.values.size == 1 and data.layout.members == ("M01",)
