"""The completion certificate: signer, verification, origin and every event of the signing."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from careconnect_app.documents.certificate import completion_certificate_pdf
from careconnect_app.documents.evidence_types import AuditEntry
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


@pytest.mark.parametrize("locale, says, action, offline", [
    ("en", "Live, at check-in and check-out on the provider's device: 3 taps, of which 1 were kept", "Check-in",
     "Sent after being offline: Yes"),
    ("es", "En vivo, al registrar la entrada y la salida en el dispositivo del proveedor: 3 toques, de los cuales 1",
     "Entrada", "Enviado tras estar sin conexión: Sí"),
])
def test_a_sheet_built_from_live_taps_says_so(document, signature, events, locale, says, action, offline):
    def tapped(hour, what, sent_offline):
        detail = {"action": what, "day": "2026-11-02", "time": f"{hour:02d}:00:00", "offline": sent_offline}
        return AuditEntry(datetime(2026, 11, 2, hour + 8), "attendance_tapped", "provider", "203.0.113.7", "Phone",
                          None, json.dumps(detail))

    corrected = AuditEntry(datetime(2026, 11, 3, 9), "attendance_corrected", "provider", "203.0.113.7", "Phone", None,
                           json.dumps({"day": "2026-11-02", "before": "08:00–12:31", "after": "08:00–12:30",
                                       "reason": "Tapped late", "via": "board"}))
    live = [tapped(8, "check_in", True), tapped(12, "check_out", False), tapped(13, "check_in", False), corrected]
    text = flat(completion_certificate_pdf(document, signature, live + events, [], locale))
    assert says in text and ("corrections afterwards: 1" in text if locale == "en" else "correcciones posteriores: 1" in text)
    assert action in text and offline in text
    assert "08:00–12:31" in text and "Tapped late" in text
    typed = flat(completion_certificate_pdf(document, signature, events, [], locale))
    assert "Live, at check-in" not in typed and "En vivo" not in typed
