"""The parents' guide: the same sections in both languages, on the web page and in the PDF."""

from __future__ import annotations

import json
import re

import pytest

from careconnect_app.documents.guide import BUTTON_REFERENCE, guide_sections, parent_guide_pdf
from tests.unit.documents.support import ROOT, pages_text, squash


def _body_text(pdf: bytes) -> str:
    """The pages' text without their footers (a step that runs over a page break reads whole)."""
    footer = re.compile(r"^.*(Page|Página) \d+ (of|de) \d+\s*$")
    lines = [line for page in pages_text(pdf) for line in page.splitlines() if not footer.match(line)]
    return squash("\n".join(lines))


def _shape(sections: list[dict]) -> list[tuple]:
    return [(s["id"], len(s["paragraphs"]), len(s["steps"]), len(s["tips"])) for s in sections]


def test_guide_sections_same_structure_in_both_locales():
    en, es = guide_sections("en"), guide_sections("es")
    assert len(en) >= 12
    assert _shape(en) == _shape(es)
    for section in en + es:
        assert section["title"].strip()
        assert section["paragraphs"] or section["steps"] or section["tips"]
        assert all(text.strip() for text in section["paragraphs"] + section["steps"] + section["tips"])


def test_guide_covers_the_key_facts():
    en = json.dumps(guide_sections("en"))
    for fact in ("10 minutes", "5 times", "Report a problem", "finger", "mouse", "Download", "keyboard", "expire",
                 "never ask for your code by phone", "paper"):
        assert fact in en, fact
    es = json.dumps(guide_sections("es"), ensure_ascii=False)
    for fact in ("10 minutos", "5 veces", "Reportar un problema", "dedo", "nunca le pedirá su código", "papel"):
        assert fact in es, fact


@pytest.mark.parametrize("locale,page_label", [("en", "Page 1 of"), ("es", "Página 1 de")])
def test_guide_pdf_renders_the_same_sections(locale, page_label):
    pdf = parent_guide_pdf(locale)
    assert pdf.startswith(b"%PDF")
    assert squash(page_label) in squash("\n".join(pages_text(pdf)))
    text = _body_text(pdf)
    for section in guide_sections(locale):
        assert squash(section["title"]) in text
        for item in section["paragraphs"] + section["steps"] + section["tips"]:
            assert squash(item) in text


# The buttons and choices a parent presses, as the screens label them (parent.json keys).
SCREEN_BUTTONS = ("landing.start", "verify.send", "verify.verify", "verify.resend", "verify.other_channel",
                  "review.sign", "review.problem", "review.problem_send", "sign.method.draw", "sign.method.type",
                  "sign.clear", "sign.consent", "sign.certify", "sign.submit", "done.download")


def test_guide_names_its_buttons_only_through_the_screen_keys():
    """One source: the guide's JSON refers to parent.json keys, it never copies a label."""
    for locale in ("en", "es"):
        guide = json.loads((ROOT / "translations" / locale / "guide.json").read_text(encoding="utf-8"))
        screen = json.loads((ROOT / "translations" / locale / "parent.json").read_text(encoding="utf-8"))
        refs = {ref for text in guide.values() for ref in BUTTON_REFERENCE.findall(text)}
        assert set(SCREEN_BUTTONS) <= refs, set(SCREEN_BUTTONS) - refs
        assert refs <= set(screen), refs - set(screen)
        copies = [key for key in SCREEN_BUTTONS for text in guide.values() if screen[key].rstrip(".") in text]
        assert not copies, f"{locale}: labels copied into guide.json instead of [[key]]: {copies}"


def test_guide_refers_to_the_same_buttons_in_both_languages():
    en = json.loads((ROOT / "translations" / "en" / "guide.json").read_text(encoding="utf-8"))
    es = json.loads((ROOT / "translations" / "es" / "guide.json").read_text(encoding="utf-8"))
    for key in en:
        assert sorted(BUTTON_REFERENCE.findall(en[key])) == sorted(BUTTON_REFERENCE.findall(es[key])), key


@pytest.mark.parametrize("locale, labels", [
    ("en", ["SEND VERIFICATION CODE", "VERIFY", "Sign & Submit", "SUBMIT", "Start", "Report a problem",
            "Send to provider", "Type my name", "Clear"]),
    ("es", ["ENVÍE CÓDIGO DE VERIFICACIÓN", "VERIFICAR", "Firmar y someter", "SOMETER", "Comenzar",
            "Reportar un problema", "Escribir mi nombre", "Borrar"]),
])
def test_guide_pdf_names_the_buttons_the_screens_show(locale, labels):
    """The client's exact words, extracted from the PDF text, and every screen button of SCREEN_BUTTONS."""
    text = _body_text(parent_guide_pdf(locale))
    screen = json.loads((ROOT / "translations" / locale / "parent.json").read_text(encoding="utf-8"))
    for label in labels + [screen[key].rstrip(".") for key in SCREEN_BUTTONS]:
        assert squash(f"“{label}”") in text, label
