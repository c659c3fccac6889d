"""An independent attacker (scipy's linprog) against published tables, for tests."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from osatnet.vault.releases import ReleaseTable

__all__ = ["assert_protected", "attacker_intervals"]

Key = tuple[str, ...]


def attacker_intervals(table: ReleaseTable) -> dict[Key, tuple[float, float]]:
    """min/max of each withheld cell subject to the published cells, additivity and >= 0."""
    keys = [tuple(c.labels[d] for d in table.dims) for c in table.cells]
    index = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    rows = []
    for k in keys:  # each margin equals the sum of the cells it covers, dimension by dimension
        for d, label in enumerate(k):
            if label != "TOTAL":
                continue
            levels = {kk[d] for kk in keys if kk[d] != "TOTAL"}
            terms = [index[t] for v in levels if (t := (*k[:d], v, *k[d + 1 :])) in index]
            row = np.zeros(n)
            row[index[k]] = 1.0
            row[terms] -= 1.0
            rows.append(row)
    a_eq = np.array(rows) if rows else None
    b_eq = np.zeros(len(rows)) if rows else None
    bounds = [(c.value, c.value) if c.value is not None else (0, None) for c in table.cells]
    out = {}
    for i, c in enumerate(table.cells):
        if c.value is not None:
            continue
        objective = np.zeros(n)
        objective[i] = 1.0
        lo = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        hi = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert lo.status == 0, lo.message
        out[keys[i]] = (float(lo.fun), np.inf if hi.status == 3 else float(-hi.fun))
    return out


def assert_protected(
    table: ReleaseTable, truth: dict[Key, float], protection_pct: float = 10.0
) -> int:
    """Every primary cell's attacker interval covers its true value ± protection; returns how
    many primary cells were checked."""
    intervals = attacker_intervals(table)
    checked = 0
    for cell in table.cells:
        if cell.status != "primary":
            continue
        key = tuple(cell.labels[d] for d in table.dims)
        x = truth[key]
        low, high = intervals[key]
        margin = protection_pct / 100 * x
        assert low <= x - margin + 1e-6 * max(1.0, x), (key, x, low, high)
        assert high >= x + margin - 1e-6 * max(1.0, x), (key, x, low, high)
        checked += 1
    return checked
