"""documents.line_widths: fpdf2's line breaking in linear time, to the same lines and the same bytes."""

from __future__ import annotations

import re
from dataclasses import replace

import fpdf
import pytest
from fpdf import FPDF
from fpdf.line_break import CurrentLine, Fragment

from careconnect_app.documents import canvas, line_widths
from careconnect_app.documents.certificate import completion_certificate_pdf
from careconnect_app.documents.guide import parent_guide_pdf
from careconnect_app.documents.signed_copy import signed_attendance_pdf
from careconnect_app.documents.wording import Words

TEXTS = [
    "Ana María Muñoz-Castañeda certifies the attendance of Zoë Ærø for 1–31 October " * 6,
    "a" * 400,  # nothing to break at: broken mid-word
    "sha256:" + "9f2c" * 40 + " then words after a very long hash",
    "soft\u00adhyphen\u00adated words\u00a0with\u00a0non-breaking spaces " * 8,
    "**Bold part** then regular, **bold again** and --underlined-- text " * 6,  # several fragments per line
    "Nguyễn Thị Mai · Łukasz Øster · ☑ ☐ — “quoted” ‘words’ " * 5,
    "short",
    "line one\nline two that is rather longer than the first one\n\nafter an empty line " * 3,
]


def undated(pdf: bytes) -> bytes:
    """The guide is dated when it is made (its creation date, and the file ID made from it)."""
    return re.sub(rb"/CreationDate \(D:\d+Z\)|/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"", pdf)


@pytest.fixture
def fpdf_measuring():
    """Run a test body with fpdf2's own measuring, then put ours back."""
    line_widths.uninstall()
    yield
    assert line_widths.install()


def _lines(font: str, width: float) -> list[list[str]]:
    pdf = FPDF(format="Letter")
    pdf.add_page()
    if font == "DejaVu":
        pdf.add_font("DejaVu", "", str(canvas.FONT_FILES[""]))
        pdf.add_font("DejaVu", "B", str(canvas.FONT_FILES["B"]))
    pdf.set_font(font, size=11)
    return [pdf.multi_cell(width, 5, text if font == "DejaVu" else text.encode("latin-1", "replace").decode("latin-1"),
                           markdown=True, dry_run=True, output="LINES") for text in TEXTS]


def test_lines_break_where_fpdf2_breaks_them(fpdf_measuring):
    """Every text, at narrow and wide cells, embedded font and a core font (measured by fpdf2 either way)."""
    cases = [(font, width) for font in ("DejaVu", "Helvetica") for width in (12, 40, 95, 180)]
    fpdfs = {case: _lines(*case) for case in cases}
    assert line_widths.install()
    assert {case: _lines(*case) for case in cases} == fpdfs
    assert any(len(lines) > 20 for lines in fpdfs[("DejaVu", 40)])  # the texts do wrap


def test_documents_are_the_same_bytes_as_fpdf2_measuring_alone(document, signature, events, fpdf_measuring):
    """The signed copy, the certificate and the guide, in both languages, with a long name."""
    long_name = replace(signature, signer_name="María de los Ángeles Fernández-Villaseñor y Castañeda")

    def documents() -> list[bytes]:
        return [signed_attendance_pdf(document, long_name),
                signed_attendance_pdf({**document, "locale": "es"}, long_name),
                completion_certificate_pdf(document, long_name, events, [], "en"),
                completion_certificate_pdf(document, long_name, events, [], "es"),
                undated(parent_guide_pdf("en")), undated(parent_guide_pdf("es"))]

    fpdfs = documents()
    assert line_widths.install()
    assert documents() == fpdfs


def test_a_line_is_no_longer_measured_again_for_each_character(monkeypatch):
    """fpdf2 measures each fragment from its first character for every character added: here the
    characters already counted are not counted again."""
    text = "word " * 200
    counted: list[int] = []
    measure = Fragment.get_width

    def counting(self, start=0, end=None, chars=None, initial_cs=True):
        counted.append(len(chars) if chars is not None else len(self.characters[start:end]))  # characters measured
        return measure(self, start, end, chars, initial_cs)

    monkeypatch.setattr(Fragment, "get_width", counting)
    pdf = canvas.new_pdf(Words("en"), {"title": "Widths", "subject": ""}, "Widths")  # the documents' own fonts
    pdf.set_font(canvas.FONT, size=11)
    pdf.multi_cell(120, 5, text, dry_run=True, output="LINES")
    ours = sum(counted)
    line_widths.uninstall()
    try:
        counted.clear()
        pdf.multi_cell(120, 5, text, dry_run=True, output="LINES")
    finally:
        assert line_widths.install()
    assert sum(counted) > 20 * len(text)  # fpdf2 alone: every line's characters again and again
    assert ours < 3 * len(text)  # ours: about each character once (fpdf2 looks up each one's own width)


def test_another_fpdf2_release_is_left_to_measure_by_itself(monkeypatch):
    line_widths.uninstall()
    monkeypatch.setattr(fpdf, "__version__", "9.9.9")
    try:
        assert line_widths.install() is False
        assert CurrentLine.width is line_widths._fpdf_width
    finally:
        monkeypatch.undo()
        assert line_widths.install()
    assert CurrentLine.width is not line_widths._fpdf_width
