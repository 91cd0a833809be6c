"""The signed attendance copy: what it shows, in both languages, and that it is evidence."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader

from careconnect_app.documents.signed_copy import signed_attendance_pdf
from tests.unit.documents.support import HASH, ROOT, flat, image_pages, pages_text


def test_signed_copy_en(document, signature):
    pdf = signed_attendance_pdf(document, signature, "en")
    assert pdf.startswith(b"%PDF")
    text = flat(pdf)
    for expected in ("Signed Attendance Record", "Mateo Garcia", "Ana Garcia", "Little Sprouts Family Child Care",
                     "Monday, November 2, 2026", "08:00 – 12:30", "13:00 – 17:15", "8 h 45 min", "Absent: Sick",
                     "34 h 30 min", "Days present: 4", "I certify that the attendance shown is accurate.",
                     "CC-7F3K-9Q2M", "2026-11-09T18:15:03Z", "November 9, 2026, 6:15 PM UTC",
                     "One-time code sent by text message", "(555) 555-0100", "Page 1 of"):
        assert expected in text, expected
    # The two days without any record show dashes, not invented hours.
    assert re.search(r"Saturday, November 7, 2026 — — —", text)
    assert re.search(r"Sunday, November 8, 2026 — — —", text)
    assert image_pages(pdf), "signature image must be embedded"


def test_signed_copy_es_has_accents_and_spanish_labels(document, signature):
    text = flat(signed_attendance_pdf(document, signature, "es"))
    for expected in ("Registro de asistencia firmado", "lunes, 2 de noviembre de 2026", "miércoles, 4 de noviembre",
                     "sábado, 7 de noviembre", "Período de asistencia", "Niño(a)", "Días de asistencia: 4",
                     "Días de ausencia: 1", "Ausente: Sick", "Verificación de", "Página 1 de",
                     "9 de noviembre de 2026, 18:15 UTC", "34 h 30 min", "Mateo Garcia", HASH):
        assert expected in text, expected


def test_every_page_footer_has_hash_and_page_x_of_y(document, signature):
    pages = pages_text(signed_attendance_pdf(document, signature, "es"))
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
    text = flat(signed_attendance_pdf(document, signature, "fr-CA"))
    assert "Signed Attendance Record" in text and "Page 1 of" in text


def test_in_person_without_code(document, signature):
    evidence = replace(signature, verification=None, in_person=True)
    text = flat(signed_attendance_pdf(document, evidence, "en"))
    assert "In person, on the provider's device" in text
    assert "no code was required" in text
