"""Translations: English and Spanish have the same keys and placeholders, and parents see no English."""

from __future__ import annotations

import json
import re
import string

from careconnect_app import i18n
from careconnect_app.i18n import TRANSLATIONS_DIR


def _placeholders(text):
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_locales_have_the_same_keys_and_placeholders():
    en, es = i18n.catalog("en"), i18n.catalog("es")
    assert set(en) == set(es)
    for key in en:
        if ".format." in key:  # date/time patterns legitimately differ (12 h vs 24 h clocks)
            continue
        assert _placeholders(en[key]) == _placeholders(es[key]), key


def test_parent_pages_have_no_untranslated_spanish_strings():
    en, es = i18n.area("en", "parent"), i18n.area("es", "parent")
    same = {k for k in en if en[k] == es[k] and not re.fullmatch(r"[\W\d_]*|\{.*\}.*", en[k])}
    # Only proper names may be the same in both languages.
    assert same <= {"app_name"} or same == set(), same


def test_portal_translations_have_the_same_keys():
    en = json.loads((TRANSLATIONS_DIR / "en" / "portal.json").read_text(encoding="utf-8"))
    es = json.loads((TRANSLATIONS_DIR / "es" / "portal.json").read_text(encoding="utf-8"))
    assert set(en) == set(es)
    assert all(v.strip() for v in es.values())
    for key in ("outside_period", "absent_with_times", "incomplete_pair", "out_before_in", "overlap"):
        assert f"attendance.error.{key}" in en
