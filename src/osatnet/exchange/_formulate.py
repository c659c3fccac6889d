"""The clearing MIP, assembled from the pair arrays with scipy.sparse (no loop per variable).

Columns, in order:

* one per eligible pair ``k``: for a splittable request the quantity ``x_k`` (0..ub_k); for a
  non-splittable request a binary ``z_k`` = "the whole request goes to this offer", whose
  quantity is ``q_r z_k`` (one binary instead of a continuous + a binary per pair);
* ``y_k`` (binary) for each pair of a request with a minimum split: ``x_k`` is 0 or at least
  the minimum split;
* ``u_r`` unserved quantity of each request;
* ``f_g`` fairness shortfall of each (requester, process family) group under the rule.

Rows: demand (``sum a_k col_k + u_r = q_r``), capacity (``sum cpu_k a_k col_k <= cap_o``),
the two min-split links per such pair, and one fairness row per group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from ..optim import LinearModel
from ._eligibility import Pairs
from ._instance import Instance, wsum
from ._types import ClearingOptions

__all__ = ["Fairness", "Formulation", "fairness_floors", "formulate"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_EPS = 1e-9


@dataclass(frozen=True)
class Fairness:
    """Fairness groups: (member, process) pairs in process families short of capacity."""

    group_of_request: IntArray  # -1 when the request is in no group
    member: IntArray
    process: IntArray
    floor: FloatArray
    demand: FloatArray
    penalty: float

    @property
    def size(self) -> int:
        return int(self.floor.shape[0])


def fairness_floors(
    inst: Instance, available: FloatArray, options: ClearingOptions, scale: float
) -> Fairness:
    """Floors of the fairness rule (see ``docs/exchange.md``).

    In a process family whose posted capacity is below its demand, the fill ratio is
    capacity / demand; each requester's floor is ``share x fill x its demand``, capped by what
    eligibility lets it receive at all (``available``), so that a requester asking for
    something nobody can make does not force a shortfall onto the others.
    """
    n_req = inst.n_requests
    share = options.fairness_share or 0.0
    none = np.full(n_req, -1, dtype=np.int64)
    empty_i = np.zeros(0, dtype=np.int64)
    empty_f = np.zeros(0, dtype=np.float64)
    penalty = options.fairness_penalty if options.fairness_penalty is not None else 10.0 * scale
    if share <= 0 or n_req == 0:
        return Fairness(none, empty_i, empty_i, empty_f, empty_f, penalty)
    n_proc = len(inst.processes)
    demand_p = wsum(inst.r_proc, inst.r_q, n_proc)
    cap_p = wsum(inst.o_proc, inst.o_cap, n_proc)
    short = cap_p < demand_p * (1 - _EPS)
    fill = np.divide(cap_p, demand_p, out=np.ones(n_proc), where=demand_p > 0)
    in_rule = short[inst.r_proc]
    key = inst.r_member * n_proc + inst.r_proc
    keys, inverse = np.unique(key[in_rule], return_inverse=True)
    group = none.copy()
    group[in_rule] = inverse
    sel = np.flatnonzero(in_rule)
    demand_g = wsum(inverse, inst.r_q[sel], keys.size)
    servable_g = wsum(inverse, np.minimum(inst.r_q[sel], available[sel]), keys.size)
    proc_g = keys % n_proc
    floor = np.minimum(share * fill[proc_g] * demand_g, servable_g)
    return Fairness(group, keys // n_proc, proc_g, floor, demand_g, penalty)


@dataclass(frozen=True)
class Formulation:
    """The model plus the column map needed to translate plans in and out of it."""

    model: LinearModel
    n_pairs: int
    amount: FloatArray  # request units per unit of a pair column (q_r for z, 1 for x)
    y_pairs: IntArray  # pairs that have a min-split binary, in y-column order
    u_start: int
    f_start: int
    must: BoolArray
    penalty: FloatArray  # per request; must-serve requests get 0 here (see ``cost_model``)
    fairness: Fairness

    def columns(self, qty: FloatArray, inst: Instance, pairs: Pairs) -> FloatArray:
        """The column vector of a plan given as quantity per pair."""
        n = self.model.num_cols
        col = np.zeros(n)
        col[: self.n_pairs] = qty / self.amount
        col[self.n_pairs : self.u_start] = (qty[self.y_pairs] > _EPS).astype(np.float64)
        served = wsum(pairs.ri, qty, inst.n_requests)
        unserved = np.maximum(inst.r_q - served, 0.0)
        col[self.u_start : self.f_start] = unserved
        fr = self.fairness
        if fr.size:
            g = fr.group_of_request
            got = wsum(g[g >= 0], served[g >= 0], fr.size)
            col[self.f_start :] = np.maximum(fr.floor - got, 0.0)
        return col

    def quantities(self, col: FloatArray) -> FloatArray:
        """Quantity per pair of a column vector, with solver noise cleaned off."""
        raw = col[: self.n_pairs]
        integral = self.model.integrality
        assert integral is not None
        raw = np.where(integral[: self.n_pairs], np.round(raw), raw)
        qty = raw * self.amount
        return np.where(qty > 1e-7, qty, 0.0)

    def cost_model(self, must_unserved: FloatArray | None = None) -> LinearModel:
        """The cost-minimising model.

        Must-serve requests are served in full, or, after a failed feasibility phase, left
        unserved by exactly ``must_unserved`` (the least the feasibility phase could reach):
        fixing rather than bounding them keeps the solver from dropping them, as their
        unserved quantity has no price.
        """
        col_lo = self.model.col_lo.copy()
        col_hi = self.model.col_hi.copy()
        fixed = (
            np.zeros(int(self.must.sum())) if must_unserved is None else must_unserved[self.must]
        )
        col_lo[self.u_start : self.f_start][self.must] = fixed
        col_hi[self.u_start : self.f_start][self.must] = fixed
        return _replace(self.model, self.model.c, col_lo, col_hi)

    def feasibility_model(self) -> LinearModel:
        """Minimise only the total unserved quantity of must-serve requests."""
        c = np.zeros(self.model.num_cols)
        c[self.u_start : self.f_start][self.must] = 1.0
        return _replace(self.model, c, self.model.col_lo, self.model.col_hi)


def _replace(m: LinearModel, c: FloatArray, col_lo: FloatArray, col_hi: FloatArray) -> LinearModel:
    return LinearModel(
        c=c,
        A=m.A,
        row_lo=m.row_lo,
        row_hi=m.row_hi,
        col_lo=col_lo,
        col_hi=col_hi,
        integrality=m.integrality,
    )


def formulate(inst: Instance, pairs: Pairs, fairness: Fairness) -> Formulation:
    """Build the clearing model from eligible pairs (see the module docstring)."""
    n_req, n_off, n_pairs = inst.n_requests, inst.n_offers, len(pairs)
    ri, oi = pairs.ri, pairs.oi
    whole = ~inst.r_split[ri]
    amount = np.where(whole, inst.r_q[ri], 1.0)
    y_pairs = np.flatnonzero(inst.r_split[ri] & (inst.r_ms[ri] > 0))
    n_y, n_f = y_pairs.size, fairness.size
    u_start = n_pairs + n_y
    f_start = u_start + n_req
    n_cols = f_start + n_f
    ks = np.arange(n_pairs)
    ys = n_pairs + np.arange(n_y)
    us = u_start + np.arange(n_req)

    # Row blocks: demand [0, n_req), capacity [n_req, +n_off), min-split low, min-split high,
    # fairness.
    cap0 = n_req
    lo0 = cap0 + n_off
    hi0 = lo0 + n_y
    fr0 = hi0 + n_y
    n_rows = fr0 + n_f
    g = fairness.group_of_request
    in_group = np.flatnonzero(g >= 0)
    ms = inst.r_ms[ri[y_pairs]]
    rows = np.concatenate(
        [ri, np.arange(n_req), cap0 + oi]
        + [lo0 + np.arange(n_y)] * 2
        + [hi0 + np.arange(n_y)] * 2
        + [fr0 + g[in_group], fr0 + np.arange(n_f)]
    )
    cols = np.concatenate(
        [ks, us, ks, y_pairs, ys, y_pairs, ys, us[in_group], f_start + np.arange(n_f)]
    )
    vals = np.concatenate(
        [
            amount,
            np.ones(n_req),
            pairs.cpu * amount,
            np.ones(n_y),
            -ms,
            np.ones(n_y),
            -pairs.ub[y_pairs],
            np.ones(in_group.size),
            -np.ones(n_f),
        ]
    )
    A = sp.coo_array((vals, (rows, cols)), shape=(n_rows, n_cols)).tocsr()
    group_q = wsum(g[in_group], inst.r_q[in_group], n_f)
    row_lo = np.concatenate(
        [
            inst.r_q,
            np.full(n_off, -np.inf),
            np.zeros(n_y),
            np.full(n_y, -np.inf),
            np.full(n_f, -np.inf),
        ]
    )
    row_hi = np.concatenate(
        [inst.r_q, inst.o_cap, np.full(n_y, np.inf), np.zeros(n_y), group_q - fairness.floor]
    )
    must = inst.must_serve
    penalty = np.where(must, 0.0, np.nan_to_num(inst.r_pen, nan=0.0))
    c = np.concatenate(
        [pairs.cost * amount, np.zeros(n_y), penalty, np.full(n_f, fairness.penalty)]
    )
    col_hi = np.concatenate(
        [np.where(whole, 1.0, pairs.ub), np.ones(n_y), inst.r_q, np.full(n_f, np.inf)]
    )
    integrality = np.concatenate(
        [whole, np.ones(n_y, dtype=np.bool_), np.zeros(n_req + n_f, dtype=np.bool_)]
    )
    model = LinearModel(
        c=c,
        A=A,
        row_lo=row_lo,
        row_hi=row_hi,
        col_lo=np.zeros(n_cols),
        col_hi=col_hi,
        integrality=integrality,
    )
    return Formulation(
        model=model,
        n_pairs=n_pairs,
        amount=amount,
        y_pairs=y_pairs,
        u_start=u_start,
        f_start=f_start,
        must=must,
        penalty=penalty,
        fairness=fairness,
    )
