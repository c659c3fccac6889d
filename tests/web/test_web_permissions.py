"""Every page x every role, and the firewall: no page shows another member's raw values."""

from __future__ import annotations

from osatnet.procurement import Procurement

from .conftest import Web

ANON = None
USERS = [ANON, "m1-admin", "m1-user", "m2-user", "sec", "aud"]
Expect = dict[str | None, int]
MEMBERS: Expect = {"m1-admin": 200, "m1-user": 200, "m2-user": 200}
OFFICE: Expect = {"sec": 200, "aud": 200}
# page -> {user: expected status}; anonymous always expects the sign-in redirect (303).
PAGES: list[tuple[str, dict[str | None, int], int]] = [
    ("/", {}, 200),
    ("/sites", MEMBERS, 403),
    ("/submissions", MEMBERS, 403),
    ("/submissions/2026Q3", MEMBERS, 403),
    ("/submissions/2026Q2", MEMBERS, 403),
    ("/benchmark", MEMBERS, 403),
    ("/members", OFFICE, 403),
    ("/members/m1", {**OFFICE, "m1-admin": 200, "m1-user": 200}, 403),
    ("/periods", OFFICE, 403),
    ("/periods/2026Q3/status", OFFICE, 403),
    ("/releases", {}, 200),
    ("/audit", OFFICE, 403),
    ("/audit/verify", OFFICE, 403),
    ("/exchange", MEMBERS, 403),
    ("/exchange?period=2026Q2", MEMBERS, 403),
    ("/exchange/clearing", {"sec": 200}, 403),
    ("/procurement", {}, 200),
    ("/procurement/2027Q1", {}, 200),
    ("/procurement/nope", {}, 404),
    ("/risk", {}, 200),
    ("/risk?network=demo", {}, 200),
    ("/blind", {}, 200),
]
# Writes, sent with a valid CSRF token; expected status per user.
POSTS: list[tuple[str, dict[str, str], dict[str | None, int], int]] = [
    ("/periods/2026Q2/reopen", {}, {"sec": 303}, 403),
    ("/periods", {"key": "2027Q1"}, {"sec": 303}, 403),
    ("/submissions/2026Q3/values", {"measure-1": ""}, {**{u: 422 for u in MEMBERS}}, 403),
    # The secretariat may release, but 2026Q2 was just reopened: the vault says 409.
    (
        "/releases",
        {"periods": "2026Q2", "measure": "yield_pct", "stat": "median"},
        {"sec": 409},
        403,
    ),
    # Exchange: invalid forms (nothing stored) answer 422 to members; the clearing is the
    # secretariat's: nothing to clear in this week (409), no run to publish (404).
    (
        "/exchange/2026Q3/offers",
        {"where": "s1|final_test", "week": "2026-W36", "capacity": "", "unit_price": "1"},
        {u: 422 for u in MEMBERS},
        403,
    ),
    ("/exchange/2026Q3/requests", {"quantity": ""}, {u: 422 for u in MEMBERS}, 403),
    ("/exchange/withdraw", {"ref": "O999"}, {u: 404 for u in MEMBERS}, 403),
    ("/exchange/clearing", {"period": "2026Q3", "week": "36"}, {"sec": 409}, 403),
    ("/exchange/clearing/release", {"period": "2026Q3", "week": "36"}, {"sec": 404}, 403),
    # Procurement (round 2027Q1 is open): demand is the members', rounds the secretariat's.
    ("/procurement/2027Q1/demand", {"category-1": ""}, {u: 422 for u in MEMBERS}, 403),
    ("/procurement/2027Q1/demand/upload", {}, {u: 422 for u in MEMBERS}, 403),
    ("/procurement/2027Q1/quotes", {}, {"sec": 422}, 403),
    ("/procurement/2027Q1/award", {}, {"sec": 409}, 403),
    ("/procurement/2027Q1/close", {}, {"sec": 303}, 403),
    ("/procurement", {"key": "2027Q2"}, {"sec": 303}, 403),
    # Risk: every signed-in user may assess (a bad horizon is refused before any work).
    ("/risk", {"network": "demo", "horizon": "0"}, {}, 422),
    # Blind mode: only the secretariat runs jobs again (there is no job 99).
    ("/blind/jobs/99/retry", {}, {"sec": 404}, 403),
]


def test_every_page_by_every_role(web_submitted: Web) -> None:
    Procurement(web_submitted.db, "sec").open_round("2027Q1")
    wrong = []
    for user in USERS:
        with web_submitted.signed_in(user) as c:
            for path, special, default in PAGES:
                got = c.get(path).status_code
                want = 303 if user is None else special.get(user, default)
                if got != want:
                    wrong.append(f"GET {path} as {user or 'anonymous'}: got {got}, want {want}")
    assert wrong == []
    with web_submitted.client() as c:
        # Anonymous: to sign-in, with the page to return to; HTMX is told to navigate.
        r = c.get("/submissions/2026Q3?x=1")
        assert r.headers["location"] == "/login?next=%2Fsubmissions%2F2026Q3%3Fx%3D1"
        htmx = c.get("/audit", headers={"HX-Request": "true"})
        assert htmx.headers["HX-Redirect"].startswith("/login?next=")


def test_every_write_by_every_role(web: Web) -> None:
    Procurement(web.db, "sec").open_round("2027Q1")
    wrong = []
    for user in USERS:
        with web.signed_in(user) as c:
            token = web.csrf(c, "/login" if user is None else "/")
            for path, data, special, default in POSTS:
                got = c.post(path, data={**data, "csrf": token}).status_code
                # Anonymous: to sign-in, whatever the form (nothing is done).
                want = 303 if user is None else special.get(user, default)
                if got != want:
                    wrong.append(f"POST {path} as {user}: got {got}, want {want}")
    assert wrong == []


def test_no_page_shows_another_members_raw_values(web_submitted: Web) -> None:
    """m1's distinctive values (123456.789, 98765.4321) appear on m1's pages only."""
    secrets = ("123456.789", "123,456.789", "98765.4321", "98,765.432")
    with web_submitted.signed_in("m1-user") as own:
        mine = own.get("/submissions/2026Q3").text
        assert "123456.789" in mine  # the form holds m1's own values
    for user in ("m2-user", "sec", "aud"):
        _check_no_leak(web_submitted, user, secrets)


def _check_no_leak(web_submitted: Web, user: str, secrets: tuple[str, ...]) -> None:
    with web_submitted.signed_in(user) as c:
        pages = [p for p, *_ in PAGES] + ["/members/m2", "/periods/2026Q3/status"]
        for path in pages:
            r = c.get(path)
            leaked = [s for s in secrets if s in r.text]
            assert leaked == [], f"{path} shows {leaked} to {user}"
        if user == "m2-user":
            # m2 cannot reach m1's submission through the form either: it sees its own (none).
            form = c.get("/submissions/2026Q3").text
            assert 'value="123456.789"' not in form
            assert c.get("/members/m1").status_code == 403
