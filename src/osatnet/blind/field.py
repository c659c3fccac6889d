"""The number encoding shared by members' clients and the compute nodes.

A value is a fixed-point number: ``round(value * 2**FRACTION_BITS)`` as an integer, reduced
into the prime field of MPyC's secure fixed-point type ``SecFxp(VALUE_BITS, FRACTION_BITS)``.
Whether a member contributes to a cell (its value is positive) is a 0/1 indicator encoded the
same way (``ONE`` is the encoding of 1), so that counts, sums and the rules' comparisons live
in one field. The prime is the one MPyC itself picks for this type
(``find_prime_root(l + f + k + 2)``, ``k`` the statistical security parameter), computed here
without an MPyC runtime so that a member's client needs no network, and checked by the nodes
against their runtime's secure type before any input is used.

``VALUE_BITS`` bounds what the nodes may *compare*: MPyC's comparisons are exact for
``|x| < 2**(VALUE_BITS - 1)`` in fixed point, i.e. 2**79 in real units. Each comparison is
given the bound that the public metadata implies (:func:`comparison_bits`: the number of
records involved times ``MAX_ABS_VALUE``); a table whose bound would not fit is refused rather
than compared wrongly.

Shares are plain Shamir shares of degree ``THRESHOLD`` (1: any two of the three nodes can
reconstruct, one alone learns nothing), evaluated at points ``1 … k`` exactly as MPyC's own
``thresha.np_random_split`` does: party ``i`` (0-based) holds the value at ``i + 1``.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt

from ..errors import InputError
from ._mpyc import finfields, thresha

__all__ = [
    "FRACTION_BITS",
    "MAX_ABS_VALUE",
    "ONE",
    "SECURITY_BITS",
    "THRESHOLD",
    "VALUE_BITS",
    "comparison_bits",
    "decode_fixed",
    "encode_fixed",
    "split",
    "value_modulus",
]

VALUE_BITS = 96  # bit length of a secure fixed-point value (integer part and fraction)
FRACTION_BITS = 16  # resolution 2**-16 ≈ 1.5e-5: finer than any unit the firewall collects
ONE = 1 << FRACTION_BITS  # the encoding of 1 (a contributor indicator)
SECURITY_BITS = 30  # MPyC's default statistical security parameter (its -K option)
THRESHOLD = 1  # Shamir degree: honest majority of three nodes
# Each input stays far below the comparison range (see above): 2**40 ≈ 1.1e12, above any
# yen-per-quarter spend figure the firewall collects.
MAX_ABS_VALUE = float(2**40)

IntArray = npt.NDArray[np.object_]


@functools.cache
def value_modulus() -> int:
    """The prime of ``SecFxp(VALUE_BITS, FRACTION_BITS)`` at the default security parameter."""
    return int(finfields.find_prime_root(VALUE_BITS + FRACTION_BITS + SECURITY_BITS + 2, n=2)[0])


def comparison_bits(bound: int) -> int:
    """Bits MPyC needs to compare numbers of magnitude up to ``bound`` (in fixed point).

    Raises when that exceeds ``VALUE_BITS``: the comparison would silently be wrong.
    """
    bits = int(bound).bit_length() + 2  # sign, and the margin of x - y between two bounds
    if bits > VALUE_BITS:
        raise InputError(
            f"this table needs {bits}-bit comparisons; blind mode compares up to {VALUE_BITS} "
            "bits (too many records in one cell for the input range)"
        )
    return bits


def encode_fixed(value: float) -> int:
    """The fixed-point integer of ``value`` (a Python int, exact, possibly negative)."""
    if not math.isfinite(value):
        raise InputError(f"value must be a finite number, got {value!r}", column="value")
    if abs(value) > MAX_ABS_VALUE:
        raise InputError(f"value {value:g} is beyond ±2**40, the blind mode range", column="value")
    return round(value * (1 << FRACTION_BITS))


def decode_fixed(encoded: int) -> float:
    return encoded / (1 << FRACTION_BITS)


def split(secrets: list[int], modulus: int, parties: int) -> list[list[int]]:
    """Shamir shares of ``secrets`` (signed ints, reduced mod ``modulus``): one row per party.

    Uses MPyC's ``thresha.np_random_split`` (fresh random polynomial per secret, drawn with
    ``secrets.randbelow``), so the nodes' runtime reads the shares as its own.
    """
    if parties < 2 * THRESHOLD + 1:
        raise InputError(f"blind mode needs at least {2 * THRESHOLD + 1} nodes, got {parties}")
    field = finfields.GF(modulus)
    reduced = np.array([s % modulus for s in secrets], dtype=object)
    shares = thresha.np_random_split(field, field.array(reduced), THRESHOLD, parties)
    return [[int(x) for x in row] for row in shares]
