"""The signed copy, the completion certificate and the parents' guide (PDFs and translations)."""

from __future__ import annotations

import io
import json
import re
import string
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from careconnect_app.documents import canvas
from careconnect_app.documents.canvas import (
    AuditEntry,
    SignatureEvidence,
    completion_certificate_pdf,
    guide_sections,
    parent_guide_pdf,
    signed_attendance_pdf,
)

ROOT = Path(__file__).resolve().parents[2]
HASH = "3f9a0c2be41d7785a9c3e2f10b6d4a8e5c7f9012ab34cd56ef7890a1b2c3d4e5"
LONG_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1 FBAN/FBIOS;FBAV/452.0.0.41.109;FBBV/567386340;"
    "FBDV/iPhone15,3;FBMD/iPhone;FBSN/iOS;FBSV/17.4.1;FBSS/3;FBID/phone;FBLC/es_LA;FBOP/5"
)
KNOWN_EVENTS = [
    "link_opened", "code_sent", "code_failed", "verified", "reviewed", "signed", "problem_reported",
    "submitted", "notified", "recalled", "document_downloaded",
]


def _signature_png() -> bytes:
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(30, 150), (90, 40), (140, 160), (220, 60), (400, 140), (560, 70)],
                               fill=(20, 30, 90, 255), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def document() -> dict:
    def day(d, pairs, minutes):
        return {"date": d, "absent": False, "absence_reason": None,
                "pairs": [{"in": a, "out": b} for a, b in pairs], "minutes": minutes}

    return {
        "schema": "careconnect.attendance.v1",
        "agency": {"name": "Valley Child Care Subsidy Program"},
        "provider": {"name": "Little Sprouts Family Child Care", "phone": "+15555550100",
                     "email": "hello@littlesprouts.example"},
        "child": {"name": "Mateo Garcia"},
        "guardian": {"name": "Ana Garcia"},
        "period": {"start": "2026-11-02", "end": "2026-11-08"},
        "days": [
            day("2026-11-02", [("08:00", "12:30"), ("13:00", "17:15")], 525),
            {"date": "2026-11-03", "absent": True, "absence_reason": "Sick", "pairs": [], "minutes": 0},
            day("2026-11-04", [("07:45", "16:45")], 540),
            day("2026-11-05", [("08:00", "17:00")], 540),
            day("2026-11-06", [("08:15", "16:00")], 465),
            # 2026-11-07 and 2026-11-08: no record at all
        ],
        "totals": {"minutes": 2070, "days_present": 4, "days_absent": 1},
        "certification": {"version": "parent-cert-v1",
                          "text": "I certify that the attendance shown is accurate."},
        "provider_certification": {"text": "I certify this record is complete.",
                                   "submitted_at": "2026-11-09T16:02:11Z"},
        "sheet_version": 1,
        "locale": "en",
    }


@pytest.fixture(scope="module")
def signature() -> SignatureEvidence:
    return SignatureEvidence(
        signer_name="Ana Garcia", signed_at=datetime(2026, 11, 9, 18, 15, 3), reference="CC-7F3K-9Q2M",
        document_hash=HASH, png=_signature_png(), verification="sms", in_person=False,
    )


@pytest.fixture(scope="module")
def events() -> list[AuditEntry]:
    def at(minute):
        return datetime(2026, 11, 9, 18, minute, 0)

    return [
        AuditEntry(datetime(2026, 11, 9, 16, 2, 11), "submitted", "provider", "203.0.113.7", "Firefox", "web", None),
        AuditEntry(at(10), "link_opened", "parent", "198.51.100.23", LONG_UA, "sms", None),
        AuditEntry(at(11), "code_sent", "parent", "198.51.100.23", LONG_UA, "sms", '{"to": "(***) ***-0142"}'),
        AuditEntry(at(12), "code_failed", "parent", "198.51.100.23", LONG_UA, "sms", '{"attempt": 1}'),
        AuditEntry(at(13), "verified", "parent", "198.51.100.23", LONG_UA, "sms", None),
        AuditEntry(at(14), "reviewed", "parent", "198.51.100.23", LONG_UA, "web", None),
        AuditEntry(at(15), "signed", "parent", "198.51.100.23", LONG_UA, "web", None),
        AuditEntry(at(16), "custom_thing", "agency", None, None, None, "free text"),
    ]


def _pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _flat(pdf: bytes) -> str:
    """All text with wrapped lines joined (table cells wrap wherever their column ends)."""
    return re.sub(r"\s+", " ", "\n".join(_pages_text(pdf)))


def _image_pages(pdf: bytes) -> list[int]:
    """Page numbers (1-based) that draw an image XObject."""
    found = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        if any(obj.get_object().get("/Subtype") == "/Image" for obj in xobjects.values()):
            found.append(number)
    return found


# --- signed attendance copy ----------------------------------------------------------------


def test_signed_copy_en(document, signature):
    pdf = signed_attendance_pdf(document, signature, "en")
    assert pdf.startswith(b"%PDF")
    text = _flat(pdf)
    for expected in ("Signed Attendance Record", "Mateo Garcia", "Ana Garcia", "Little Sprouts Family Child Care",
                     "Monday, November 2, 2026", "08:00 – 12:30", "13:00 – 17:15", "8:45", "Absent: Sick",
                     "34:30", "Days present: 4", "I certify that the attendance shown is accurate.",
                     "CC-7F3K-9Q2M", "2026-11-09T18:15:03Z", "November 9, 2026, 6:15 PM UTC",
                     "One-time code sent by text message", "(555) 555-0100", "Page 1 of"):
        assert expected in text, expected
    # The two days without any record show dashes, not invented hours.
    assert re.search(r"Saturday, November 7, 2026 — — —", text)
    assert re.search(r"Sunday, November 8, 2026 — — —", text)
    assert _image_pages(pdf), "signature image must be embedded"


def test_signed_copy_es_has_accents_and_spanish_labels(document, signature):
    text = _flat(signed_attendance_pdf(document, signature, "es"))
    for expected in ("Registro de asistencia firmado", "lunes, 2 de noviembre de 2026", "miércoles, 4 de noviembre",
                     "sábado, 7 de noviembre", "Período de asistencia", "Niño(a)", "Días de asistencia: 4",
                     "Días de ausencia: 1", "Ausente: Sick", "Verificación de", "Página 1 de",
                     "9 de noviembre de 2026, 18:15 UTC", "34:30", "Mateo Garcia", HASH):
        assert expected in text, expected


def test_every_page_footer_has_hash_and_page_x_of_y(document, signature):
    pages = _pages_text(signed_attendance_pdf(document, signature, "es"))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"SHA-256: {HASH}" in text
        assert f"Página {number} de {len(pages)}" in text


def test_signed_copy_metadata_and_language(document, signature):
    reader = PdfReader(io.BytesIO(signed_attendance_pdf(document, signature, "es")))
    assert reader.trailer["/Root"]["/Lang"] == "es-US"
    assert reader.metadata.title == "Registro de asistencia firmado: Mateo Garcia"
    assert "Mateo Garcia" in reader.metadata.subject
    assert reader.metadata.creation_date == datetime(2026, 11, 9, 18, 15, 3, tzinfo=timezone.utc)


def test_fonts_are_embedded_from_the_app_not_the_system(document, signature):
    reader = PdfReader(io.BytesIO(signed_attendance_pdf(document, signature, "en")))
    fonts = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in name for name in fonts)
    font_dir = ROOT / "careconnect_app" / "documents" / "fonts"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"):
        assert (font_dir / name).is_file()


def test_same_evidence_gives_same_bytes(document, signature):
    aware = replace(signature, signed_at=signature.signed_at.replace(tzinfo=timezone.utc))
    assert signed_attendance_pdf(document, signature, "en") == signed_attendance_pdf(document, aware, "en")


def test_missing_signature_image_is_refused(document, signature):
    with pytest.raises(ValueError):
        signed_attendance_pdf(document, replace(signature, png=b""), "en")


def test_unknown_locale_falls_back_to_english(document, signature):
    text = _flat(signed_attendance_pdf(document, signature, "fr-CA"))
    assert "Signed Attendance Record" in text and "Page 1 of" in text


def test_in_person_without_code(document, signature):
    evidence = replace(signature, verification=None, in_person=True)
    text = _flat(signed_attendance_pdf(document, evidence, "en"))
    assert "In person, on the provider's device" in text
    assert "no code was required" in text


# --- completion certificate ------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["en", "es"])
def test_certificate(document, signature, events, locale):
    pdf = completion_certificate_pdf(document, signature, events, ["a***@example.com", "(***) ***-0142"], locale)
    assert pdf.startswith(b"%PDF")
    pages = _pages_text(pdf)
    lines = "\n".join(pages).splitlines()
    text = _flat(pdf)
    assert HASH in text and "CC-7F3K-9Q2M" in text and "Ana Garcia" in text
    assert "a***@example.com" in text and "(***) ***-0142" in text
    assert "198.51.100.23" in text and "2026-11-09" in text
    # The long user agent is all there, but wrapped over several lines instead of overflowing.
    assert _squash(LONG_UA) in _squash(text)
    assert all(LONG_UA not in line for line in lines)
    assert max(len(line) for line in lines) < 120
    # Unknown event keys print as they are (squashed: a long key may wrap mid-word).
    assert "custom_thing" in _squash(text)
    assert _image_pages(pdf)
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
    text = _flat(completion_certificate_pdf(document, signature, [], [], "en"))
    assert "Not recorded" in text


@pytest.mark.parametrize("locale", ["en", "es"])
def test_known_events_are_translated(locale):
    strings = json.loads((ROOT / "translations" / locale / "documents.json").read_text(encoding="utf-8"))
    for event in KNOWN_EVENTS:
        assert strings.get(f"event.{event}"), event


# --- parents' guide ------------------------------------------------------------------------


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
    text = _squash("\n".join(_pages_text(pdf)))
    assert _squash(page_label) in text
    for section in guide_sections(locale):
        assert _squash(section["title"]) in text
        for item in section["paragraphs"] + section["steps"] + section["tips"]:
            assert _squash(item) in text


# --- translation files -----------------------------------------------------------------------


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("name", ["documents", "guide"])
def test_locales_have_the_same_keys_and_placeholders(name):
    en = json.loads((ROOT / "translations" / "en" / f"{name}.json").read_text(encoding="utf-8"))
    es = json.loads((ROOT / "translations" / "es" / f"{name}.json").read_text(encoding="utf-8"))
    assert set(en) == set(es)
    for key in en:
        assert isinstance(en[key], str) and isinstance(es[key], str) and es[key].strip(), key
        # Only the clock format differs: 12-hour with AM/PM in English, 24-hour in Spanish.
        assert _placeholders(en[key]) ^ _placeholders(es[key]) <= {"hour12", "ampm", "hour24"}, key


def test_service_does_not_import_reflex():
    source = Path(canvas.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+reflex", source, re.MULTILINE)
