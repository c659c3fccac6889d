"""Splitting the awarded cost between members: proportional or Shapley, with a core check.

Every allocation sums *exactly* to the awarded cost in cents. Rounding is fixed by the
largest-remainder method: the awarded total is rounded to cents, the unrounded shares are
first shifted in proportion so that they add up to that total (this also absorbs the
solver's tolerance between the MILP award and the cost game's c(N)), every share is rounded
down to a cent, and the cents left over go one each to the shares with the largest remainders
(ties to the earlier member).

The cost game c(S) prices every group *without* the round's resilience rules (capacities
still hold), as the issue defines it; the award of the whole alliance does apply them. So the
Shapley values add up to c(N) without rules, and the shift to the awarded total shares the
cost of the rules in proportion to each member's Shapley cost. Proportional shares already
add up to the awarded cost.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._award import award
from ._coalition import MAX_EXACT_MEMBERS, CostGame
from ._core import CoreCheck, check_core
from ._results import Award
from ._shapley import shapley_exact, shapley_sampled
from ._types import Demand, Quote, ResilienceRules

__all__ = ["Allocation", "MemberShare", "Method", "allocate", "round_to_total"]

FloatArray = npt.NDArray[np.float64]


class Method(enum.Enum):
    PROPORTIONAL = "proportional"
    SHAPLEY = "shapley"


@dataclass(frozen=True)
class MemberShare:
    member_id: str
    cost: float
    solo_cost: float
    savings: float
    savings_pct: float
    std_error: float | None = None


@dataclass(frozen=True)
class Allocation:
    method: Method
    total_cost: float
    shares: tuple[MemberShare, ...]
    exact: bool  # False when the Shapley values were sampled
    permutations: int | None = None
    error_target_reached: bool | None = None  # sampled: every standard error on target
    core: CoreCheck | None = None

    @property
    def solo_total(self) -> float:
        return math.fsum(s.solo_cost for s in self.shares)


def round_to_total(values: FloatArray, total: float) -> FloatArray:
    """``values`` in whole cents summing exactly to ``total`` rounded to cents."""
    vals = np.asarray(values, dtype=np.float64)
    cents = round(total * 100)
    raw = math.fsum(vals.tolist())
    if vals.size == 0:
        return vals
    if abs(raw) > 1e-12:
        scaled = vals * (cents / 100 / raw)
    else:
        scaled = vals + (cents / 100 - raw) / vals.size
    c = scaled * 100
    floor = np.floor(c + 1e-9)
    rest = int(cents - floor.sum())
    order = np.argsort(-(c - floor), kind="stable")
    floor[order[: max(rest, 0)]] += 1
    if rest < 0:
        floor[order[::-1][:-rest]] -= 1
    out: FloatArray = floor / 100
    return out


def _proportional(game: CostGame, result: Award) -> FloatArray:
    totals = game.demand.sum(axis=0)
    costs = np.array([result.category_cost.get(c, 0.0) for c in game.categories])
    share = np.divide(game.demand, totals, out=np.zeros_like(game.demand), where=totals > 0)
    out: FloatArray = share @ costs
    return out


def allocate(
    demands: Sequence[Demand],
    quotes: Sequence[Quote],
    rules: ResilienceRules = ResilienceRules(),
    *,
    method: Method | str = Method.SHAPLEY,
    samples: int | None = None,
    target_rel_se: float = 0.005,
    seed: int = 0,
    awarded: Award | None = None,
    core: bool = True,
) -> Allocation:
    """Split the awarded cost of the round between its members.

    Shapley values are exact for up to 20 members unless ``samples`` asks for sampling;
    beyond that they are sampled to ``target_rel_se`` (or ``samples`` permutations).
    ``core`` adds the core check (exact up to 20 members, heuristic beyond); a group counts
    as violated only beyond one cent per member, the most rounding can move a share.
    """
    method = Method(method)
    result = awarded if awarded is not None else award(demands, quotes, rules, price_rules=False)
    # The game prices groups without the round's resilience rules: a group that leaves
    # the alliance buys under its own policy. Only the award (the grand coalition) carries
    # the rules, so their cost reaches members through the scaling in round_to_total.
    game = CostGame(demands, quotes)
    n = game.n
    exact_game = n <= MAX_EXACT_MEMBERS
    v = game.all_costs() if exact_game and (core or method is Method.SHAPLEY) else None
    solo = v[1 << np.arange(n)] if v is not None else game.solo_costs()
    std: FloatArray | None = None
    perms: int | None = None
    reached: bool | None = None
    exact = True
    if method is Method.PROPORTIONAL:
        raw = _proportional(game, result)
    elif v is not None and samples is None:
        raw = shapley_exact(v)
    else:
        sampled = shapley_sampled(
            n, game.prefix_costs, samples=samples, target_rel_se=target_rel_se, seed=seed
        )
        raw, std = sampled.values, sampled.std_error
        perms, reached, exact = sampled.permutations, sampled.target_reached, False
    shares = round_to_total(raw, result.total_cost)
    check = None
    if core:
        if v is not None:
            check = check_core(shares, v=v, grand=result.total_cost, tol=0.01 * n)
        else:
            check = check_core(
                shares, cost=game.cost, grand=result.total_cost, seed=seed, tol=0.01 * n
            )
    rows = []
    for i, member in enumerate(game.members):
        s = round(float(solo[i]), 2)
        saving = round(s - float(shares[i]), 2)
        rows.append(
            MemberShare(
                member_id=member,
                cost=float(shares[i]),
                solo_cost=s,
                savings=saving,
                savings_pct=round(100 * saving / s, 2) if s > 0 else 0.0,
                std_error=None if std is None else float(std[i]),
            )
        )
    return Allocation(
        method=method,
        total_cost=round(result.total_cost, 2),
        shares=tuple(rows),
        exact=exact,
        permutations=perms,
        error_target_reached=reached,
        core=check,
    )
