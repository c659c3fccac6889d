"""Random 1-, 2- and 3-D tables: every hidden primary cell keeps its protection."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from osatnet.vault.sdc import DisclosureRules, audit, protect


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict[str, object], list[str], DisclosureRules, str]:
    n_dims = draw(st.integers(1, 3))
    shape = [draw(st.integers(1, 4 if n_dims < 3 else 3)) for _ in range(n_dims)]
    n = draw(st.integers(1, 80))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {
        "contributor": rng.integers(0, draw(st.integers(1, 20)), n),
        # Heavy-tailed, with some exact zeros (members reporting nothing).
        "value": np.where(rng.random(n) < 0.1, 0.0, np.round(rng.lognormal(3.0, 1.5, n), 2)),
    }
    dims = [f"d{d}" for d in range(n_dims)]
    for d, size in zip(dims, shape, strict=True):
        data[d] = rng.integers(0, size, n)
    rules = DisclosureRules(
        min_contributors=draw(st.integers(1, 5)),
        protection_pct=draw(st.sampled_from([5.0, 10.0, 30.0, 100.0])),
    )
    method = draw(st.sampled_from(["optimal", "heuristic"]))
    return data, dims, rules, method


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_every_primary_cell_is_protected(
    case: tuple[dict[str, object], list[str], DisclosureRules, str],
) -> None:
    data, dims, rules, method = case
    result = protect(data, dims, rules, method=method)  # type: ignore[arg-type]
    table = result.table
    sensitive = result.primary.sensitive
    assert np.all(result.suppressed[sensitive])
    assert not np.any(result.suppressed & table.empty)
    protection = np.where(sensitive, rules.protection(table.value), 0.0)
    # Independent exact audit: two LPs per hidden cell, nothing taken from protect().
    exact = audit(table, result.suppressed, protection, exact=True)
    assert exact.ok, exact.failures
    lower = np.maximum(exact.value - exact.protection, 0.0)
    tol = 1e-6 * max(float(table.value.max(initial=0.0)), 1.0)
    assert np.all(exact.attacker_min <= lower + tol)
    assert np.all(exact.attacker_max >= exact.value + exact.protection - tol)
    published = ~result.suppressed
    assert np.allclose(table.relations @ table.value, 0.0)
    assert all((c.value is None) != bool(p) for c, p in zip(result.cells(), published, strict=True))
