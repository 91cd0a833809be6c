"""The parents' guide: the same sections in both languages, on the web page and in the PDF."""

from __future__ import annotations

import json

import pytest

from careconnect_app.documents.guide import guide_sections, parent_guide_pdf
from tests.unit.documents.support import pages_text, squash


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
    for fact in ("10 minutes", "5 times", "report a problem", "finger", "mouse", "download", "expire",
                 "never ask for your code by phone", "paper"):
        assert fact in en, fact
    es = json.dumps(guide_sections("es"), ensure_ascii=False)
    for fact in ("10 minutos", "5 veces", "reportar un problema", "dedo", "nunca le pedirá su código", "papel"):
        assert fact in es, fact


@pytest.mark.parametrize("locale,page_label", [("en", "Page 1 of"), ("es", "Página 1 de")])
def test_guide_pdf_renders_the_same_sections(locale, page_label):
    pdf = parent_guide_pdf(locale)
    assert pdf.startswith(b"%PDF")
    text = squash("\n".join(pages_text(pdf)))
    assert squash(page_label) in text
    for section in guide_sections(locale):
        assert squash(section["title"]) in text
        for item in section["paragraphs"] + section["steps"] + section["tips"]:
            assert squash(item) in text
