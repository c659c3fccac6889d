"""Sharing at the source: a member's client turns submission values into sealed shares.

For each value the client computes, on the member's own machine:

* the fixed-point encoding ``round(value * 2**16)`` (:mod:`.field`) and a 0/1 indicator
  ``value > 0``, encoded the same way (the firewall counts a member as a contributor only
  for a positive value);
* Shamir shares of both, one per node (degree 1: a single node's share is uniformly random);
* each node's shares sealed to that node's X25519 public key (:mod:`.envelope`), bound to
  member, period, measure, site, process and node.

Values are checked against the measure's range before anything leaves the client (a negative
capacity or a utilisation above 100 % is refused). A modified client could still send shares
of anything: the nodes check the same ranges and the indicator again, on the shares, before
computing (:mod:`.validity`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InputError
from ..vault.measures import DERIVED, MEASURES
from .envelope import FORMAT, SHARE_BYTES, Sealer, b64, share_aad
from .field import FRACTION_BITS, ONE, encode_fixed, split, value_modulus

__all__ = ["BlindValue", "share_values"]


@dataclass(frozen=True)
class BlindValue:
    """One submitted value: where it belongs (public metadata) and the value (secret)."""

    measure: str
    value: float
    site_id: str | None = None
    process: str | None = None


def _check(v: BlindValue) -> None:
    m = MEASURES.get(v.measure)
    if m is None or v.measure in DERIVED:
        raise InputError(f"unknown or computed measure {v.measure!r}", column="measure")
    if not math.isfinite(v.value):
        raise InputError(f"{v.measure} must be a number, got {v.value!r}", column="value")
    if v.value < m.low or (m.high is not None and v.value > m.high):
        upper = f" and at most {m.high:g}" if m.high is not None else ""
        raise InputError(
            f"{v.measure} must be at least {m.low:g}{upper} ({m.unit}), got {v.value:g}",
            column="value",
        )


def share_values(
    member: str, period: str, values: Sequence[BlindValue], node_keys: Sequence[bytes]
) -> list[dict[str, object]]:
    """One sealed bundle per node (in node order), ready for :meth:`ShareStore.put`."""
    if not values:
        raise InputError("nothing to share")
    seen: set[tuple[str, str | None, str | None]] = set()
    for v in values:
        _check(v)
        key = (v.measure, v.site_id, v.process)
        if key in seen:
            raise InputError(f"duplicate value for {v.measure} at {v.site_id}/{v.process}")
        seen.add(key)
    k = len(node_keys)
    value_shares = split([encode_fixed(v.value) for v in values], value_modulus(), k)
    present_shares = split([ONE * (v.value > 0) for v in values], value_modulus(), k)
    bundles: list[dict[str, object]] = []
    for node, public in enumerate(node_keys):
        sealer = Sealer.to(public)
        sealed = []
        for j, v in enumerate(values):
            pair = (value_shares[node][j], present_shares[node][j])
            plain = b"".join(x.to_bytes(SHARE_BYTES, "big") for x in pair)
            aad = share_aad(member, period, v.measure, v.site_id, v.process, node)
            sealed.append(
                {
                    "measure": v.measure,
                    "site": v.site_id or "",
                    "process": v.process or "",
                    "sealed": b64(sealer.seal(plain, aad)),
                }
            )
        bundles.append(
            {
                "format": FORMAT,
                "member": member,
                "period": period,
                "node": node,
                "value_modulus": str(value_modulus()),
                "fraction_bits": FRACTION_BITS,
                "ephemeral": b64(sealer.ephemeral),
                "shares": sealed,
            }
        )
    return bundles
