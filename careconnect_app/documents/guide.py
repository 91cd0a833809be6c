"""The parents' "Digital Submission Guide": its sections as data (for the web page) and as a PDF.

guide.json numbers everything ("s3.title", "s3.p1", "s3.step2", "s3.tip1"), so the web page and the
PDF both render exactly guide_sections() and cannot drift apart. The guide names the buttons the
parent presses as "[[verify.send]]": the label is read from the same parent.json key the screen
shows, so the guide and the screen cannot disagree either.
"""

from __future__ import annotations

import re

from fpdf.enums import XPos, YPos

from careconnect_app.documents import canvas
from careconnect_app.documents.wording import Words
from careconnect_app.i18n import area

__all__ = ["BUTTON_REFERENCE", "guide_sections", "guide_title", "parent_guide_pdf"]

BUTTON_REFERENCE = re.compile(r"\[\[([\w.#]+)\]\]")  # [[review.sign]] -> “Sign & Submit”


def guide_title(locale: str) -> tuple[str, str]:
    """(title, subtitle) of the parents' guide."""
    strings = area(locale, "guide")
    return strings["title"], strings["subtitle"]


def guide_sections(locale: str) -> list[dict]:
    """The guide as data: [{"id", "title", "paragraphs", "steps", "tips"}], in order."""
    strings = _with_button_labels(area(locale, "guide"), area(locale, "parent"))
    sections = []
    n = 1
    while f"s{n}.title" in strings:
        sid = f"s{n}"
        sections.append({
            "id": sid,
            "title": strings[f"{sid}.title"],
            "paragraphs": _numbered(strings, f"{sid}.p"),
            "steps": _numbered(strings, f"{sid}.step"),
            "tips": _numbered(strings, f"{sid}.tip"),
        })
        n += 1
    return sections


def _with_button_labels(strings: dict[str, str], screen: dict[str, str]) -> dict[str, str]:
    """The guide's texts with each [[key]] replaced by the screen's label for that key, quoted."""
    def label(match: re.Match) -> str:
        return f"“{screen[match.group(1)].rstrip('.')}”"

    return {key: BUTTON_REFERENCE.sub(label, text) for key, text in strings.items()}


def _numbered(strings: dict[str, str], prefix: str) -> list[str]:
    """strings[prefix + "1"], strings[prefix + "2"] ... until the first gap."""
    items = []
    while (text := strings.get(f"{prefix}{len(items) + 1}")) is not None:
        items.append(text)
    return items


def parent_guide_pdf(locale: str) -> bytes:
    """The guide as a printable PDF (for agencies to hand out and for parents who ask for paper)."""
    title, subtitle = guide_title(locale)
    pdf = canvas.new_pdf(Words(locale), {"title": title, "subject": subtitle}, title)
    canvas.title(pdf, title, subtitle)
    for number, section in enumerate(guide_sections(locale), start=1):
        canvas.heading(pdf, f"{number}. {section['title']}")
        for text in section["paragraphs"]:
            canvas.paragraph(pdf, text)
        for i, text in enumerate(section["steps"], start=1):
            _list_item(pdf, f"{i}.", text)
        for text in section["tips"]:
            _list_item(pdf, "•", text)
    return bytes(pdf.output())


def _list_item(pdf: canvas.Pdf, marker: str, text: str) -> None:
    """A step or tip with a hanging indent, so wrapped lines align under the text."""
    pdf.set_font(canvas.FONT, "", 11)
    pdf.set_x(pdf.l_margin + 2)
    pdf.cell(7, 5.5, marker)
    pdf.multi_cell(0, 5.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.2)
