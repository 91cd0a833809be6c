"""SMS text: GSM-7 with look-alikes replaced, segment counts, every template within two segments."""

from __future__ import annotations

import json

import pytest

from careconnect_app.i18n import TRANSLATIONS_DIR, t
from careconnect_app.messaging.sms_text import SEGMENT_BUDGET, gsm_text, sms_body, sms_segments

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


def _filled(locale: str, key: str, provider: str, child: str, guardian: str) -> str:
    values = dict(provider=provider, child=child, child_full=f"{child} Hernández-Villanueva",
                  guardian=guardian, agency="Valley Child Care Subsidy Program", url=LINK, code="123456",
                  minutes=10, period="Nov 1, 2026 – Nov 30, 2026", expires="Dec 14, 2026",
                  reference="CC-7F3K-9Q2M", date="Dec 14, 2026",  # the signed notice's
                  copy=max((t(f"messages.signed.{k}.sms", locale) for k in ("copy_emailed", "copy_link")), key=len),
                  what=t("messages.contact_change.sms_what", locale), new="(***) ***-0123",
                  pending=t("messages.contact_change.sms_pending", locale), agency_phone="+15555550100")
    return t(f"messages.{key}", locale, **values)


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("provider, child, guardian", LONG_NAMES)
def test_every_sms_template_fits_the_segment_budget(locale, provider, child, guardian):
    keys = sms_templates(locale)
    assert {"ready.sms", "reminder.sms", "code.sms"} <= set(keys)
    for key in keys:
        sent = sms_body(_filled(locale, key, provider, child, guardian))
        assert sms_segments(sent) <= SEGMENT_BUDGET, (key, len(sent), sent)


def test_segment_counts_of_every_template_printed(capsys):
    """The measurement: segments with accents kept and spelled without, per template and language."""
    rows = []
    for locale in ("en", "es"):
        for key in sms_templates(locale):
            for provider, child, guardian in LONG_NAMES[:2] + [("Sunshine Daycare", "Ana", "Rosa")]:
                text = _filled(locale, key, provider, child, guardian)
                sent = sms_body(text)
                rows.append((locale, key, child, sms_segments(text), sms_segments(gsm_text(text)),
                             sms_segments(sent), sent != gsm_text(sent)))
    with capsys.disabled():
        print("\nlocale template        child         as-written  gsm-7  sent  accents-kept")
        for locale, key, child, written, gsm, sent, kept in rows:
            print(f"{locale:6} {key:16} {child:13} {written:10} {gsm:6} {sent:5} {kept}")
    assert all(sent <= SEGMENT_BUDGET for *_, sent, _ in rows)


def test_spanish_code_keeps_its_accents_in_one_segment():
    text = sms_body(t("messages.code.sms", "es", code="123456", minutes=10))
    assert "código" in text
    assert sms_segments(text) == 1


def test_accents_go_only_when_the_budget_is_exceeded():
    short = "CareConnect Firma: Concepción le envió la asistencia de María para firmar."
    assert sms_segments(short) == 2 and sms_body(short) == short  # within budget: accents kept
    long = short + " " + LINK
    assert sms_segments(long) > SEGMENT_BUDGET
    assert sms_body(long) == gsm_text(long)


def test_typography_is_always_plain():
    assert sms_body("“hola” – 8\u00a0h") == '"hola" - 8 h'
