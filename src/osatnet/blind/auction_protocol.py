"""The secure grid clearing, run by every node on its own shares of the members' schedules.

All markets are cleared at once, as MPyC secure arrays of shape (markets, …), in secure
integers over the members' field (:mod:`.field`; quantities are whole units):

1. **Sums** — ``D = Σ d_i`` and ``S = Σ s_i`` per market and grid point: local (linear).
2. **Crossing** — ``k0``, the first grid point where supply exceeds demand, by a binary
   search whose probes are secure comparisons and *stay secret*: the search carries a secret
   one-hot vector over the candidate prefixes, reads the probed ``D - S`` with a secure inner
   product, and splits the one-hot by the secret comparison bit. ``log2 K`` comparisons per
   market instead of ``K``, and nothing is opened. ``D`` only falls and ``S`` only rises, so
   ``V = max_k min(D, S) = max(S(k0 - 1), D(k0))``: two inner products and one comparison.
3. **Marginal points** — the same search finds ``top + 1`` (first ``D < V``) and ``bottom``
   (first ``S ≥ V``); they run concurrently. The arrays are padded to a power of two past the
   grid with values that keep every predicate monotone.
4. **Revealed to the nodes**, per market: whether anything trades (``V ≥ 1``), then, for
   markets that trade, ``g_top + g_bottom`` (twice the price; public grid codes times the
   secret one-hot vectors, local). Nothing else: not ``V``, not ``top`` or ``bottom`` apart.
5. **Each member's quantities** — in full beyond the margin, pro rata at it::

       bought_i = d_i(top+1) + (d_i(top) - d_i(top+1)) · (V - D(top+1)) / (D(top) - D(top+1))

   (sold likewise at ``bottom``), as the field element ``a · room⁻¹``: ``room⁻¹`` by MPyC's
   reciprocal (it opens ``room · r`` for a secret random ``r``: uniformly random), the
   products are resharing multiplications, so each node's share is a fresh random share. The
   nodes never open them: each seals its share to the member (:mod:`.auction_node`).

Comparisons are told their public range: every compared value is at most
``2 · members · 2**40`` in absolute value (the clients' cap on a schedule).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError, InputError
from .auction import MAX_MEMBERS, MAX_QUANTITY
from .field import FRACTION_BITS, VALUE_BITS, comparison_bits, value_modulus

__all__ = ["Cleared", "clear"]

ObjArray = npt.NDArray[np.object_]


@dataclass(frozen=True, eq=False)
class Cleared:
    """What the nodes learned (prices), and this node's shares of the members' quantities."""

    prices: list[float | None]  # per market; None: nothing trades
    bought: ObjArray  # (members, markets), this node's shares (field elements as ints)
    sold: ObjArray


def _secint(rt: Any) -> Any:
    secint = rt.SecInt(VALUE_BITS, p=value_modulus())
    if int(secint.field.modulus) != value_modulus():  # the clients' shares live in this field
        raise ConfigError("MPyC's field differs from the clients'")
    return secint


def _pad(a: ObjArray, width: int, fill: int) -> ObjArray:
    """Past the grid, up to ``width`` points: a public constant is its own share."""
    out = np.full((*a.shape[:-1], width), fill, dtype=object)
    out[..., : a.shape[-1]] = a
    return out


def _back(a: ObjArray) -> ObjArray:
    """The value at ``k - 1`` at index ``k`` (0 before the grid)."""
    out = np.zeros_like(a)
    out[..., 1:] = a[..., :-1]
    return out


def _first_true(rt: Any, secint: Any, x: Any, test: Callable[[Any], Any], levels: int) -> Any:
    """Secret one-hot (markets × 2**levels) of the first index where ``test(x)`` is 1.

    ``test`` must be monotone along each row (0…0 1…1) and 1 at the last index. Step ``j``
    probes the last index of the lower half of every candidate block: a 1 there means the
    first 1 is in the lower half. The probe is read at the secret candidate by an inner
    product with the one-hot vector, which then splits in two by the secret bit.
    """
    m = x.shape[0]
    hot = secint.array(np.ones((m, 1), dtype=object))
    for j in range(levels):
        width = 1 << (levels - j)
        at = np.arange(1 << j) * width + width // 2 - 1
        probe = (hot.reshape(m, 1, -1) @ x[:, at].reshape(m, -1, 1)).reshape(m)
        upper = hot * (1 - test(probe)).reshape(m, 1)
        hot = rt.np_stack([hot - upper, upper], axis=2).reshape(m, 2 << j)
    return hot


def _fill(
    rt: Any, sec: Callable[[ObjArray], Any], full_at: ObjArray, level_at: ObjArray, hot: Any,
    volume: Any, traded: Any,
) -> Any:  # fmt: skip
    """Secret (markets × members) units each member trades on one side.

    ``full_at``/``level_at`` (members × markets × width, shares) read at the one-hot ``hot``
    give a member's schedule past the margin (traded in full) and at the marginal point.
    """
    n, m, w = full_at.shape
    both = sec(np.concatenate([full_at, level_at], axis=0).transpose(1, 0, 2))
    got = (both @ hot.reshape(m, w, 1)).reshape(m, 2 * n)  # one reshare per result
    full, level = got[:, :n], got[:, n:]
    total_full = full.sum(axis=1)
    left = (volume - total_full).reshape(m, 1)  # what the marginal orders share
    # room > 0 whenever something trades; with nothing traded left = 0 and room only must
    # not be 0 for the reciprocal: add the (secret) no-trade bit.
    room = level.sum(axis=1) - total_full + (1 - traded)
    a = full * room.reshape(m, 1) + (level - full) * left
    return a * rt.np_reciprocal(room).reshape(m, 1)


async def clear(rt: Any, demand: ObjArray, supply: ObjArray, grid_codes: list[int]) -> Cleared:
    """Run the clearing; ``demand``/``supply`` are this node's shares, members × markets × grid,
    ``grid_codes`` the public grid prices in fixed point (:attr:`.Auction.grid_codes`)."""
    secint = _secint(rt)
    field, p = secint.field, value_modulus()
    n, m, k = demand.shape
    if not 1 <= n <= MAX_MEMBERS:
        raise InputError(f"an auction takes 1 to {MAX_MEMBERS} members, got {n}")
    levels = k.bit_length()  # 2**levels > k: the padding always holds a 1 for every search
    width = 1 << levels
    cap = n * MAX_QUANTITY  # public bound on D and S
    bits = comparison_bits(2 * cap)

    def sec(a: ObjArray) -> Any:
        return secint.array(field.array(np.asarray(a, dtype=object) % p))

    def negative(v: Any) -> Any:
        return rt.np_sgn(v, l=bits, LT=True)

    big_d, big_s = demand.sum(axis=0) % p, supply.sum(axis=0) % p
    crossing = _first_true(rt, secint, sec(_pad(big_d - big_s, width, -1)), negative, levels)
    before = crossing.reshape(m, 1, width) @ sec(_back(_pad(big_s, width, 0))).reshape(m, width, 1)
    at = crossing.reshape(m, 1, width) @ sec(_pad(big_d, width, 0)).reshape(m, width, 1)
    s_before, d_at = before.reshape(m), at.reshape(m)
    volume = d_at + negative(d_at - s_before) * (s_before - d_at)
    traded = 1 - negative(volume - 1)
    v = volume.reshape(m, 1)
    above = _first_true(rt, secint, sec(_pad(big_d, width, -1)) - v, negative, levels)
    bottom = _first_true(
        rt, secint, sec(_pad(big_s, width, cap)) - v, lambda x: 1 - negative(x), levels
    )
    codes = _pad(np.array(grid_codes, dtype=object), width, 0)
    twice = above @ _back(codes) + bottom @ codes  # g_top + g_bottom, in fixed point
    bought = _fill(
        rt, sec, _pad(demand, width, 0), _back(_pad(demand, width, 0)), above, volume, traded
    )
    sold = _fill(
        rt, sec, _back(_pad(supply, width, 0)), _pad(supply, width, 0), bottom, volume, traded
    )
    trades = [bool(t) for t in await rt.output(traded)]
    where = np.flatnonzero(trades)
    prices: list[float | None] = [None] * m
    if where.size:
        for j, code in zip(where, await rt.output(twice[where]), strict=True):
            prices[int(j)] = int(code) / (1 << (FRACTION_BITS + 1))
    mine_b = (await rt.gather(bought)).value
    mine_s = (await rt.gather(sold)).value
    return Cleared(prices, np.asarray(mine_b, dtype=object).T, np.asarray(mine_s, dtype=object).T)
