"""Translations: English and Spanish have the same keys and placeholders, and parents see no English."""

from __future__ import annotations

import json
import re
import string

import pytest

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


# --- plurals ----------------------------------------------------------------------------------


def test_plural_keys_have_one_and_other_in_both_languages():
    for locale in i18n.SUPPORTED_LOCALES:
        strings = i18n.catalog(locale)
        plural = {key.split(i18n.PLURAL_MARK)[0] for key in strings if i18n.PLURAL_MARK in key}
        assert plural, "no plural keys at all"
        for base in plural:
            assert f"{base}#one" in strings and f"{base}#other" in strings, (locale, base)
            assert base not in strings, f"{base} has plural forms and a plain form"


@pytest.mark.parametrize("locale, count, expected", [
    ("en", 1, "That code is not right. 1 try left."),
    ("en", 2, "That code is not right. 2 tries left."),
    ("en", 0, "That code is not right. 0 tries left."),
    ("es", 1, "El código no es correcto. Le queda 1 intento."),
    ("es", 3, "El código no es correcto. Le quedan 3 intentos."),
])
def test_plural_form_follows_the_number(locale, count, expected):
    assert i18n.t("parent.verify.error.wrong", locale, tries=count) == expected


def test_plural_counts_an_explicit_count_and_other_placeholders():
    assert i18n.t("parent.review.no_record_note", "en", count=1).startswith("1 day of the period has")
    assert i18n.t("parent.review.no_record_note", "es", count=2).startswith("2 días del período no tienen")
    assert i18n.t("messages.code.email.body", "en", minutes=1).endswith("1 minute, once.")
    assert i18n.t("messages.code.email.body", "es", minutes=10).endswith("10 minutos, una sola vez.")
    assert i18n.t("parent.verify.error.locked", "es", minutes=1).endswith("en 1 minuto.")
    # Spanish's CLDR "many" form (a million) falls back to "other".
    assert i18n.t("parent.verify.error.wrong", "es", tries=1_000_000).endswith("1000000 intentos.")


# --- one term per thing -------------------------------------------------------------------------
# What the parent reads is the same word on the screen, in the SMS, the email, the guide and the
# PDFs. Each entry: the term to use, and the variants that must not appear (whole words, any case).
TERMS = {
    "en": {
        "code": ("code", ["passcode", "PIN", "one-time password", "OTP"]),
        "mouse": ("mouse", ["trackpad"]),
        "Sign & Submit": ("Sign & Submit", ["Sign and Submit", "Sign & Send"]),
    },
    "es": {
        "código": ("código", ["clave", "PIN"]),
        "mouse": ("mouse", ["ratón"]),
        "enlace": ("enlace", ["vínculo", "link"]),
        "celular": ("celular", ["móvil"]),
        "correo electrónico": ("correo electrónico", ["e-mail", "email", "mail"]),
        "someter": ("Firmar y someter", ["Firmar y enviar", "ENVIAR CÓDIGO"]),
    },
}
PRODUCT_NAME = {"en": "CareConnect Sign", "es": "CareConnect Firma"}


def _every_string(locale: str) -> dict[str, str]:
    """Every string of every translation file of `locale` (screens, messages, guide, documents, portal).

    A guide's [[key]] reference to a screen label is left out: the label itself is checked where it lives;
    so are {placeholders} (names of values, never shown).
    """
    return {f"{path.stem}.{key}": re.sub(r"\[\[[\w.#]+\]\]|\{\w+\}", "", value)
            for path in sorted((TRANSLATIONS_DIR / locale).glob("*.json"))
            for key, value in json.loads(path.read_text(encoding="utf-8")).items()}


@pytest.mark.parametrize("locale", ["en", "es"])
def test_one_term_per_thing_in_every_translation_file(locale):
    strings = _every_string(locale)
    assert {"parent.verify.send", "messages.code.sms", "guide.s4.title", "documents.label.guardian"} <= set(strings)
    found = []
    for concept, (term, variants) in TERMS[locale].items():
        assert any(term.lower() in text.lower() for text in strings.values()), f"{concept}: {term!r} unused"
        for variant in variants:
            pattern = re.compile(rf"(?<!\w){re.escape(variant)}(?!\w)", re.IGNORECASE)
            found += [f"{key}: {variant!r} (use {term!r})" for key, text in strings.items() if pattern.search(text)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("locale", ["en", "es"])
def test_one_product_name_per_language(locale):
    other = PRODUCT_NAME["es" if locale == "en" else "en"]
    wrong = [key for key, text in _every_string(locale).items()
             if other in text or len(re.findall(r"CareConnect", text)) != text.count(PRODUCT_NAME[locale])]
    assert not wrong, f"{locale}: say {PRODUCT_NAME[locale]!r} in {wrong}"


def test_the_clients_spanish_button_labels():
    es = i18n.area("es", "parent")
    assert (es["verify.send"], es["verify.verify"], es["review.sign"], es["sign.submit"]) == (
        "ENVÍE CÓDIGO DE VERIFICACIÓN", "VERIFICAR", "Firmar y someter", "SOMETER")
    en = i18n.area("en", "parent")
    assert (en["verify.send"], en["verify.verify"], en["review.sign"], en["sign.submit"]) == (
        "SEND VERIFICATION CODE", "VERIFY", "Sign & Submit", "SUBMIT")


@pytest.mark.parametrize("header, locale", [
    ("es-MX,es;q=0.9,en;q=0.8", "es"), ("en-US,en;q=0.9,es;q=0.8", "en"), ("fr-FR,es;q=0.5,en;q=0.4", "es"),
    ("fr, de", "en"), ("", "en"), (None, "en"), ("es;q=0, en", "en"), ("en;q=0.2, es;q=0.7", "es"),
    ("es;q=abc", "en"),
])
def test_locale_from_accept_language(header, locale):
    assert i18n.from_accept_language(header) == locale


@pytest.mark.parametrize("value, chosen", [("es", "es"), ("en", "en"), ("fr", None), ("ES", None), ("", None),
                                           (None, None), (["es"], None), ({"locale": "es"}, None), (1, None)])
def test_a_chosen_language_is_one_of_the_apps(value, chosen):
    assert i18n.chosen_locale(value) == chosen
