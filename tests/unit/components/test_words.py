"""A page's words: compiled into the page in both languages, picked by the state's locale."""

from __future__ import annotations

import json

import pytest

from careconnect_app import i18n
from careconnect_app.components.words import words
from careconnect_app.pages.sign.state import SignState


def _js(var) -> str:
    return str(var)


def test_a_key_compiles_to_both_translations_chosen_by_the_locale():
    code = _js(words(SignState, "parent")["landing.title"])
    assert json.dumps(i18n.t("parent.landing.title", "en")) in code
    assert json.dumps(i18n.t("parent.landing.title", "es"), ensure_ascii=False) in code
    assert "locale" in code  # picked in the browser from SignState.locale


def test_the_same_text_in_both_languages_is_one_literal():
    assert i18n.t("portal.nav.label", "en") == i18n.t("portal.nav.label", "es")
    assert _js(words(SignState, "portal")["nav.label"]) == json.dumps(i18n.t("portal.nav.label", "en"))


def test_a_missing_key_fails_when_the_page_is_built_not_on_a_phone():
    with pytest.raises(KeyError, match="parent.no.such.key"):
        words(SignState, "parent")["no.such.key"]


def test_the_sign_state_carries_no_translations():
    assert "tr" not in SignState.base_vars and "locale" in SignState.base_vars
