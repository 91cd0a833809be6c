"""Translations from `translations/<locale>/<area>.json`, keyed as "<area>.<key>".

Plain Python so services (messages, documents) and pages share one source of words.
"""

from __future__ import annotations

import json
from functools import lru_cache

from careconnect_app.config import PROJECT_ROOT

TRANSLATIONS_DIR = PROJECT_ROOT / "translations"
SUPPORTED_LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"


def normalise_locale(locale: str | None) -> str:
    """Map "es-MX", "ES", None ... onto a supported locale."""
    base = (locale or "").split("-")[0].split("_")[0].lower()
    return base if base in SUPPORTED_LOCALES else DEFAULT_LOCALE


@lru_cache(maxsize=None)
def catalog(locale: str) -> dict[str, str]:
    """Every string of a locale, keyed "<file stem>.<key>"."""
    strings: dict[str, str] = {}
    for path in sorted((TRANSLATIONS_DIR / locale).glob("*.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            strings[f"{path.stem}.{key}"] = value
    return strings


def area(locale: str, name: str) -> dict[str, str]:
    """One area's strings without the prefix (what a page ships to the browser)."""
    prefix = f"{name}."
    return {k[len(prefix):]: v for k, v in catalog(normalise_locale(locale)).items() if k.startswith(prefix)}


def t(key: str, locale: str | None = None, **values: object) -> str:
    """The text for `key` in `locale` (falling back to English, then the key itself)."""
    locale = normalise_locale(locale)
    text = catalog(locale).get(key) or catalog(DEFAULT_LOCALE).get(key) or key
    return text.format(**values) if values else text
