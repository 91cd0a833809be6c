"""SMS text: GSM-7 with look-alikes replaced, segment counts, every template within two segments."""

from __future__ import annotations

import json

import pytest

from careconnect_app.i18n import TRANSLATIONS_DIR, t
from careconnect_app.messaging.sms_text import gsm_text, sms_segments

LINK = "https://sign.careconnect.example.org/sign/" + "A" * 43  # token_urlsafe(32) is 43 chars
LONG_NAMES = [  # (provider, child first name, guardian first name)
    ("Happy Hearts Family Child Care & Preschool, LLC", "Maximiliano", "Guadalupe"),
    ("Centro de Cuidado Infantil Pequeños Exploradores", "María José", "Concepción"),
    ("Little Sprouts Bilingual Early Learning Center", "Thảo", "Nguyễn"),
]


@pytest.mark.parametrize("text, segments", [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("€" * 80, 1), ("€" * 81, 2), ("[" * 10 + "a" * 141, 2),  # extension chars count two
    ("é" * 160, 1),  # é is GSM-7
    ("í" * 70, 1), ("í" * 71, 2), ("í" * 134, 2), ("í" * 135, 3),  # í is not: UCS-2
    ("😀" * 35, 1), ("😀" * 36, 2),  # surrogate pairs count two
])
def test_sms_segments(text, segments):
    assert sms_segments(text) == segments


def test_gsm_text_keeps_gsm_and_replaces_lookalikes():
    assert gsm_text("Sofía Ramírez – “hola” envió") == 'Sofia Ramirez - "hola" envio'
    assert gsm_text("Peña, Müller, é, ¿?") == "Peña, Müller, é, ¿?"  # already GSM-7
    assert gsm_text("Nguyễn Thảo") == "Nguyen Thao"


def sms_templates(locale: str) -> list[str]:
    keys = json.loads((TRANSLATIONS_DIR / locale / "messages.json").read_text(encoding="utf-8"))
    return [k for k in keys if k.endswith("sms")]


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("provider, child, guardian", LONG_NAMES)
def test_every_sms_template_fits_two_segments(locale, provider, child, guardian):
    keys = sms_templates(locale)
    assert {"ready.sms", "reminder.sms", "code.sms", "signed.sms"} <= set(keys)
    values = dict(provider=provider, child=child, child_full=f"{child} Hernández-Villanueva",
                  guardian=guardian, agency="Valley Child Care Subsidy Program", url=LINK, code="123456",
                  minutes=10, period="Nov 1, 2026 – Nov 30, 2026", expires="Dec 14, 2026",
                  reference="CC-7F3K-9Q2M", date="Dec 14, 2026", hash="f" * 64,  # the signed notice's
                  copy=max((t(f"messages.signed.{k}.sms", locale) for k in ("copy_emailed", "copy_link")), key=len),
                  what=t("messages.contact_change.sms_what", locale), new="(***) ***-0123",
                  pending=t("messages.contact_change.sms_pending", locale), agency_phone="+15555550100")
    for key in keys:
        sent = gsm_text(t(f"messages.{key}", locale, **values))
        assert sms_segments(sent) <= 2, (key, len(sent), sent)


def test_templates_themselves_are_gsm7():
    for locale in ("en", "es"):
        for key in sms_templates(locale):
            text = t(f"messages.{key}", locale)
            assert gsm_text(text) == text, (locale, key)
