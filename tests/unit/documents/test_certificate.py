"""The completion certificate: signer, verification, origin and every event of the signing."""

from __future__ import annotations

import json

import pytest

from careconnect_app.documents.certificate import completion_certificate_pdf
from tests.unit.documents.support import HASH, LONG_UA, ROOT, flat, image_pages, pages_text, squash

KNOWN_EVENTS = [
    "link_opened", "code_sent", "code_failed", "verified", "reviewed", "signed", "problem_reported",
    "submitted", "notified", "recalled", "document_downloaded",
]


@pytest.mark.parametrize("locale", ["en", "es"])
def test_certificate(document, signature, events, locale):
    pdf = completion_certificate_pdf(document, signature, events, ["a***@example.com", "(***) ***-0142"], locale)
    assert pdf.startswith(b"%PDF")
    pages = pages_text(pdf)
    lines = "\n".join(pages).splitlines()
    text = flat(pdf)
    assert HASH in text and "CC-7F3K-9Q2M" in text and "Ana Garcia" in text
    assert "a***@example.com" in text and "(***) ***-0142" in text
    assert "198.51.100.23" in text and "2026-11-09" in text
    # The long user agent is all there, but wrapped over several lines instead of overflowing.
    assert squash(LONG_UA) in squash(text)
    assert all(LONG_UA not in line for line in lines)
    assert max(len(line) for line in lines) < 120
    # Unknown event keys print as they are (squashed: a long key may wrap mid-word).
    assert "custom_thing" in squash(text)
    assert image_pages(pdf)
    assert all(HASH in page for page in pages)
    if locale == "es":
        for expected in ("Certificado de finalización", "Identidad verificada", "Código de verificación enviado",
                         "Código de verificación incorrecto", "Documento firmado", "Dirección IP",
                         "Enviado a: (***) ***-0142", "Intento: 1", "Página 1 de"):
            assert expected in text, expected
    else:
        for expected in ("Certificate of Completion", "Signing link opened", "Identity verified",
                         "Document signed", "Sent to: (***) ***-0142", "Page 1 of"):
            assert expected in text, expected


def test_certificate_without_events_or_contacts(document, signature):
    text = flat(completion_certificate_pdf(document, signature, [], [], "en"))
    assert "Not recorded" in text


@pytest.mark.parametrize("locale", ["en", "es"])
def test_known_events_are_translated(locale):
    strings = json.loads((ROOT / "translations" / locale / "documents.json").read_text(encoding="utf-8"))
    for event in KNOWN_EVENTS:
        assert strings.get(f"event.{event}"), event


def test_certificate_prints_the_contact_the_code_went_to(document, signature, events):
    """Finding 2: the contact used for the code, stored at signing, not today's contacts."""
    import dataclasses

    at_signing = dataclasses.replace(signature, verification="sms", code_destination="(***) ***-0123")
    text = flat(completion_certificate_pdf(document, at_signing, events, ["(***) ***-0999"], "en"))
    assert "Code sent to (at signing) (***) ***-0123" in text
    assert "Contact details on file today (***) ***-0999" in text
