"""The catalogues: every message of the code and templates has a Japanese translation."""

from __future__ import annotations

import re

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from osatnet.web.i18n import LOCALES, translations

WEB = LOCALES.parent
_PLACEHOLDER = re.compile(r"%\([a-z]+\)[sd]")


def _extracted() -> set[str]:
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "translate": (2,)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB),
        method_map=[("**.py", "python"), ("templates/**.html", "jinja2")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords=keywords,
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(language: str) -> dict[str, str]:
    with (LOCALES / language / "LC_MESSAGES" / "osatnet.po").open("rb") as fh:
        catalog = read_po(fh)
    out: dict[str, str] = {}
    for m in catalog:
        if m.id:
            key = m.id[0] if isinstance(m.id, (tuple, list)) else m.id
            text = m.string[0] if isinstance(m.string, (tuple, list)) else m.string
            out[str(key)] = str(text or "")
    return out


def test_every_message_is_translated_into_japanese() -> None:
    messages = _extracted()
    assert len(messages) > 200
    ja, en = _catalog("ja"), _catalog("en")
    assert sorted(messages - set(ja)) == []  # in the code, not in the catalogue
    assert sorted(set(ja) - messages) == []  # stale entries
    assert sorted(m for m in messages if not ja[m]) == []
    assert set(en) == set(ja)


def test_translations_keep_their_placeholders() -> None:
    for msgid, text in _catalog("ja").items():
        assert sorted(_PLACEHOLDER.findall(msgid)) == sorted(_PLACEHOLDER.findall(text)), msgid


def test_catalogues_compile_in_memory() -> None:
    assert translations("ja").gettext("Submissions") == "データ提出"
    assert translations("en").gettext("Submissions") == "Submissions"
    assert translations("en").gettext("Language") == "Language / 言語"
