"""The completion certificate: who signed, how they were verified, from where, and every event.

Evidence (ESIGN/UETA) like the signed copy: built only from what the caller hands in, with the
document's SHA-256 on every page.
"""

from __future__ import annotations

import json

from fpdf import FontFace
from fpdf.enums import TableBordersLayout

from careconnect_app.clock import as_utc
from careconnect_app.documents import canvas
from careconnect_app.documents.evidence_types import AuditEntry, SignatureEvidence
from careconnect_app.documents.wording import (
    Words,
    party_name,
    period_text,
    signature_method_text,
    signing_method_text,
    verification_text,
    when,
)

__all__ = ["completion_certificate_pdf"]


def completion_certificate_pdf(
    document: dict,
    signature: SignatureEvidence,
    events: list[AuditEntry],
    signer_contacts: list[str],
    locale: str,
) -> bytes:
    """Who signed, how they were verified, from where, and every event of the signing."""
    words = Words(locale)
    last = max([as_utc(signature.signed_at)] + [as_utc(e.at) for e in events])
    meta = {"title": f'{words("certificate.title")}: {signature.reference}',
            "subject": words("certificate.subject", reference=signature.reference), "created": last}
    pdf = canvas.new_pdf(words, meta, words("footer.hash", hash=signature.document_hash),
                         words("footer.reference", reference=signature.reference))
    canvas.title(pdf, words("certificate.title"), party_name(document, "agency"))
    canvas.paragraph(pdf, words("certificate.intro"))
    canvas.heading(pdf, words("heading.document"))
    canvas.fields(pdf, _document_rows(document, signature, words))
    canvas.heading(pdf, words("heading.signer"))
    canvas.fields(pdf, _signer_rows(signature, events, signer_contacts, words))
    canvas.signature_image(pdf, signature.png, signature.signer_name, words("label.signature"))
    canvas.heading(pdf, words("heading.events"))
    _events_table(pdf, events, words)
    canvas.paragraph(pdf, words("certificate.times_note"), size=8.5, muted=True)
    return bytes(pdf.output())


def _document_rows(document: dict, signature: SignatureEvidence, words: Words) -> list[tuple[str, str]]:
    child, period = party_name(document, "child"), period_text(document, words)
    submitted = (document.get("provider_certification") or {}).get("submitted_at")
    return [
        (words("label.document"), words("certificate.document_name", child=child, period=period)),
        (words("label.agency"), party_name(document, "agency")),
        (words("label.provider"), party_name(document, "provider")),
        (words("label.reference"), signature.reference),
        (words("label.document_hash"), signature.document_hash),
        (words("label.sheet_version"), str(document.get("sheet_version") or "")),
        (words("label.submitted_at"), when(submitted, words) if submitted else ""),
        (words("label.status"), words("certificate.status_completed")),
    ]


def _signer_rows(signature: SignatureEvidence, events: list[AuditEntry],
                 contacts: list[str], words: Words) -> list[tuple[str, str]]:
    # Where the signature came from is the last "signed" event of the trail.
    signed = next((e for e in reversed(events) if e.event == "signed"), None)
    missing = words("value.not_recorded")
    return [
        (words("label.signer"), signature.signer_name),
        (words("label.contacts"), "\n".join(c for c in contacts if c) or missing),
        (words("label.verification"), verification_text(signature, words)),
        (words("label.signing_method"), signing_method_text(signature, words)),
        (words("label.signature_method"), signature_method_text(signature, words)),
        (words("label.signed_at"), when(signature.signed_at, words)),
        (words("label.ip"), (signed and signed.ip) or missing),
        (words("label.user_agent"), (signed and signed.user_agent) or missing),
    ]


def _detail_text(detail: str | None, words: Words) -> str:
    """Details are stored as JSON objects ({"to": "a***@x.com"}); show them as "Sent to: ..."."""
    if not detail:
        return ""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return detail
    return "\n".join(f"{words.known('detail', str(k))}: {v}" for k, v in data.items())


def _events_table(pdf: canvas.Pdf, events: list[AuditEntry], words: Words) -> None:
    heads = FontFace(family=canvas.FONT, emphasis="BOLD", size_pt=7.5, fill_color=canvas.HEAD_FILL)
    cols = ("col.time_utc", "col.event", "col.actor", "col.ip", "col.user_agent", "col.channel",
            "col.detail")
    pdf.set_font(canvas.FONT, "", 7.5)
    with pdf.table(col_widths=(18, 25, 20, 25, 45, 16, 31), text_align="LEFT", v_align="TOP",
                   borders_layout=TableBordersLayout.HORIZONTAL_LINES, headings_style=heads,
                   line_height=3.6, padding=(1.2, 1.2)) as table:
        table.row([words(c) for c in cols])
        for e in sorted(events, key=lambda e: as_utc(e.at)):
            table.row([
                as_utc(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                words.known("event", e.event),
                words.known("actor", e.actor),
                e.ip or "",
                e.user_agent or "",
                words.known("channel", e.channel),
                _detail_text(e.detail, words),
            ])
    pdf.ln(2)
