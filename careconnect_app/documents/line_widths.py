"""Line breaking in linear time for fpdf2.

fpdf2 2.8.9 measures the whole line again for every character it adds to it (`CurrentLine.width`
sums each fragment's glyph widths from its first character), so a cell's or paragraph's text
costs time that grows with the square of its line length (13 % of a sealed PDF's profile samples;
8.5 % fewer instructions per signed copy and certificate without it). Here each fragment keeps the
running sum of its glyph widths as its characters grow. The sum is made in the same order from the same numbers, so every width, every line break
and every PDF byte is the one fpdf2 itself makes (tests/unit/documents/test_line_widths.py).

Only for the fpdf2 release it was checked against, and only for plain fragments of embedded fonts
(no text shaping, character spacing or stretching, none of which these documents use): anything
else is measured by fpdf2 as before.
"""

from __future__ import annotations

import logging

import fpdf
from fpdf.fonts import TTFFont
from fpdf.line_break import CurrentLine, Fragment

log = logging.getLogger(__name__)
CHECKED_FPDF = "2.8.9"
_fpdf_width = CurrentLine.width


def fragment_width(fragment: Fragment, initial_cs: bool) -> float:
    """`fragment.get_width(initial_cs=initial_cs)`, adding only the characters added since last asked."""
    if type(fragment) is not Fragment or type(font := fragment.font) is not TTFFont or font.is_symbol \
            or fragment.text_shaping_parameters or fragment.char_spacing != 0 or fragment.font_stretching != 100:
        return fragment.get_width(initial_cs=initial_cs)
    characters = fragment.characters
    # fpdf2 only appends to a fragment's list or replaces it (trim): the same list, as long or
    # longer, starts with the characters already summed.
    kept = fragment.__dict__.get("_summed")
    counted, units = (kept[1], kept[2]) if kept is not None and kept[0] is characters and kept[1] <= len(characters) \
        else (0, 0)
    widths = font.cw
    for character in characters[counted:]:
        units += widths[ord(character)]
    fragment._summed = (characters, len(characters), units)
    size = fragment.font_size_pt
    if size > font.biggest_size_pt:  # as TTFFont.get_text_width keeps it
        font.biggest_size_pt = size
    return units * size * 0.001 / fragment.k


def _line_width(line: CurrentLine) -> float:
    width: float = 0
    for i, fragment in enumerate(line.fragments):
        width += fragment_width(fragment, initial_cs=i > 0)
    return width


def install() -> bool:
    """Measure lines this way from now on; False (and fpdf2 left alone) on another fpdf2 release."""
    if fpdf.__version__ != CHECKED_FPDF:
        log.warning("fpdf2 %s: line widths measured by fpdf2 itself (checked against %s)", fpdf.__version__,
                    CHECKED_FPDF)
        return False
    CurrentLine.width = property(_line_width)
    return True


def uninstall() -> None:
    """fpdf2's own measuring again (tests compare the two)."""
    CurrentLine.width = _fpdf_width
