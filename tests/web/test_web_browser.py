"""Chromium (Debian's, driven by Playwright): sign-in, an upload with an error then the fix, and
the benchmark, in English and Japanese, keyboard only where it matters. Screenshots are saved
under test-artifacts/screenshots/.

Without /usr/bin/chromium these tests skip, except with CI=true, where they fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI
from tests.vault.conftest import GOOD

from .conftest import PASSWORD, Web
from .test_web_submissions import BAD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def db_url(tmp_path: object) -> Iterator[str]:
    yield f"sqlite:///{tmp_path}/osatnet.db"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if IN_CI:
            pytest.fail(f"{message}; CI=true requires it", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


TEXT = {
    "en": {
        "user": "User name", "password": "Password", "upload": "Upload and check",
        "problems": "2 problems found. Nothing was stored.", "saved": "Version 2 is stored",
        "file": "Submission file (.csv or .xlsx)", "bench": "Unit cost: total (JPY/unit)",
        "skip": "Skip to main content",
    },
    "ja": {
        "user": "ユーザー名", "password": "パスワード", "upload": "アップロードして検査",
        "problems": "2 件の問題が見つかりました。データは保存されていません。",
        "saved": "第2版を保存しました", "file": "提出ファイル（.csv または .xlsx）",
        "bench": "単位原価：合計（円/個）", "skip": "本文へ移動",
    },
}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "ja"])
def test_sign_in_upload_with_an_error_then_the_fix_and_the_benchmark(
    browser: Any, benchmarked: Web, tmp_path: Path, language: str
) -> None:
    text = TEXT[language]
    context = browser.new_context(
        locale="ja-JP" if language == "ja" else "en-GB", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        # Anonymous: the page asks for sign-in, then returns to where the user was going.
        page.goto(f"{benchmarked.url}/submissions/2026Q3")
        assert "/login?next=" in page.url
        assert page.locator("html").get_attribute("lang") == language
        page.get_by_label(text["user"]).fill("m1-user")
        page.get_by_label(text["password"]).fill(PASSWORD)
        _shot(page, f"{language}-1-sign-in")
        page.keyboard.press("Enter")
        page.wait_for_url("**/submissions/2026Q3")
        page.keyboard.press("Tab")  # the first stop of every page is the skip link
        assert page.evaluate("document.activeElement.textContent") == text["skip"]
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "content"

        bad, good = tmp_path / "m1-bad.csv", tmp_path / "m1.csv"
        bad.write_text(BAD, encoding="utf-8")
        good.write_text(GOOD, encoding="utf-8")
        page.get_by_label(text["file"]).set_input_files(str(bad))
        page.get_by_role("button", name=text["upload"]).click()
        errors = page.locator("#upload-result [role=alert]")
        errors.wait_for()
        assert text["problems"] in errors.inner_text()
        assert errors.locator("tbody tr").count() == 2
        errors.scroll_into_view_if_needed()
        _shot(page, f"{language}-2-upload-errors")

        page.get_by_label(text["file"]).set_input_files(str(good))
        page.get_by_role("button", name=text["upload"]).click()
        page.wait_for_url("**/submissions/2026Q3?saved=2")  # the fixture stored version 1
        assert text["saved"] in page.locator("[role=status]").first.inner_text()
        _shot(page, f"{language}-3-stored")

        page.goto(f"{benchmarked.url}/benchmark")
        page.locator(".js-plotly-plot").first.wait_for()
        assert text["bench"] in page.locator("h2").first.inner_text()
        _shot(page, f"{language}-4-benchmark")

        page.goto(f"{benchmarked.url}/sites")
        page.locator(".js-plotly-plot").first.wait_for()
        _shot(page, f"{language}-5-sites")
    finally:
        context.close()


def test_the_secretariat_sees_status_and_a_release_table(browser: Any, benchmarked: Web) -> None:
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{benchmarked.url}/login")
        page.get_by_label("ユーザー名").fill("sec")
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url(f"{benchmarked.url}/")
        _shot(page, "ja-6-home")
        page.goto(f"{benchmarked.url}/periods/2026Q3/status")
        _shot(page, "ja-7-status")
        page.goto(f"{benchmarked.url}/releases/1")
        _shot(page, "ja-8-release")
        page.goto(f"{benchmarked.url}/audit")
        page.get_by_role("link", name="ログ全体を検証する").click()
        page.locator("#verify-result [role=status]").wait_for()
        assert "正常" in page.locator("#verify-result").inner_text()
        _shot(page, "ja-9-audit")
    finally:
        context.close()


def test_a_member_posts_an_offer_in_japanese(browser: Any, web: Web) -> None:
    """The exchange form with the keyboard: a mistake shown next to its field, then the fix."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{web.url}/login?next=/exchange")
        page.get_by_label("ユーザー名").fill("m1-user")
        page.get_by_label("パスワード").fill(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url("**/exchange")
        page.get_by_role("link", name="生産能力の融通").wait_for()
        offer = page.get_by_role("region", name="空き能力の提供")  # the form's own section
        offer.locator("#offer-where").select_option("s1|final_test")
        offer.get_by_label("週", exact=True).select_option("2026-W36")
        offer.get_by_label("空き能力（その週の個数）").fill(
            "９９９，９９９"
        )  # above the site's capacity
        offer.get_by_label("単価（円）").fill("8.5")
        offer.get_by_label("自社用メモ（任意）").fill("菊池の空き")
        offer.get_by_role("button", name="提供を登録する").click()
        error = page.locator("#offer-capacity-error")
        error.wait_for()
        assert "registered weekly final_test capacity" in error.inner_text()
        assert (
            offer.get_by_label("空き能力（その週の個数）").get_attribute("aria-invalid") == "true"
        )
        _shot(page, "ja-10-exchange-offer-error")
        offer.get_by_label("空き能力（その週の個数）").fill("３，０００")
        offer.get_by_label("空き能力（その週の個数）").press("Enter")
        page.wait_for_url("**/exchange?period=2026Q3&done=O1")
        assert "完了しました：O1。" in page.locator("[role=status]").inner_text()
        row = page.locator("tr", has_text="菊池の空き")
        assert "3,000" in row.inner_text() and "受付中" in row.inner_text()
        _shot(page, "ja-11-exchange-offer-posted")
    finally:
        context.close()
