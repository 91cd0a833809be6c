"""The signed attendance copy: the record exactly as the parent signed it, with their signature.

Evidence (ESIGN/UETA): it renders only the canonical document and the signature handed in, never
re-reads the database, and prints the document's SHA-256 on every page.
"""

from __future__ import annotations

from datetime import date

from fpdf import FontFace
from fpdf.enums import TableBordersLayout

from careconnect_app.attendance import minutes_between, parse_time, period_days
from careconnect_app.common.formatting import format_long_date, format_minutes, format_phone
from careconnect_app.documents import canvas
from careconnect_app.documents.evidence_types import SignatureEvidence
from careconnect_app.documents.wording import (
    DASH,
    Words,
    parse_date,
    party_name,
    period_bounds,
    period_text,
    signature_method_text,
    signing_method_text,
    verification_text,
    when,
)

__all__ = ["signed_attendance_pdf"]

_MAX_PERIOD_DAYS = 62  # a corrupt period must not produce thousands of empty rows
_ABSENT_FILL = (252, 245, 230)


def signed_attendance_pdf(document: dict, signature: SignatureEvidence, locale: str) -> bytes:
    """The copy the parent downloads and the agency files."""
    words = Words(locale)
    child, period = party_name(document, "child"), period_text(document, words)
    meta = {"title": f'{words("attendance.title")}: {child}',
            "subject": words("attendance.subject", child=child, period=period),
            "author": party_name(document, "provider") or None, "created": signature.signed_at}
    pdf = canvas.new_pdf(words, meta, words("footer.hash", hash=signature.document_hash),
                         words("footer.reference", reference=signature.reference))
    canvas.title(pdf, words("attendance.title"), party_name(document, "agency"))
    canvas.fields_two_columns(pdf, *_party_rows(document, signature, words))
    canvas.heading(pdf, words("heading.attendance"))
    _days_table(pdf, document, words)
    _provider_certification(pdf, document, words)
    _signature_section(pdf, document, signature, words)
    return bytes(pdf.output())


def _party_rows(document: dict, signature: SignatureEvidence,
                words: Words) -> tuple[tuple[str, str], list[tuple[str, str]]]:
    """(provider with contact details, the short pairs: left column first, then right)."""
    provider = document.get("provider") or {}
    contact = " · ".join(x for x in (format_phone(provider.get("phone") or ""), provider.get("email") or "") if x)
    provider_text = "\n".join(x for x in (provider.get("name") or "", contact) if x)
    return (words("label.provider"), provider_text), [
        (words("label.child"), party_name(document, "child")),
        (words("label.guardian"), party_name(document, "guardian")),
        (words("label.sheet_version"), str(document.get("sheet_version") or "")),
        (words("label.period"), period_text(document, words)),
        (words("label.reference"), signature.reference),
    ]


# --- the days ----------------------------------------------------------------------------------


def _day_rows(document: dict) -> list[tuple[date, dict | None]]:
    """Every date of the period (gaps included, as None) plus any recorded day outside it."""
    recorded = {d: day for day in document.get("days") or [] if (d := parse_date(day.get("date")))}
    start, end = period_bounds(document)
    dates = set(recorded)
    if start and end and 0 <= (end - start).days < _MAX_PERIOD_DAYS:
        dates.update(period_days(start, end))
    return [(d, recorded.get(d)) for d in sorted(dates)]


def _day_minutes(day: dict) -> int:
    """The day's stored minutes; older documents without them are counted from the pairs."""
    if day.get("absent"):
        return 0
    if isinstance(day.get("minutes"), int):
        return day["minutes"]
    return sum(minutes_between(parse_time(p["in"]), parse_time(p["out"])) for p in day.get("pairs") or [])


def _day_cells(day: dict | None, words: Words) -> tuple[str, str, str]:
    """(in–out lines, hours, notes) for one row; a day with no record is all dashes."""
    if day is None:
        return DASH, DASH, DASH
    if day.get("absent"):
        reason = (day.get("absence_reason") or "").strip()
        note = words("day.absent_reason", reason=reason) if reason else words("day.absent")
        return DASH, format_minutes(0), note
    pairs = "\n".join(f"{p.get('in', '')} – {p.get('out', '')}" for p in day.get("pairs") or [])
    return pairs or DASH, format_minutes(_day_minutes(day)), ""


def _days_table(pdf: canvas.Pdf, document: dict, words: Words) -> None:
    heads = FontFace(family=canvas.FONT, emphasis="BOLD", size_pt=9.5, fill_color=canvas.HEAD_FILL)
    absent = FontFace(family=canvas.FONT, fill_color=_ABSENT_FILL)
    pdf.set_font(canvas.FONT, "", 10)
    with pdf.table(col_widths=(36, 24, 16, 24), text_align=("LEFT", "LEFT", "RIGHT", "LEFT"),
                   borders_layout=TableBordersLayout.HORIZONTAL_LINES, headings_style=heads,
                   line_height=5.2, padding=(1.4, 2), v_align="TOP") as table:
        table.row([words("col.date"), words("col.times"), words("col.hours"), words("col.notes")])
        for d, day in _day_rows(document):
            style = absent if day and day.get("absent") else None
            row = table.row()
            row.cell(format_long_date(d, words.locale, weekday=True), style=style)
            for text in _day_cells(day, words):
                row.cell(text, style=style)
        _totals_row(table, document, words)
    canvas.paragraph(pdf, words("attendance.no_record_note"), size=8.5, muted=True)


def _totals_row(table, document: dict, words: Words) -> None:
    totals = document.get("totals") or {}
    days = [day for _, day in _day_rows(document) if day]
    minutes = totals.get("minutes", sum(_day_minutes(d) for d in days))
    present = totals.get("days_present", sum(1 for d in days if d.get("pairs") and not d.get("absent")))
    absent = totals.get("days_absent", sum(1 for d in days if d.get("absent")))
    bold = FontFace(family=canvas.FONT, emphasis="BOLD", fill_color=canvas.SOFT_FILL)
    row = table.row()
    row.cell(words("label.total_hours"), style=bold, colspan=2)
    row.cell(format_minutes(int(minutes)), style=bold, align="RIGHT")
    row.cell(f'{words("label.days_present")}: {present}\n{words("label.days_absent")}: {absent}', style=bold)


# --- the certifications and the signature -------------------------------------------------------


def _provider_certification(pdf: canvas.Pdf, document: dict, words: Words) -> None:
    """The statement the provider agreed to when submitting, as it was shown to them."""
    provider_cert = document.get("provider_certification") or {}
    if not provider_cert.get("text"):
        return
    canvas.heading(pdf, words("heading.provider_certification"))
    canvas.boxed(pdf, provider_cert["text"])
    if provider_cert.get("submitted_at"):
        canvas.paragraph(pdf, f'{words("label.submitted_at")}: {when(provider_cert["submitted_at"], words)}',
                         size=9.5, muted=True)


def _signer_rows(signature: SignatureEvidence, words: Words) -> list[tuple[str, str]]:
    return [
        (words("label.signer"), signature.signer_name),
        (words("label.signed_at"), when(signature.signed_at, words)),
        (words("label.verification"), verification_text(signature, words)),
        (words("label.signing_method"), signing_method_text(signature, words)),
        (words("label.signature_method"), signature_method_text(signature, words)),
        (words("label.reference"), signature.reference),
    ]


def _signature_section(pdf: canvas.Pdf, document: dict, signature: SignatureEvidence,
                       words: Words) -> None:
    # The statement the parent certified stays on the same page as their signature.
    if pdf.will_page_break(95):
        pdf.add_page()
    canvas.heading(pdf, words("heading.parent_certification"))
    canvas.boxed(pdf, (document.get("certification") or {}).get("text") or DASH)
    top = pdf.get_y() + 2  # image on the left, signing details beside it
    pdf.set_y(top)
    image_bottom = canvas.signature_image(pdf, signature.png, signature.signer_name, words("label.signature"))
    pdf.set_y(top)
    canvas.fields(pdf, _signer_rows(signature, words), width=pdf.epw - 76)
    pdf.set_y(max(pdf.get_y(), image_bottom) + 2)
    canvas.fields(pdf, [(words("label.document_hash"), signature.document_hash)])
    canvas.paragraph(pdf, words("attendance.intro"), size=9, muted=True)
