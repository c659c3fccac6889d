"""Validity of the members' inputs, checked by the nodes on the shares before anything else.

A member's client checks its values (:mod:`.client`), but the nodes cannot trust a client: a
modified one can share any field element as a value and as its contributor indicator. Before
any sum, count or rule is computed, the nodes check in MPC, for every record (value ``x`` and
indicator ``b``, both fixed-point encodings, :mod:`.field`)::

    lo ≤ x ≤ hi     lo = the measure's low · 2^16, hi = min(high, 2^40) · 2^16
    b = 2^16 · [x > 0]     (the encoding of 1 exactly when the value is positive, else 0)

(``2^40`` is the client's cap, on which the rules' comparison bounds rely). With ``lo = 0`` and
``β = b / 2^16`` this is: ``b·(b − 2^16) = 0`` (``β`` is a bit), ``(2^16 − b)·x = 0`` (a zero
indicator only for a zero value) and ``x − β ∈ [0, 2^l)`` (non-negative, positive when
``β = 1``), plus ``hi − x ≥ 0`` unless ``2^l = hi`` already bounds ``x``: for a capacity
(``hi = 2^56``) one comparison per record, for a percentage two narrow ones (``l = 23``).

**Why a comparison is sound on a forged input.** MPyC's ``np_sgn(a, l, LT=True)`` opens
``a + 2^l + r`` (``r`` random, ``l + k`` bits) and returns ``(m − a) / 2^l`` in the field,
``m`` the low ``l`` bits of the opened value minus those of ``r``: exactly ``[a < 0]`` when
the signed value of ``a`` lies in ``[−2^l, 2^l)``, and ``−⌊â / 2^l⌋`` for some ``â ≡ a``
otherwise — never 0 or 1. So "the result is 0" proves ``a ∈ [0, 2^l)`` for *any* field
element (``tests/blind/test_blind_validity.py`` pins this behaviour of MPyC). Every check
above is "this secret is exactly 0"; an honest record makes every one of them 0, always.

**What is revealed.** The nodes draw a public random point ``s`` (each adds a random number:
one honest node makes it uniform) after the checks are computed, and open only whether
``Σ s^j·e_j`` over all the checks ``e_j`` is zero (MPyC's ``np_is_zero_public``: a random
multiple, 0 or uniformly random): **one bit**, "all records valid", wrong with probability at
most (number of checks)/p ≈ 2^−130. Only if that bit is 0 do they open, per record, whether
its checks combine to zero: one bit per record, always 1 for an honest member's records, so
nothing about honest values; about an invalid record, that it is invalid (and whatever the
comparisons' masked openings show of a far-out forged value). Then every node raises
:class:`InvalidInput` naming the members and places, and nothing else is computed.

Before that, each node checks locally that its shares are field elements (below ``p``) and
the nodes exchange the positions of those that are not: a format error, named the same way.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import InputError
from ..vault.measures import DERIVED, MEASURES
from .field import MAX_ABS_VALUE, ONE
from .job import BlindJob
from .layout import Layout

__all__ = ["InputRange", "InvalidInput", "check_inputs", "input_range"]

ObjArray = npt.NDArray[np.object_]
_NAMED = 20  # records listed in an error message; the rest are counted


class InvalidInput(InputError):
    """Some member's shares are not a valid input: the nodes stop before computing anything."""

    def __init__(self, reason: str, offenders: Sequence[tuple[str, str]]) -> None:
        self.offenders = list(offenders)  # (member, where the record was reported)
        super().__init__(reason)


@dataclass(frozen=True)
class InputRange:
    """The valid encodings ``[low, high]`` of a measure and the comparisons that check them."""

    low: int
    high: int
    bits: int  # l: the lower comparison accepts x - low (- β) in [0, 2**l)
    upper: bool  # also compare high - x: 2**l alone does not stop at high


def input_range(low: float, high: float | None) -> InputRange:
    cap = int(MAX_ABS_VALUE) * ONE
    lo = round(low * ONE)
    hi = cap if high is None else min(round(high * ONE), cap)
    if lo < 0:
        # The rules (largest contributions, zero padding) assume values are never negative.
        raise InputError(f"blind mode takes measures that are never negative, low is {low:g}")
    if hi <= lo:
        raise InputError(f"empty value range [{low:g}, {high}]")
    # lo = 0: x - β, in [0, hi - 1] for an honest record (β = 1 exactly when x > 0).
    top = hi - 1 if lo == 0 else hi - lo
    bits = max(top.bit_length(), 1)
    return InputRange(lo, hi, bits, upper=(1 << bits) - 1 > top)


def _describe(key: str) -> str:
    site, _, process = key.partition("|")
    parts = [f"site {site}" if site else "", f"process {process}" if process else ""]
    return ", ".join(p for p in parts if p) or "member level"


def record_places(layout: Layout, job: BlindJob) -> list[str]:
    """Where each record was reported, for error messages.

    A node reads a member's records from its bundle in (site, process) order
    (:func:`.node.open_shares`); the job lists the same places. Should they not line up,
    a record is named by its table coordinates instead.
    """
    out: list[str] = []
    start = 0
    for member, group in itertools.groupby(layout.members):
        count = len(list(group))
        places = job.locations.get(member, {})
        keys = sorted(places, key=lambda k: tuple(k.split("|", 1)))
        coords = layout.coords[start : start + count]
        if len(keys) == count and all(
            tuple(places[k][d] for d in job.by) == c for k, c in zip(keys, coords, strict=True)
        ):
            out += [_describe(k) for k in keys]
        else:
            out += [", ".join(f"{d} {v}" for d, v in zip(job.by, c, strict=True)) for c in coords]
        start += count
    return out


def _offenders(layout: Layout, job: BlindJob, records: Sequence[int]) -> list[tuple[str, str]]:
    places = record_places(layout, job)
    return [(layout.members[r], places[r]) for r in records]


def _listing(offenders: Sequence[tuple[str, str]]) -> str:
    text = "; ".join(f"{m} ({where})" for m, where in offenders[:_NAMED])
    more = len(offenders) - _NAMED
    return text + (f"; and {more} more" if more > 0 else "")


def _outside(shares: ObjArray, p: int) -> npt.NDArray[np.bool_]:
    ok = [isinstance(v, int | np.integer) and 0 <= int(v) < p for v in shares]
    return ~np.array(ok, dtype=np.bool_)


def _powers(s: int, count: int, p: int) -> ObjArray:
    out = np.empty(count, dtype=object)
    acc = 1
    for i in range(count):
        out[i] = acc
        acc = acc * s % p
    return out


async def check_inputs(
    rt: Any, secfxp: Any, layout: Layout, values: ObjArray, present: ObjArray, job: BlindJob
) -> None:
    """Return if every record is valid; else raise :class:`InvalidInput` on every node."""
    m = MEASURES.get(job.measure)
    if m is None or job.measure in DERIVED:
        raise InputError(f"blind mode takes a submitted measure, not {job.measure!r}")
    rng = input_range(m.low, m.high)
    field = secfxp.field
    p = int(field.modulus)
    n = values.size

    # A share at or above p is not a field element: MPyC would silently reduce it.
    mine = np.flatnonzero(_outside(values, p) | _outside(present, p)).tolist()
    malformed = sorted(set().union(*(set(r) for r in await rt.transfer(mine))))
    if malformed:
        who = _offenders(layout, job, malformed)
        raise InvalidInput(
            f"malformed shares (not elements of the field) for {job.measure} from "
            f"{_listing(who)}; nothing was computed or revealed",
            who,
        )

    # Local, linear steps on this node's shares (adding a public constant to every share
    # adds it to the secret); MPC only for the comparisons and the two products.
    x = np.asarray(values, dtype=object)
    b = np.asarray(present, dtype=object)
    beta = b * pow(ONE, -1, p) % p  # the indicator as 0/1 rather than 0/2**16
    lower = (x - rng.low - (beta if rng.low == 0 else 0)) % p
    diffs = [lower, (rng.high - x) % p] if rng.upper else [lower]
    below = rt.np_sgn(
        secfxp.array(field.array(np.concatenate(diffs)), integral=False), l=rng.bits, LT=True
    )
    # integral=True on the left: MPyC then divides the product by 2**16 exactly (a field
    # inverse), which keeps "is zero" intact for any input, instead of a rounding truncation.
    left = secfxp.array(field.array(np.concatenate([b, (ONE - b) % p])), integral=True)
    right = secfxp.array(field.array(np.concatenate([(b - ONE) % p, x])), integral=False)
    products = left * right  # b·(b − 1), (1 − b)·x: zero for a valid record
    checks = np.concatenate(
        [(await rt.gather(below)).value, (await rt.gather(products)).value]
    ).reshape(-1, n)

    # Drawn once the checks are fixed; one honest node's summand makes it uniform.
    s = sum(int(v) for v in await rt.transfer(secrets.randbelow(p))) % p
    k = checks.shape[0]
    per_record = np.asarray(np.dot(_powers(s, k, p), checks) % p, dtype=object)
    total = int(np.dot(_powers(pow(s, k, p), n, p), per_record)) % p  # distinct powers of s
    ok = await rt.np_is_zero_public(secfxp.array(field.array(np.array([total], dtype=object))))
    if bool(ok[0]):
        return
    valid = await rt.np_is_zero_public(secfxp.array(field.array(per_record)))
    who = _offenders(layout, job, np.flatnonzero(~np.asarray(valid, dtype=np.bool_)).tolist())
    capped = m.high is None or rng.high == int(MAX_ABS_VALUE) * ONE
    bound = "2^40 ≈ 1.1e12 (the blind-mode cap)" if capped else f"{m.high:g}"
    raise InvalidInput(
        f"invalid inputs for {job.measure}, checked on the shares: {_listing(who)}. A value "
        f"must lie in [{m.low:g}, {bound}] {m.unit} with its contributor indicator 1 exactly "
        "when it is positive (a modified client?); nothing was computed or revealed",
        who,
    )
