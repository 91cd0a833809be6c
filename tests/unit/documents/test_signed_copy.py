"""The signed attendance copy: the review's rows, in the signing language, local times named, as evidence."""

from __future__ import annotations

import io
import re
import sys
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from PIL import Image
from pypdf import PdfReader

from careconnect_app.documents import rows
from careconnect_app.documents.signed_copy import signed_attendance_pdf
from tests.unit.documents.support import HASH, ROOT, flat, image_pages, pages_text


def _in(document: dict, locale: str) -> dict:
    return {**document, "locale": locale}


def test_signed_copy_en(document, signature):
    pdf = signed_attendance_pdf(document, signature)
    assert pdf.startswith(b"%PDF")
    text = flat(pdf)
    for expected in ("Signed Attendance Record", "Mateo Garcia", "Ana Garcia", "Little Sprouts Family Child Care",
                     "Mon Nov 2", "8:00 AM – 12:30 PM", "1:00 PM – 5:15 PM", "8 h 45 min", "Absent: Sick",
                     "34 h 30 min", "Days present 4", "Days without a record 2", "I certify that the attendance shown is accurate.",
                     "By signing here you agree to use an electronic signature.", "I agree to sign electronically.",
                     "CC-7F3K-9Q2M", "November 9, 2026, 10:15 AM PST (2026-11-09 18:15:03 UTC)",
                     "America/Los_Angeles", "One-time code sent by text message", "(555) 555-0100", "Page 1 of",
                     "https://sign.careconnect.example.org/verify", "4" * 64):
        assert expected in text, expected
    # The days without any record read as on the review screen: dashes, not invented hours.
    assert re.search(r"Sat Nov 7 — —", text) and re.search(r"Sun Nov 8 — —", text)
    assert "07:45" not in text and "16:45" not in text  # 12-hour times only, as the screen shows them
    assert image_pages(pdf), "signature image must be embedded"


@pytest.mark.parametrize("locale", ["en", "es"])
def test_rows_and_totals_are_the_review_screens(document, signature, locale):
    """The page's rows come from documents.rows; the PDF prints exactly those, in order."""
    text = flat(signed_attendance_pdf(_in(document, locale), signature))
    position = 0
    for row in rows.day_rows(document, locale):
        for part in (row.label, *row.times.split("\n"), row.hours):
            found = text.find(re.sub(r"\s+", " ", part), position)
            assert found >= 0, (part, text[position:position + 200])
            position = found
    totals = rows.totals(document)
    assert totals.hours == "34\u00a0h\u00a030\u00a0min" and re.sub(r"\s+", " ", totals.hours) in text


def test_signed_copy_is_in_the_signing_language(document, signature):
    text = flat(signed_attendance_pdf(_in(document, "es"), signature))
    for expected in ("Registro de asistencia firmado", "lun 2 nov", "mié 4 nov", "sáb 7 nov", "Período de asistencia",
                     "Niño(a)", "Días de asistencia 4", "Días de ausencia 1", "Ausente: Sick", "Página 1 de",
                     "9 de noviembre de 2026, 10:15 PST (2026-11-09 18:15:03 UTC)", "8:00 a. m. – 12:30 p. m.",
                     "34 h 30 min", "Mateo Garcia", HASH):
        assert expected in text, expected


def test_every_page_footer_has_hash_and_page_x_of_y(document, signature):
    pages = pages_text(signed_attendance_pdf(_in(document, "es"), signature))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"SHA-256: {HASH}" in text
        assert f"Página {number} de {len(pages)}" in text


def test_signed_copy_metadata_and_language(document, signature):
    reader = PdfReader(io.BytesIO(signed_attendance_pdf(_in(document, "es"), signature)))
    assert reader.trailer["/Root"]["/Lang"] == "es-US"
    assert reader.metadata.title == "Registro de asistencia firmado: Mateo Garcia"
    assert "Mateo Garcia" in reader.metadata.subject
    assert reader.metadata.creation_date == datetime(2026, 11, 9, 18, 15, 3, tzinfo=timezone.utc)


def test_fonts_are_embedded_from_the_app_not_the_system(document, signature):
    reader = PdfReader(io.BytesIO(signed_attendance_pdf(document, signature)))
    fonts = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in name for name in fonts)
    font_dir = ROOT / "careconnect_app" / "documents" / "fonts"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"):
        assert (font_dir / name).is_file()


def test_same_evidence_gives_same_bytes(document, signature):
    aware = replace(signature, signed_at=signature.signed_at.replace(tzinfo=timezone.utc))
    assert signed_attendance_pdf(document, signature) == signed_attendance_pdf(document, aware)


def test_fonts_read_once_give_the_bytes_fpdf_add_font_gives(document, signature, monkeypatch):
    """canvas reads each font once per process (fpdf2 internals): the documents must not change."""
    from careconnect_app.documents import canvas

    twice = signed_attendance_pdf(document, signature), signed_attendance_pdf(document, signature)
    monkeypatch.setattr(canvas, "_add_read_font",
                        lambda pdf, style: pdf.add_font(canvas.FONT, style, str(canvas.FONT_FILES[style])))
    assert twice[0] == twice[1] == signed_attendance_pdf(document, signature)
    # Each document subsets its own copy of the font: one with other letters still has them.
    names = replace(signature, signer_name="Łukasz Nguyễn Øster")
    text = "".join(pages_text(signed_attendance_pdf(document, names)))
    monkeypatch.undo()
    assert "Łukasz Nguyễn Øster" in "".join(pages_text(signed_attendance_pdf(document, names))) and "Nguyễn" in text


def test_each_name_comes_from_the_smallest_cut_of_the_font_that_has_it_with_the_same_bytes(
        document, signature, monkeypatch):
    """Documents start from a cut-down font (canvas.LATIN_BLOCKS, then canvas.COMMON_BLOCKS) when it
    has every letter drawn, else from the whole font; either way the PDF is the one fpdf2's own
    add_font gives."""
    from careconnect_app.documents import canvas

    latin_cut, common_cut = (cut for cut, _glyphs in canvas._read_font("").cuts)
    assert canvas.font_file_for("", ["N", "a", "ntilde", "Lslash", "uni2611"]) == latin_cut
    assert canvas.font_file_for("", ["N", "g", "u", "y", "uni1EC5"]) == common_cut
    assert canvas.font_file_for("", ["N", "uni0430"]) == canvas.FONT_FILES[""].read_bytes()
    assert len(latin_cut) < len(common_cut) / 3 and len(common_cut) < len(canvas.FONT_FILES[""].read_bytes()) / 2
    names = ("Ana María Muñoz", "Nguyễn Thị Mai", "Наталья Ким")
    signatures = [replace(signature, signer_name=name) for name in names]
    ours = [signed_attendance_pdf(document, s) for s in signatures]
    monkeypatch.setattr(canvas, "_add_read_font",
                        lambda pdf, style: pdf.add_font(canvas.FONT, style, str(canvas.FONT_FILES[style])))
    assert ours == [signed_attendance_pdf(document, s) for s in signatures]
    for name, pdf in zip(names, ours, strict=True):
        assert name in "".join(pages_text(pdf))


def test_documents_drawn_on_several_threads_at_once_are_each_whole(document, signature, events):
    """The worker seals on many threads, signed copies and certificates (each with its own count of
    PDF objects) side by side: fonts read once must not carry one document's numbering into another."""
    from concurrent.futures import ThreadPoolExecutor

    from careconnect_app.documents.certificate import completion_certificate_pdf

    def copy(name):
        return signed_attendance_pdf(document, replace(signature, signer_name=name))

    def certificate(name):
        return completion_certificate_pdf(document, replace(signature, signer_name=name), events, [], "es")

    jobs = [(make, name) for name in ("Ana García", "Łukasz Øster", "Nguyễn Thị Mai", "Zoë Ærø")
            for make in (copy, certificate)] * 3
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can: a shared object shows
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            made = list(pool.map(lambda job: job[0](job[1]), jobs))
    finally:
        sys.setswitchinterval(switch)
    for (make, name), pdf in zip(jobs, made, strict=True):
        assert name in "".join(pages_text(pdf)) and pdf == make(name)


def test_missing_signature_image_is_refused(document, signature):
    with pytest.raises(ValueError):
        signed_attendance_pdf(document, replace(signature, png=b""))


def test_unknown_locale_falls_back_to_english(document, signature):
    text = flat(signed_attendance_pdf(_in(document, "fr-CA"), signature))
    assert "Signed Attendance Record" in text and "Page 1 of" in text


def test_in_person_without_code(document, signature):
    evidence = replace(signature, verification=None, in_person=True)
    text = flat(signed_attendance_pdf(document, evidence))
    assert "Provider-assisted: in person, on the provider's device" in text
    assert "no code was required" in text


def test_a_document_signed_before_every_day_was_listed_still_shows_the_whole_period(document, signature):
    older = {**document, "schema": "careconnect.attendance.v1",
             "days": [{k: v for k, v in d.items() if k != "recorded"} for d in document["days"] if d["recorded"]],
             "totals": {k: v for k, v in document["totals"].items() if k != "days_without_record"}}
    older.pop("consent")
    text = flat(signed_attendance_pdf(older, signature))
    assert re.search(r"Sat Nov 7 — —", text) and "Days without a record 2" in text


def test_the_drawn_signature_as_rendered_at_signing_shows_in_the_copy(document, signature):
    """The image the parent's strokes are rendered to (a palette of ink blends) is the one the
    copy draws: same size, ink where the strokes are, paper elsewhere."""
    from careconnect_app.signing.strokes import INK_RGB, render_png
    from tests.fakes.data import cursive_strokes

    png = render_png(cursive_strokes())
    pdf = signed_attendance_pdf(document, replace(signature, png=png))
    (drawn,) = [image.image.convert("RGB") for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    rendered = Image.open(io.BytesIO(png)).convert("RGB")
    assert drawn.size == rendered.size == (600, 200)
    colours = {colour for _count, colour in drawn.getcolors(maxcolors=256 * 256)}
    assert INK_RGB in colours and (255, 255, 255) in colours
    assert drawn.tobytes() == rendered.tobytes()
