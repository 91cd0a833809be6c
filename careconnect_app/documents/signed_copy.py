"""The signed attendance copy: the record exactly as the parent reviewed and signed it, with their signature.

Evidence (ESIGN/UETA): it renders only the canonical document and the signature handed in, never
re-reads the database, and prints the document's SHA-256 on every page. It is always in the
language the parent signed in, whoever downloads it; its rows come from documents.rows, the same
function the review screen uses, so the copy lists the same days, times and totals as the screen.
"""

from __future__ import annotations

from fpdf import FontFace
from fpdf.enums import TableBordersLayout

from careconnect_app.common.formatting import format_phone
from careconnect_app.documents import canvas, rows, wording
from careconnect_app.documents.evidence_types import SignatureEvidence
from careconnect_app.i18n import t

__all__ = ["signed_attendance_pdf"]

_ABSENT_FILL = (252, 245, 230)


def signed_attendance_pdf(document: dict, signature: SignatureEvidence) -> bytes:
    """The copy the parent downloads and the agency files, in the document's (signing) language."""
    words = wording.Words(document.get("locale"))
    child, period = wording.party_name(document, "child"), wording.period_text(document, words)
    meta = {"title": f'{words("attendance.title")}: {child}',
            "subject": words("attendance.subject", child=child, period=period),
            "author": wording.party_name(document, "provider") or None, "created": signature.signed_at}
    pdf = canvas.new_pdf(words, meta, words("footer.hash", hash=signature.document_hash),
                         words("footer.reference", reference=signature.reference))
    canvas.title(pdf, words("attendance.title"), wording.party_name(document, "agency"))
    canvas.fields_two_columns(pdf, *_party_rows(document, signature, words))
    canvas.heading(pdf, words("heading.attendance"), keep=40)
    _days_table(pdf, document, words)
    _provider_certification(pdf, document, words)
    _consent(pdf, document, words)
    _signature_section(pdf, document, signature, words)
    return bytes(pdf.output())


def _party_rows(document: dict, signature: SignatureEvidence,
                words: wording.Words) -> tuple[tuple[str, str], list[tuple[str, str]]]:
    """(provider with contact details, the short pairs: left column first, then right)."""
    provider = document.get("provider") or {}
    contact = " · ".join(x for x in (format_phone(provider.get("phone") or ""), provider.get("email") or "") if x)
    provider_text = "\n".join(x for x in (provider.get("name") or "", contact) if x)
    return (words("label.provider"), provider_text), [
        (words("label.child"), wording.party_name(document, "child")),
        (words("label.guardian"), wording.party_name(document, "guardian")),
        (words("label.sheet_version"), str(document.get("sheet_version") or "")),
        (words("label.period"), wording.period_text(document, words)),
        (words("label.reference"), signature.reference),
        (words("label.time_zone"), wording.zone_label(wording.zone_of(document))),
    ]


# --- the days: the review screen's rows -------------------------------------------------------------


def _days_table(pdf: canvas.Pdf, document: dict, words: wording.Words) -> None:
    heads = FontFace(family=canvas.FONT, emphasis="BOLD", size_pt=9.5, fill_color=canvas.HEAD_FILL)
    absent = FontFace(family=canvas.FONT, fill_color=_ABSENT_FILL)
    locale = words.locale
    pdf.set_font(canvas.FONT, "", 10)
    with pdf.table(col_widths=(30, 50, 20), text_align=("LEFT", "LEFT", "RIGHT"),
                   borders_layout=TableBordersLayout.HORIZONTAL_LINES, headings_style=heads,
                   line_height=5.2, padding=(1.4, 2), v_align="TOP") as table:
        table.row([t("parent.review.day", locale), t("parent.review.times", locale), t("parent.review.hours", locale)])
        for day in rows.day_rows(document, locale):
            row = table.row()
            for text in (day.label, day.times, day.hours):
                row.cell(text, style=absent if day.absent else None)
        _totals_rows(table, document, words)
    canvas.paragraph(pdf, words("attendance.no_record_note"), size=8.5, muted=True)
    zone = wording.zone_label(wording.zone_of(document))
    canvas.paragraph(pdf, words("attendance.times_note", zone=zone), size=8.5, muted=True)


def _totals_rows(table, document: dict, words: wording.Words) -> None:
    totals = rows.totals(document)
    bold = FontFace(family=canvas.FONT, emphasis="BOLD", fill_color=canvas.SOFT_FILL)
    for label, value in ((words("label.total_hours"), totals.hours),
                         (words("label.days_present"), str(totals.days_present)),
                         (words("label.days_absent"), str(totals.days_absent)),
                         (words("label.days_without_record"), str(totals.days_without_record))):
        row = table.row()
        row.cell(label, style=bold, colspan=2)
        row.cell(value, style=bold, align="RIGHT")


# --- the certifications and the signature -------------------------------------------------------


def _provider_certification(pdf: canvas.Pdf, document: dict, words: wording.Words) -> None:
    """The statement the provider agreed to when submitting, as it was shown to the parent."""
    provider_cert = document.get("provider_certification") or {}
    if not provider_cert.get("text"):
        return
    canvas.heading(pdf, words("heading.provider_certification"))
    canvas.boxed(pdf, provider_cert["text"])
    if provider_cert.get("submitted_at"):
        stamp = wording.when(provider_cert["submitted_at"], words, wording.zone_of(document))
        canvas.paragraph(pdf, f'{words("label.submitted_at")}: {stamp}', size=9.5, muted=True)


def _consent(pdf: canvas.Pdf, document: dict, words: wording.Words) -> None:
    """The disclosure the parent read and the box they ticked, word for word."""
    consent = document.get("consent") or {}
    if not consent.get("text"):
        return  # documents signed before the consent text was part of them
    canvas.heading(pdf, words("heading.consent"))
    canvas.boxed(pdf, f'{consent["text"]}\n\n☑ {consent.get("agreement") or ""}'.rstrip())


def _signer_rows(document: dict, signature: SignatureEvidence, words: wording.Words) -> list[tuple[str, str]]:
    return [
        (words("label.signer"), signature.signer_name),
        (words("label.signed_at"), wording.when(signature.signed_at, words, wording.zone_of(document))),
        (words("label.verification"), wording.verification_text(signature, words)),
        (words("label.signing_method"), wording.signing_method_text(signature, words)),
        (words("label.signature_method"), wording.signature_method_text(signature, words)),
        (words("label.reference"), signature.reference),
    ]


def _signature_section(pdf: canvas.Pdf, document: dict, signature: SignatureEvidence,
                       words: wording.Words) -> None:
    # The statement the parent certified stays on the same page as their signature.
    if pdf.will_page_break(95):
        pdf.add_page()
    canvas.heading(pdf, words("heading.parent_certification"))
    canvas.boxed(pdf, "☑ " + ((document.get("certification") or {}).get("text") or wording.DASH))
    top = pdf.get_y() + 2  # image on the left, signing details beside it
    pdf.set_y(top)
    image_bottom = canvas.signature_image(pdf, signature.png, signature.signer_name, words("label.signature"))
    pdf.set_y(top)
    canvas.fields(pdf, _signer_rows(document, signature, words), width=pdf.epw - 76)
    pdf.set_y(max(pdf.get_y(), image_bottom) + 2)
    evidence = [(words("label.document_hash"), signature.document_hash)]
    if signature.manifest_sha256:
        evidence.append((words("label.manifest_hash"), signature.manifest_sha256))
    canvas.fields(pdf, evidence)
    canvas.paragraph(pdf, words("attendance.intro"), size=9, muted=True)
    if signature.verify_url:
        canvas.paragraph(pdf, words("attendance.sealed", url=signature.verify_url), size=9, muted=True)
