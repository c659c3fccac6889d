"""Signing in and out, CSRF, safe redirects and the language of the pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from osatnet.auth import Auth
from osatnet.web.guard import safe_next
from osatnet.web.i18n import from_accept_language

from .conftest import PASSWORD, Web, csrf_of


@pytest.fixture
def db_url(tmp_path: object) -> Iterator[str]:
    """These behaviours do not depend on the database: SQLite only."""
    yield f"sqlite:///{tmp_path}/osatnet.db"


def test_sign_in_goes_to_the_requested_page_and_sign_out_ends_the_session(web: Web) -> None:
    with web.client() as c:
        token = csrf_of(c.get("/login?next=/submissions").text)
        r = c.post(
            "/login",
            data={"username": "m1-user", "password": PASSWORD, "csrf": token, "next": "/sites"},
        )
        assert (r.status_code, r.headers["location"]) == (303, "/sites")
        page = c.get("/sites")
        assert page.status_code == 200 and "Kikuchi plant" in page.text
        assert c.get("/login").status_code == 303  # already signed in
        r = c.post("/logout", data={"csrf": web.csrf(c)})
        assert (r.status_code, r.headers["location"]) == (303, "/login")
        assert c.get("/sites").status_code == 303
        token = csrf_of(c.get("/login").text)
        r = c.post(
            "/login",
            data={"username": "aud", "password": PASSWORD, "csrf": token,
                  "next": "//evil.example/x"},
        )  # fmt: skip
        assert r.headers["location"] == "/"  # never away from this site


def test_wrong_password_shows_the_form_again_then_too_many_attempts(web: Web) -> None:
    with web.client() as c:
        token = csrf_of(c.get("/login").text)
        for _ in range(Auth(web.db).max_failures):
            r = c.post("/login", data={"username": "m2-user", "password": "nope", "csrf": token})
            assert r.status_code == 200
            assert "The user name or the password is wrong" in r.text
            assert 'value="m2-user"' in r.text  # the name is kept, the password is not
        r = c.post("/login", data={"username": "m2-user", "password": PASSWORD, "csrf": token})
        assert r.status_code == 429
        assert "Wait 15 minutes" in r.text


def test_posts_without_the_csrf_token_are_refused(web: Web) -> None:
    with web.client() as c:
        c.get("/login")
        r = c.post("/login", data={"username": "sec", "password": PASSWORD})
        assert r.status_code == 403 and "Reload the page" in r.text
    with web.signed_in("sec") as c:
        for path in ("/logout", "/periods/2026Q3/close", "/language"):
            assert c.post(path, data={"csrf": "forged"}).status_code == 403
        assert c.get("/").status_code == 200  # still signed in: the logout was refused
        token = web.csrf(c)
        # The header works as well as the field (HTMX sends the header).
        r = c.post("/periods/2026Q3/close", headers={"X-CSRF-Token": token})
        assert r.status_code == 303


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/submissions?x=1", "/submissions?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_only_local_next_targets(target: str, safe: str) -> None:
    assert safe_next(target) == safe


@pytest.mark.parametrize(
    ("header", "language"),
    [("ja,en;q=0.8", "ja"), ("en-GB,ja;q=0.9", "en"), ("fr, ja;q=0.5", "ja"), (None, "en"),
     ("de", "en"), ("ja;q=0, en;q=0.1", "en"), ("ja;q=x", "en")],
)  # fmt: skip
def test_language_from_the_browser(header: str | None, language: str) -> None:
    assert from_accept_language(header) == language


def test_pages_follow_the_browser_then_the_users_choice(web: Web) -> None:
    with web.client("ja") as c:
        page = c.get("/login").text
        assert '<html lang="ja">' in page and "ログイン" in page and "ユーザー名" in page
    with web.signed_in("m1-admin", "ja") as c:
        home = c.get("/").text
        assert "受付中の報告期間" in home and "拠点と工程能力" in home
        assert "未提出" in home
        r = c.post("/language", data={"lang": "en", "csrf": web.csrf(c), "next": "/sites"})
        assert (r.status_code, r.headers["location"]) == (303, "/sites")
        english = c.get("/sites").text
        assert '<html lang="en">' in english and "Sites and capabilities" in english
        assert c.post("/language", data={"lang": "xx", "csrf": web.csrf(c)}).status_code == 422
    assert Auth(web.db).language("m1-admin") == "en"
    # The stored choice wins over the browser at the next sign-in.
    Auth(web.db).set_language("m1-admin", "ja")
    with web.signed_in("m1-admin", "en") as c:
        assert '<html lang="ja">' in c.get("/submissions").text


def test_error_pages_are_html_in_the_readers_language(web: Web) -> None:
    with web.signed_in("m2-user", "ja") as c:
        r = c.get("/audit")
        assert r.status_code == 403 and "権限がありません" in r.text
        r = c.get("/no-such-page")
        assert r.status_code == 404 and "見つかりません" in r.text
        assert c.get("/submissions/2031Q9").status_code == 422
        assert c.get("/audit?limit=0").status_code == 422  # an HTML page, not the API's JSON
    with web.signed_in("sec", "ja") as c:
        r = c.get("/releases/abc")
        assert r.status_code == 422 and "入力内容に誤りがあります" in r.text
        assert "release_id" in r.text
    with web.client() as c:
        assert c.get("/api/v1/nope").headers["content-type"] == "application/json"
