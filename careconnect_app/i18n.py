"""Translations from `translations/<locale>/<area>.json`, keyed as "<area>.<key>".

Plain Python so services (messages, documents) and pages share one source of words.
"""

from __future__ import annotations

import json
import string
from functools import lru_cache

from babel import Locale

from careconnect_app.config import PROJECT_ROOT

TRANSLATIONS_DIR = PROJECT_ROOT / "translations"
SUPPORTED_LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"


def chosen_locale(value: object) -> str | None:
    """A language a visitor picked, from an event payload: a supported code, else None (ignored)."""
    return value if isinstance(value, str) and value in SUPPORTED_LOCALES else None


def normalise_locale(locale: str | None) -> str:
    """Map "es-MX", "ES", None ... onto a supported locale."""
    base = (locale or "").split("-")[0].split("_")[0].lower()
    return base if base in SUPPORTED_LOCALES else DEFAULT_LOCALE


def from_accept_language(header: str | None) -> str:
    """The supported locale the browser prefers most ("es-MX,es;q=0.9,en;q=0.8" -> "es"), else English."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        base = tag.split("-")[0].strip().lower()
        if base in SUPPORTED_LOCALES and quality > 0:
            ranked.append((-quality, position, base))
    return min(ranked)[2] if ranked else DEFAULT_LOCALE


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
    """The text for `key` in `locale` (falling back to English, then the key itself).

    A key with plural forms ("key#one", "key#other" ... in the JSON) picks the form CLDR gives
    for the number it shows (Babel's plural rules), e.g. "1 try left" / "2 tries left".
    """
    locale = normalise_locale(locale)
    text = _lookup(key, locale) or _lookup(key, DEFAULT_LOCALE)
    if text is None:
        text = plural_form(key, locale, values) or key
    return text.format(**values) if values else text


def _lookup(key: str, locale: str) -> str | None:
    return catalog(locale).get(key) or None


PLURAL_MARK = "#"  # "verify.error.wrong#one": the form of "verify.error.wrong" for one


def plural_form(key: str, locale: str, values: dict[str, object]) -> str | None:
    """The plural form of `key` for the number among `values` (None when `key` has no plural forms).

    The number is `values["count"]`, or else the first placeholder of the "other" form.
    """
    strings = catalog(locale) if f"{key}{PLURAL_MARK}other" in catalog(locale) else catalog(DEFAULT_LOCALE)
    other = strings.get(f"{key}{PLURAL_MARK}other")
    if other is None:
        return None
    count = values.get("count")
    if count is None:
        names = [name for _, name, _, _ in string.Formatter().parse(other) if name]
        count = values.get(names[0]) if names else None
    if not isinstance(count, (int, float)):
        return other
    form = _plural_rule(locale if strings is catalog(locale) else DEFAULT_LOCALE)(count)
    return strings.get(f"{key}{PLURAL_MARK}{form}") or other


@lru_cache(maxsize=None)
def _plural_rule(locale: str):
    return Locale.parse(locale).plural_form
