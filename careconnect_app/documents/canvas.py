"""The shared PDF canvas: Letter pages with embedded fonts, a footer, and the blocks documents are made of.

Plain Python (no Reflex) so pages, background jobs and tests share it. The fonts ship in fonts/ beside
this file so accents render the same on every machine. Each document (signed_copy, certificate, guide)
draws with these helpers; the words come from wording.Words.
"""

from __future__ import annotations

import copy
import functools
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.prefs import ViewerPreferences

from careconnect_app.clock import as_utc
from careconnect_app.documents import line_widths
from careconnect_app.documents.wording import DASH, Words

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
FONT_FILES = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}
LANG_TAGS = {"en": "en-US", "es": "es-US"}  # US agencies: US English and US Spanish
line_widths.install()  # fpdf2 breaks lines in linear time, to the same bytes (see line_widths)

INK = (33, 37, 41)
MUTED = (95, 100, 108)
RULE = (190, 196, 202)
HEAD_FILL = (230, 237, 245)
SOFT_FILL = (246, 247, 249)


class Pdf(FPDF):
    """Letter pages with the embedded fonts and a footer on every page."""

    def __init__(self, words: Words, footer_left: str, footer_note: str = ""):
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.words = words
        self.footer_left = footer_left
        self.footer_note = footer_note
        for style in FONT_FILES:
            _add_read_font(self, style)
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=22)
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)

    def output(self, *args, **kwargs):
        _choose_font_files(self)
        return super().output(*args, **kwargs)

    def footer(self) -> None:
        # Evidence pages must be identifiable on their own: hash (or title) and page X of Y.
        self.set_y(-17)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*MUTED)
        page = self.words("footer.page", page=self.page_no(), pages="{nb}")
        self.set_y(self.get_y() + 1.5)
        self.cell(self.epw - 32, 4, self.footer_left)
        self.cell(32, 4, page, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if self.footer_note:
            self.cell(0, 4, self.footer_note)
        self.set_text_color(*INK)


# fpdf2 parses the font again for every document it writes, to cut the letters it drew out of it,
# and DejaVu Sans has 6,253 glyphs. So a document starts from the smallest of these cuts that has
# every letter it drew: LATIN_BLOCKS (Western European letters and the wording's punctuation and
# ballot boxes: 483 glyphs, nearly every document), then COMMON_BLOCKS (all Latin with
# Vietnamese, combining accents, currency, arrows and symbols: 1,968 glyphs), then the whole font
# (a Cyrillic name, say). Either way the embedded subset is the same.
LATIN_BLOCKS = ((0x20, 0x180), (0x2000, 0x2070), (0x20A0, 0x20D0), (0x2610, 0x2613))
COMMON_BLOCKS = ((0x20, 0x250), (0x300, 0x370), (0x1E00, 0x1F00), (0x2000, 0x2070), (0x20A0, 0x20D0),
                 (0x2100, 0x2150), (0x2190, 0x2200), (0x2200, 0x2300), (0x25A0, 0x2600), (0x2600, 0x27C0))
# fpdf2 drops these when it subsets (output.py); dropped here first, they are never parsed.
_UNUSED_TABLES = ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta"]

# fontTools logs a dozen INFO lines for every font it subsets (75 per PDF): noise in the worker's
# log, and a lock every sending thread waited on.
logging.getLogger("fontTools").setLevel(logging.WARNING)


@dataclass(frozen=True)
class _ReadFont:
    read: TTFFont  # as fpdf2's add_font reads it: character map, widths, glyph names, descriptor
    data: bytes  # the whole font file
    cuts: tuple[tuple[bytes, frozenset[str]], ...]  # (font file, its glyph names): LATIN_BLOCKS, COMMON_BLOCKS


def _cut_to_blocks(data: bytes, blocks: tuple[tuple[int, int], ...]) -> tuple[bytes, frozenset[str]]:
    font = ttLib.TTFont(io.BytesIO(data), recalcTimestamp=False)
    options = ftsubset.Options(glyph_names=True, notdef_outline=True, recommended_glyphs=True,
                               layout_features=[], name_IDs=["*"], name_languages=["*"], name_legacy=True)
    options.drop_tables += _UNUSED_TABLES
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(unicodes=[code for start, end in blocks for code in range(start, end)])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), frozenset(font.getGlyphOrder())


@functools.cache
def _read_font(style: str) -> _ReadFont:
    """The font as fpdf2 reads it (its character map, widths and glyph ids), once per process: reading
    DejaVu Sans took a third of each sealed PDF's time, three PDFs for every signature."""
    data = FONT_FILES[style].read_bytes()
    reader = FPDF()
    reader.add_font(FONT, style, str(FONT_FILES[style]))
    cuts = tuple(_cut_to_blocks(data, blocks) for blocks in (LATIN_BLOCKS, COMMON_BLOCKS))
    return _ReadFont(reader.fonts[f"{FONT.lower()}{style}"], data, cuts)


def read_fonts() -> None:
    """Read and cut the fonts now (about 2 s of CPU, once per process), not in the first document."""
    for style in FONT_FILES:
        _read_font(style)


def _add_read_font(pdf: FPDF, style: str) -> None:
    """What `pdf.add_font` does, from the font already read: read-only parts shared (as fpdf2's own
    TTFFont.__deepcopy__ shares them), per-document parts fresh. Documents are drawn on several
    threads at once, so whatever writing a PDF changes is the document's own: its fontTools font
    (subset in place, unparsed until used), its font descriptor (numbered as a PDF object), widths,
    glyph ids and subset map."""
    read = _read_font(style).read
    font = TTFFont.__new__(TTFFont)
    for slot in TTFFont.__slots__:
        if hasattr(read, slot):
            setattr(font, slot, getattr(read, slot))
    font.i = len(pdf.fonts) + 1
    font.ttfont = None  # chosen by _choose_font_files when the document is written
    font.cw, font.glyph_ids = read.cw.copy(), dict(read.glyph_ids)
    font.desc = copy.copy(read.desc)  # writing the PDF numbers it as one of the document's objects
    font.missing_glyphs, font.biggest_size_pt, font._hbfont = [], 0, None
    font.subset = SubsetMap(font)
    pdf.fonts[read.fontkey] = font


def font_file_for(style: str, glyph_names) -> bytes:
    """The font file fpdf2 subsets for a document drawing these glyphs: the smallest cut that has
    them all, else the whole font."""
    known = _read_font(style)
    return next((cut for cut, glyphs in known.cuts if glyphs.issuperset(glyph_names)), known.data)


def _choose_font_files(pdf: FPDF) -> None:
    for style in FONT_FILES:
        font = pdf.fonts.get(_read_font(style).read.fontkey)
        if font is not None and font.ttfont is None:
            data = font_file_for(style, font.subset.get_all_glyph_names())
            font.ttfont = ttLib.TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)


def new_pdf(words: Words, meta: dict, footer_left: str, footer_note: str = "") -> Pdf:
    """A first page with metadata set (title/author/subject/language help screen readers)."""
    pdf = Pdf(words, footer_left, footer_note)
    pdf.set_title(meta["title"])
    pdf.set_subject(meta["subject"])
    pdf.set_author(meta.get("author") or words("meta.author"))
    pdf.set_creator(words("meta.author"))
    pdf.set_lang(LANG_TAGS[words.locale])
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    if meta.get("created"):
        # Taken from the evidence, not the clock, so the same evidence gives the same bytes.
        pdf.set_creation_date(as_utc(meta["created"]))
    pdf.add_page()
    return pdf


def title(pdf: Pdf, text: str, subtitle: str = "") -> None:
    pdf.set_font(FONT, "B", 19)
    pdf.multi_cell(0, 9, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if subtitle:
        pdf.set_font(FONT, "", 11.5)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 6, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
    pdf.ln(3)


def heading(pdf: Pdf, text: str, keep: float = 24) -> None:
    """A section heading, kept on one page with `keep` mm of what follows it (never stranded at a page foot)."""
    if pdf.will_page_break(12 + keep):  # the heading itself takes about 12 mm
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, "B", 12.5)
    pdf.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)


def paragraph(pdf: Pdf, text: str, size: float = 11, muted: bool = False) -> None:
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(*(MUTED if muted else INK))
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.ln(1.5)


def boxed(pdf: Pdf, text: str) -> None:
    """Quoted statements (certifications) stand out from the labels around them."""
    pdf.set_font(FONT, "", 11)
    pdf.set_fill_color(*SOFT_FILL)
    pdf.multi_cell(0, 5.5, text, align="L", fill=True, border=1, padding=(2.5, 3),
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_fill_color(255, 255, 255)  # tables drawn later fill with the current colour
    pdf.ln(1.5)


def _fit_size(pdf: Pdf, text: str, width: float, size: float, smallest: float = 6.5) -> float:
    """Largest font size up to `size` that keeps `text` (a hash) on one line."""
    while size > smallest:
        pdf.set_font(FONT, "", size)
        if pdf.get_string_width(text) <= width:
            break
        size -= 0.5
    return size


_LABEL_STYLE = FontFace(family=FONT, emphasis="BOLD", size_pt=8.5, color=MUTED)


def fields(pdf: Pdf, rows: list[tuple[str, str]], width: float | None = None) -> None:
    """Label/value pairs at the right margin; values wrap, a hash shrinks to stay on one line."""
    width = width or pdf.epw
    label_w = min(width * 0.34, 52)
    pdf.set_font(FONT, "", 10.5)
    with _plain_table(pdf, (label_w, width - label_w), width) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label, style=_LABEL_STYLE)
            row.cell(value or DASH, style=_value_style(pdf, value, width - label_w - 3))
    pdf.ln(1)


def fields_two_columns(pdf: Pdf, wide: tuple[str, str], rows: list[tuple[str, str]]) -> None:
    """One full-width pair, then short pairs side by side, so the header block stays compact."""
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:] + [("", "")] * (2 * half - len(rows))
    pdf.set_font(FONT, "", 10.5)
    with _plain_table(pdf, (34, 56, 34, 56), pdf.epw) as table:
        row = table.row()
        row.cell(wide[0], style=_LABEL_STYLE)
        row.cell(wide[1] or DASH, colspan=3)
        for (l_label, l_value), (r_label, r_value) in zip(left, right):
            row = table.row()
            row.cell(l_label, style=_LABEL_STYLE)
            row.cell(l_value or DASH)
            row.cell(r_label, style=_LABEL_STYLE)
            row.cell(r_value or (DASH if r_label else ""))
    pdf.ln(1)


def _plain_table(pdf: Pdf, col_widths: tuple[float, ...], width: float):
    return pdf.table(col_widths=col_widths, width=width, align="RIGHT",
                     borders_layout=TableBordersLayout.NONE, first_row_as_headings=False,
                     text_align="LEFT", v_align="TOP", line_height=5.2, padding=(0.8, 1.5))


def _value_style(pdf: Pdf, value: str, width: float) -> FontFace:
    size = _fit_size(pdf, value, width, 10.5) if _is_hash(value) else 10.5
    pdf.set_font(FONT, "", 10.5)
    return FontFace(family=FONT, size_pt=size)


def _is_hash(value: str) -> bool:
    return len(value or "") == 64 and all(ch in "0123456789abcdefABCDEF" for ch in value)


def signature_image(pdf: Pdf, png: bytes, signer: str, label: str) -> float:
    """Signature on a signing line with the name below, at the left margin; returns its bottom."""
    if not png:
        raise ValueError("a signed document needs the signature image")
    box_w, box_h = 70.0, 26.0
    if pdf.will_page_break(box_h + 13):
        pdf.add_page()
    x, y = pdf.l_margin, pdf.get_y() + 1
    pdf.image(io.BytesIO(png), x=x, y=y, w=box_w, h=box_h, keep_aspect_ratio=True,
              alt_text=f"{label}: {signer}")
    pdf.set_draw_color(*INK)
    pdf.line(x, y + box_h + 1, x + box_w, y + box_h + 1)
    pdf.set_draw_color(*RULE)
    pdf.set_xy(x, y + box_h + 2)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(box_w, 5, signer, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(box_w, 4.5, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    return pdf.get_y()
