"""The time-expanded network LP, assembled from numpy index arrays (no loop per variable).

Columns, week by week: link flows ``x``, recipe runs ``p``, end-of-week inventory ``s`` and
unmet need ``u`` of every pair in the LP, then one *time scale* ``tau`` per week. Week ``w``
stands for ``tau_w`` weeks of operation: needs and link capacities are multiplied by ``tau_w``.
Full weeks fix ``tau = 1``; the time-to-survive LP frees the last one and maximises it.
Inventory balance of pair ``k`` in week ``w``::

    s[k,w] - s[k,w-1] - inflow - made + outflow + used + need_k * tau_w - u[k,w] = (I_k if w == 0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from ..optim import LinearModel, Sense
from ._network import Compiled

__all__ = ["Cone", "LpLayout", "build_lp", "cone_of"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Cone:
    """The part of the network a disruption can reach: every node downstream of the nodes it
    hits. Nodes outside keep working at plan and ship up to ``max_weekly_volume``."""

    nodes: BoolArray
    pairs: IntArray  # pairs with an inventory balance in the LP
    links: IntArray  # links into those pairs
    recipes: IntArray


def cone_of(net: Compiled, seeds: BoolArray) -> Cone:
    nodes = net.downstream(seeds)
    balanced = nodes[net.pair_node] & ~net.source
    return Cone(
        nodes=nodes,
        pairs=np.flatnonzero(balanced),
        links=np.flatnonzero(balanced[net.link_cust]),
        recipes=np.flatnonzero(nodes[net.recipe_node]),
    )


def whole(net: Compiled) -> Cone:
    """Every node: the baseline of the benchmark (no restriction to the reach)."""
    return cone_of(net, np.ones(net.n_nodes, dtype=np.bool_))


@dataclass(frozen=True)
class LpLayout:
    weeks: int
    n_links: int
    n_recipes: int
    n_pairs: int

    @property
    def block(self) -> int:
        return self.n_links + self.n_recipes + 2 * self.n_pairs

    def unmet(self, x: FloatArray) -> FloatArray:
        """Unmet need per (LP pair, week)."""
        start = self.n_links + self.n_recipes + self.n_pairs
        blocks = x[: self.weeks * self.block].reshape(self.weeks, self.block)
        return blocks[:, start : start + self.n_pairs].T.copy()

    def tau(self, x: FloatArray) -> FloatArray:
        return x[self.weeks * self.block :]


def _template(net: Compiled, cone: Cone) -> tuple[IntArray, IntArray, FloatArray]:
    """Balance-row entries of one week, columns relative to the week's block (``tau`` apart)."""
    local = np.full(net.n_pairs, -1, dtype=np.int64)
    local[cone.pairs] = np.arange(cone.pairs.size)
    nl, nr, npairs = cone.links.size, cone.recipes.size, cone.pairs.size
    rec_local = np.full(max(net.recipe_out.size, 1), -1, dtype=np.int64)
    rec_local[cone.recipes] = np.arange(nr)
    sup = local[net.link_sup[cone.links]]
    has_sup = sup >= 0
    inputs = np.flatnonzero(rec_local[net.input_recipe] >= 0)
    k = np.arange(npairs)
    rows = np.concatenate([
        local[net.link_cust[cone.links]], sup[has_sup],
        local[net.recipe_out[cone.recipes]], local[net.input_pair[inputs]], k, k,
    ])  # fmt: skip
    cols = np.concatenate([
        np.arange(nl), np.flatnonzero(has_sup),
        nl + np.arange(nr), nl + rec_local[net.input_recipe[inputs]],
        nl + nr + k, nl + nr + npairs + k,
    ])  # fmt: skip
    vals = np.concatenate([
        -np.ones(nl), np.ones(int(has_sup.sum())), -np.ones(nr), net.input_qty[inputs],
        np.ones(npairs), -np.ones(npairs),
    ])  # fmt: skip
    return rows.astype(np.int64), cols.astype(np.int64), vals


def build_lp(
    net: Compiled,
    cone: Cone,
    link_cap: FloatArray,
    recipe_on: BoolArray,
    *,
    allow_unmet: bool,
    tau_hi: float,
    inflow: FloatArray | None = None,
) -> tuple[LinearModel, LpLayout]:
    """The LP over ``link_cap.shape[1]`` weeks.

    ``link_cap[l, w]`` and ``recipe_on[r, w]`` are the cone's links and recipes per week.
    ``allow_unmet``: minimise the value of unmet need (all ``tau = 1``); otherwise every need
    is met and the last week's ``tau`` in ``[0, tau_hi]`` is maximised (``tau_hi = 1``: a
    plain week; larger: the lasting state after the timeline, run for as long as it holds).
    ``inflow[k]``: units per unit of ``tau`` reaching the cone's pair ``k`` through links left
    out of the LP (they run at capacity; see ``_nodes``).
    """
    weeks = link_cap.shape[1]
    lay = LpLayout(weeks, cone.links.size, cone.recipes.size, cone.pairs.size)
    nl, nr, npairs, block = lay.n_links, lay.n_recipes, lay.n_pairs, lay.block
    n_cols = weeks * block + weeks
    rows, cols, vals = _template(net, cone)
    w = np.arange(weeks)
    b_rows = (rows[None, :] + (w * npairs)[:, None]).ravel()
    b_cols = (cols[None, :] + (w * block)[:, None]).ravel()
    b_vals = np.tile(vals, weeks)
    # s[k, w-1] with -1 in week w's balance.
    prev_k = np.arange(npairs)
    p_rows = (prev_k[None, :] + (w[1:] * npairs)[:, None]).ravel()
    p_cols = (nl + nr + prev_k[None, :] + (w[:-1] * block)[:, None]).ravel()
    need = net.need[cone.pairs]
    per_tau = need if inflow is None else need - inflow
    with_need = np.flatnonzero(per_tau != 0)
    t_rows = (with_need[None, :] + (w * npairs)[:, None]).ravel()
    t_cols = np.repeat(weeks * block + w, with_need.size)
    t_vals = np.tile(per_tau[with_need], weeks)
    # Capacity rows: x[l, w] - cap[l, w] * tau_w <= 0.
    base = weeks * npairs
    l_idx = np.arange(nl)
    c_rows = (base + l_idx[None, :] + (w * nl)[:, None]).ravel()
    c_x = (l_idx[None, :] + (w * block)[:, None]).ravel()
    c_tau = np.repeat(weeks * block + w, nl)
    A = sp.csr_array(
        (
            np.concatenate([b_vals, -np.ones(p_rows.size), t_vals, np.ones(c_rows.size),
                            -link_cap.T.ravel()]),
            (
                np.concatenate([b_rows, p_rows, t_rows, c_rows, c_rows]),
                np.concatenate([b_cols, p_cols, t_cols, c_x, c_tau]),
            ),
        ),
        shape=(base + weeks * nl, n_cols),
    )  # fmt: skip
    row_lo = np.zeros(base + weeks * nl)
    row_lo[:npairs] = net.inventory[cone.pairs]
    row_hi = row_lo.copy()
    row_lo[base:] = -np.inf
    col_lo = np.zeros(n_cols)
    col_hi = np.full(n_cols, np.inf)
    blocks_hi = col_hi[: weeks * block].reshape(weeks, block)
    blocks_hi[:, nl : nl + nr] = np.where(recipe_on.T, np.inf, 0.0)
    blocks_hi[:, nl + nr + npairs :] = need[None, :] if allow_unmet else 0.0
    c = np.zeros(n_cols)
    col_lo[weeks * block :] = 1.0
    col_hi[weeks * block :] = 1.0
    if allow_unmet:
        # The small constant also counts units of needs valued at zero.
        c[: weeks * block].reshape(weeks, block)[:, nl + nr + npairs :] = (
            net.value[cone.pairs] + 1e-6
        )
        sense = Sense.MINIMIZE
    else:
        col_lo[-1], col_hi[-1], c[-1] = 0.0, tau_hi, 1.0
        sense = Sense.MAXIMIZE
    model = LinearModel(c, A, row_lo, row_hi, col_lo, col_hi, sense=sense)
    return model, lay
