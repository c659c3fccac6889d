"""Accessibility checks on the rendered pages: labels, table headers, heading order, language,
skip link; and the contrast of the style sheet's colour pairs."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest

from osatnet.web import STATIC

from .conftest import Web

PAGES = {
    "m1-admin": ["/", "/sites", "/submissions", "/submissions/2026Q3", "/submissions/2026Q2",
                 "/benchmark", "/releases", "/blind"],
    "sec": ["/", "/members", "/members/m1", "/periods", "/periods/2026Q3/status", "/releases",
            "/audit", "/audit/verify", "/blind"],
}  # fmt: skip


@pytest.fixture
def db_url(tmp_path: object) -> Iterator[str]:
    yield f"sqlite:///{tmp_path}/osatnet.db"


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.labels: set[str] = set()
        self.controls: list[str] = []
        self.headings: list[int] = []
        self.th_without_scope = 0
        self.lang: str | None = None
        self.first_link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "label" and a.get("for"):
            self.labels.add(str(a["for"]))
        elif tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            wrapped = tag == "input" and a.get("type") == "checkbox"  # labelled by wrapping
            if not wrapped:
                self.controls.append(str(a.get("id")))
        elif tag in ("h1", "h2", "h3", "h4"):
            self.headings.append(int(tag[1]))
        elif tag == "th" and "scope" not in a:
            self.th_without_scope += 1
        elif tag == "a" and self.first_link is None:
            self.first_link = a.get("href")


def _check(html: str, where: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    problems = []
    if audit.lang not in ("en", "ja"):
        problems.append(f"{where}: <html lang> is {audit.lang!r}")
    if audit.first_link != "#content":
        problems.append(f"{where}: the first link is {audit.first_link!r}, not the skip link")
    unlabelled = [c for c in audit.controls if c not in audit.labels]
    if unlabelled:
        problems.append(f"{where}: controls without a label: {unlabelled}")
    if audit.th_without_scope:
        problems.append(f"{where}: {audit.th_without_scope} <th> without scope")
    if not audit.headings or audit.headings[0] != 1 or audit.headings.count(1) != 1:
        problems.append(f"{where}: one h1 must come first, got {audit.headings}")
    for before, after in zip(audit.headings, audit.headings[1:], strict=False):
        if after > before + 1:
            problems.append(f"{where}: heading h{before} is followed by h{after}")
    return problems


def test_pages_are_labelled_and_structured(benchmarked: Web) -> None:
    problems = []
    for user, pages in PAGES.items():
        for language in ("en", "ja"):
            with benchmarked.signed_in(user, language) as c:
                for path in pages:
                    r = c.get(path)
                    assert r.status_code == 200, (user, path)
                    problems += _check(r.text, f"{path} ({user}, {language})")
    with benchmarked.client() as c:
        problems += _check(c.get("/login").text, "/login")
    assert problems == []


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("#1b1f24", "#f5f7f9"), ("#4a5560", "#f5f7f9"), ("#4a5560", "#ffffff"),
        ("#17466e", "#ffffff"), ("#17466e", "#f5f7f9"), ("#ffffff", "#17466e"),
        ("#ffffff", "#0f3352"), ("#1e6b32", "#e6f3e9"), ("#9b1c1c", "#fbeaea"),
        ("#7a4b00", "#fff4dc"), ("#1b1f24", "#e4ebf2"), ("#0b0c0c", "#ffdd00"),
        ("#4a5560", "#eef1f4"),
    ],
)  # fmt: skip
def test_colour_pairs_of_the_style_sheet_have_enough_contrast(text: str, background: str) -> None:
    css = (STATIC / "osatnet.css").read_text().lower()
    assert text in css or text == "#ffffff"
    assert background in css or background == "#ffffff"
    assert contrast(text, background) >= 4.5
