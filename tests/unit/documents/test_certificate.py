"""The completion certificate reads as a document: every event in words, local times with UTC, no raw keys."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from careconnect_app.documents.certificate import completion_certificate_pdf
from careconnect_app.documents.evidence_types import AuditEntry
from tests.unit.documents.support import HASH, LONG_UA, ROOT, flat, image_pages, pages_text, squash

RAW = ("link_opened", "code_sent", "code_failed", "copies_queued", "custom_thing", "message_id", "in_person",
       "document_hash", "False", "True", "{", "}")


@pytest.mark.parametrize("locale", ["en", "es"])
def test_certificate(document, signature, events, locale):
    pdf = completion_certificate_pdf(document, signature, events, ["a***@example.com", "(***) ***-0142"], locale)
    assert pdf.startswith(b"%PDF")
    pages = pages_text(pdf)
    lines = "\n".join(pages).splitlines()
    text = flat(pdf)
    assert HASH in text and "CC-7F3K-9Q2M" in text and "Ana Garcia" in text
    assert "a***@example.com" in text and "(***) ***-0142" in text
    assert "198.51.100.23" in text and "2026-11-09 18:15:03 UTC" in text
    # The long user agent is printed for the signer and once in the device list, not on every event.
    assert squash(text).count(squash(LONG_UA)) == 2
    assert max(len(line) for line in lines) < 120
    assert not [raw for raw in RAW if raw in text], "raw keys or values must not appear"
    assert image_pages(pdf)
    assert all(HASH in page for page in pages)
    if locale == "es":
        for expected in ("Certificado de finalización", "Abrió el enlace de firma.", "Comenzó los pasos de firma.",
                         "Ingresó un código de verificación incorrecto (intento 1).",
                         "se envió por mensaje de texto a (***) ***-0142", "Firmó la asistencia (referencia CC-7F3K-9Q2M",
                         "Se envió el enlace de firma por mensaje de texto.", "Se registró un paso.",
                         "9 de noviembre de 2026, 10:15 PST", "Dispositivo 1", "America/Los_Angeles", "Página 1 de"):
            assert expected in text, expected
    else:
        for expected in ("Certificate of Completion", "Opened the signing link.", "Started the signing steps.",
                         "Confirmed their identity with the code sent by text message to (***) ***-0142.",
                         "Certified the attendance and sent it for signature (sheet version 1).",
                         "The signing link was sent by text message.", "A step was recorded.",
                         "the completion certificate to: the provider and the agency",
                         "November 9, 2026, 10:15 AM PST", "Device 1", "Device 2", "Page 1 of", "4" * 64):
            assert expected in text, expected


def test_certificate_without_events_or_contacts(document, signature):
    text = flat(completion_certificate_pdf(document, signature, [], [], "en"))
    assert "Not recorded" in text


def _footer(line: str) -> bool:
    return bool(re.match(r"^(SHA-256:|Reference |Referencia |Page \d|Página \d)", line))


@pytest.mark.parametrize("count", range(0, 36, 3))
def test_no_heading_is_left_alone_at_the_foot_of_a_page(document, signature, events, count):
    many = [replace(events[n % len(events)], at=events[0].at + timedelta(minutes=n)) for n in range(count)]
    pdf = completion_certificate_pdf(document, signature, many, ["a***@example.com"], "en")
    headings = {"Document", "Signer", "Evidence", "Event history", "Devices and browsers"}
    for page in pages_text(pdf)[:-1]:
        content = [line.strip() for line in page.splitlines() if line.strip() and not _footer(line.strip())]
        assert content[-1] not in headings, content[-3:]


def _event_names_in_code() -> set[str]:
    """Every event name the code records: audit.record(session, "name", ...) and visit.audit(session, "name", ...)."""
    names = set()
    for path in (ROOT / "careconnect_app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = getattr(node.func, "attr", "") or getattr(node.func, "id", "") if isinstance(node, ast.Call) else ""
            if called.lstrip("_") in ("record", "audit"):
                if len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                    names.add(node.args[1].value)
            if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == ["event"] \
                    and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                names.add(node.value.value)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple) and any(
                    getattr(e, "id", "") == "event" for t in node.targets if isinstance(t, ast.Tuple) for e in t.elts):
                names.update(e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return names


@pytest.mark.parametrize("locale", ["en", "es"])
def test_every_event_the_code_records_has_its_sentence(locale):
    strings = json.loads((ROOT / "translations" / locale / "documents.json").read_text(encoding="utf-8"))
    names = _event_names_in_code()
    assert {"signed", "reviewed", "started", "copies_queued", "guardian_added"} <= names
    assert [n for n in sorted(names) if f"event_text.{n}" not in strings] == []


def test_a_sentence_never_shows_a_placeholder(document, signature):
    bare = [AuditEntry(datetime(2026, 11, 9, 18, 0), name, "parent", None, None, None, None)
            for name in ("code_sent", "verified", "reminder_sent", "signed", "copies_queued", "problem_reported")]
    text = flat(completion_certificate_pdf(document, signature, bare, [], "en"))
    assert "{" not in text and "nobody (no email address on file)" in text


def test_certificate_prints_the_contact_the_code_went_to(document, signature, events):
    """Finding 2: the contact used for the code, stored at signing, not today's contacts."""
    import dataclasses

    at_signing = dataclasses.replace(signature, verification="sms", code_destination="(***) ***-0123")
    text = flat(completion_certificate_pdf(document, at_signing, events, ["(***) ***-0999"], "en"))
    assert "Code sent to (at signing) (***) ***-0123" in text
    assert "Contact details on file today (***) ***-0999" in text


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
