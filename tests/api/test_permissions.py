"""The permission matrix: every route x every role (and anonymous), against expectations."""

from __future__ import annotations

from .conftest import LiveServer

ANON = None
# route -> {user: expected status}; users not listed expect the route's default.
MATRIX: list[tuple[str, str, dict[str | None, int], int]] = [
    ("GET", "/api/v1/me", {ANON: 401}, 200),
    ("GET", "/api/v1/members", {ANON: 401}, 200),
    ("GET", "/api/v1/members/m1", {ANON: 401}, 200),
    ("GET", "/api/v1/sites", {ANON: 401}, 200),
    ("GET", "/api/v1/capabilities", {ANON: 401}, 200),
    ("GET", "/api/v1/processes", {ANON: 401}, 200),
    ("GET", "/api/v1/periods", {ANON: 401}, 200),
    ("POST", "/api/v1/periods", {ANON: 401, "sec": 422}, 403),
    ("POST", "/api/v1/periods/2026Q3/close", {ANON: 401, "sec": 200}, 403),
    ("POST", "/api/v1/periods/2026Q3/reopen", {ANON: 401, "sec": 200}, 403),
    (
        "GET",
        "/api/v1/submissions",
        {ANON: 401, "m1-admin": 200, "m1-user": 200, "m2-user": 200},
        403,
    ),
    (
        "GET",
        "/api/v1/submissions/2026Q3/values",
        {ANON: 401, "m1-admin": 200, "m1-user": 200, "m2-user": 404},
        403,
    ),
    ("GET", "/api/v1/submissions/2026Q3/status", {ANON: 401}, 200),
    ("GET", "/api/v1/releases", {ANON: 401}, 200),
    ("GET", "/api/v1/releases/1", {ANON: 401}, 404),
    ("POST", "/api/v1/releases", {ANON: 401, "sec": 422}, 403),
    (
        "GET",
        "/api/v1/benchmark/2026Q3",
        {ANON: 401, "m1-admin": 200, "m1-user": 200, "m2-user": 404},
        403,
    ),
    (
        "GET",
        "/api/v1/exchange/2026Q3/offers",
        {ANON: 401, "m1-admin": 200, "m1-user": 200, "m2-user": 200},
        403,
    ),
    (
        "GET",
        "/api/v1/exchange/2026Q3/requests",
        {ANON: 401, "m1-admin": 200, "m1-user": 200, "m2-user": 200},
        403,
    ),
    (
        "GET",
        "/api/v1/exchange/2026Q3/matches",
        {ANON: 401, "m1-admin": 200, "m1-user": 200, "m2-user": 200},
        403,
    ),
    ("POST", "/api/v1/exchange/2026Q3/offers", {ANON: 401}, 422),
    ("POST", "/api/v1/exchange/2026Q3/requests", {ANON: 401}, 422),
    ("DELETE", "/api/v1/exchange/items/O99", {ANON: 401, "sec": 403, "aud": 403}, 404),
    ("POST", "/api/v1/exchange/2026Q3/clear", {ANON: 401, "sec": 422}, 403),
    ("POST", "/api/v1/exchange/2026Q3/release", {ANON: 401, "sec": 422}, 403),
    ("GET", "/api/v1/procurement/rounds", {ANON: 401}, 200),
    ("POST", "/api/v1/procurement/rounds", {ANON: 401, "sec": 422}, 403),
    ("POST", "/api/v1/procurement/rounds/R1/close", {ANON: 401, "sec": 404}, 403),
    ("POST", "/api/v1/procurement/rounds/R1/award", {ANON: 401, "sec": 422}, 403),
    ("GET", "/api/v1/procurement/rounds/R1/summary", {ANON: 401, "sec": 404, "aud": 404}, 403),
    ("POST", "/api/v1/procurement/rounds/R1/demand", {ANON: 401}, 422),
    (
        "GET",
        "/api/v1/procurement/rounds/R1/demand",
        {ANON: 401, "m1-admin": 404, "m1-user": 404, "m2-user": 404},
        403,
    ),
    (
        "GET",
        "/api/v1/procurement/rounds/R1/result",
        {ANON: 401, "m1-admin": 404, "m1-user": 404, "m2-user": 404},
        403,
    ),
    ("GET", "/api/v1/risk/scenarios", {ANON: 401}, 200),
    ("POST", "/api/v1/risk/assess", {ANON: 401}, 422),
    ("GET", "/api/v1/blind/nodes", {ANON: 401}, 200),
    ("POST", "/api/v1/blind/uploads", {ANON: 401}, 422),
    (
        "GET",
        "/api/v1/blind/uploads/2026Q3",
        {ANON: 401, "m1-admin": 404, "m1-user": 404, "m2-user": 404},
        403,
    ),
    ("GET", "/api/v1/blind/jobs", {ANON: 401, "sec": 200, "aud": 200}, 403),
    ("POST", "/api/v1/blind/jobs", {ANON: 401, "sec": 422}, 403),
    ("GET", "/api/v1/blind/jobs/1", {ANON: 401, "sec": 404, "aud": 404}, 403),
    ("POST", "/api/v1/blind/jobs/1/retry", {ANON: 401, "sec": 404}, 403),
    # The nodes' routes take a node token: no user's token or session opens them.
    ("GET", "/api/v1/blind/node/jobs", {}, 401),
    ("GET", "/api/v1/blind/node/jobs/1/bundles", {}, 401),
    ("POST", "/api/v1/blind/node/jobs/1/result", {}, 401),
    ("POST", "/api/v1/blind/node/jobs/1/failure", {}, 401),
    ("GET", "/api/v1/blind/auctions", {ANON: 401}, 200),
    ("POST", "/api/v1/blind/auctions", {ANON: 401, "sec": 422}, 403),
    ("GET", "/api/v1/blind/auctions/A1", {ANON: 401}, 404),
    ("POST", "/api/v1/blind/auctions/A1/clear", {ANON: 401, "sec": 404}, 403),
    ("POST", "/api/v1/blind/auctions/A1/retry", {ANON: 401, "sec": 404}, 403),
    ("POST", "/api/v1/blind/auctions/A1/orders", {ANON: 401}, 422),
    (
        "GET",
        "/api/v1/blind/auctions/A1/orders",
        {ANON: 401, "m1-admin": 404, "m1-user": 404, "m2-user": 404},
        403,
    ),
    (
        "GET",
        "/api/v1/blind/auctions/A1/result",
        {ANON: 401, "m1-admin": 404, "m1-user": 404, "m2-user": 404},
        403,
    ),
    ("GET", "/api/v1/blind/node/auctions", {}, 401),
    ("GET", "/api/v1/blind/node/auctions/A1/orders", {}, 401),
    ("POST", "/api/v1/blind/node/auctions/A1/result", {}, 401),
    ("POST", "/api/v1/blind/node/auctions/A1/failure", {}, 401),
    ("GET", "/api/v1/audit", {ANON: 401, "sec": 200, "aud": 200}, 403),
    ("GET", "/api/v1/audit/verify", {ANON: 401, "sec": 200, "aud": 200}, 403),
    (
        "DELETE",
        "/api/v1/submissions/2026Q2",
        {ANON: 401, "m1-admin": 409, "m1-user": 409, "m2-user": 409},
        403,
    ),
]
USERS = [ANON, "m1-admin", "m1-user", "m2-user", "sec", "aud"]


def test_every_route_by_every_role(submitted: LiveServer) -> None:
    """One server, every cell of the matrix; the failure lists every cell that differs."""
    wrong = []
    for method, path, special, default in MATRIX:
        for user in USERS:
            with submitted.client(user) as c:
                got = c.request(method, path).status_code
            want = special.get(user, default)
            if got != want:
                wrong.append(
                    f"{method} {path} as {user or 'anonymous'}: got {got}, expected {want}"
                )
    assert wrong == []


def test_matrix_covers_every_route(submitted: LiveServer) -> None:
    with submitted.client() as c:
        paths = c.get("/openapi.json").json()["paths"]
    listed = {(m, p.split("/2026")[0].replace("/m1", "/{member_id}")) for m, p, *_ in MATRIX}
    routes = {
        (m.upper(), p.split("/{")[0])
        for p, ops in paths.items()
        for m in ops
        if p.startswith("/api/v1")
    }
    # Every route family must appear in the matrix (writes are covered in test_api.py).
    missing = {r for r in routes if not any(r[1].startswith(lp.split("/{")[0]) for _, lp in listed)}
    assert missing == set()
