"""The dashboard's languages: gettext catalogues (Babel .po files) and choosing one per request.

The .po files under ``locales/`` are the only source: they are compiled in memory when this
module is first used (``read_po`` -> ``write_mo`` -> ``Translations``), so no compiled .mo file
is committed and no build step can leave a stale one behind.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

__all__ = ["DEFAULT", "LANGUAGES", "LOCALES", "from_accept_language", "translations"]

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "osatnet"
DEFAULT = "en"
# Each language named in itself: the switcher must be readable by someone who cannot read
# the current page's language.
LANGUAGES: dict[str, str] = {"en": "English", "ja": "日本語"}


@cache
def translations(language: str) -> Translations:
    """The compiled catalogue of ``language`` (``en`` or ``ja``)."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {list(LANGUAGES)}")
    path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def from_accept_language(header: str | None) -> str:
    """The best supported language for an ``Accept-Language`` header (``en`` by default)."""
    best, best_q = DEFAULT, -1.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        # Strictly greater: of equal weights, the browser's first choice wins.
        if q > best_q and q > 0:
            best, best_q = primary, q
    return best
