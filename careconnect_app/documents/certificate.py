"""The completion certificate: who signed, how they were verified, from where, and every event in words.

Evidence (ESIGN/UETA) like the signed copy: built only from what the caller hands in, with the
document's SHA-256 on every page. It reads as a document in the reader's language: each audit
event is a sentence, each time is in the agency's time zone (named) with the UTC time beside it.
"""

from __future__ import annotations

from fpdf import FontFace
from fpdf.enums import TableBordersLayout

from careconnect_app.clock import as_utc
from careconnect_app.common.formatting import format_utc_stamp, format_zoned_datetime
from careconnect_app.documents import canvas, wording
from careconnect_app.documents.evidence_types import AuditEntry, SignatureEvidence

__all__ = ["completion_certificate_pdf"]


def completion_certificate_pdf(
    document: dict,
    signature: SignatureEvidence,
    events: list[AuditEntry],
    signer_contacts: list[str],
    locale: str,
) -> bytes:
    """Who signed, how they were verified, from where, and every event of the signing, in `locale`."""
    words = wording.Words(locale)
    last = max([as_utc(signature.signed_at)] + [as_utc(e.at) for e in events])
    meta = {"title": f'{words("certificate.title")}: {signature.reference}',
            "subject": words("certificate.subject", reference=signature.reference), "created": last}
    pdf = canvas.new_pdf(words, meta, words("footer.hash", hash=signature.document_hash),
                         words("footer.reference", reference=signature.reference))
    canvas.title(pdf, words("certificate.title"), wording.party_name(document, "agency"))
    canvas.paragraph(pdf, words("certificate.intro"))
    canvas.heading(pdf, words("heading.document"), keep=30)
    canvas.fields(pdf, _document_rows(document, signature, events, words))
    canvas.heading(pdf, words("heading.signer"), keep=30)
    canvas.fields(pdf, _signer_rows(document, signature, events, signer_contacts, words))
    canvas.signature_image(pdf, signature.png, signature.signer_name, words("label.signature"))
    if signature.manifest_sha256:
        canvas.heading(pdf, words("heading.evidence"), keep=25)
        canvas.fields(pdf, [(words("label.manifest_hash"), signature.manifest_sha256),
                            (words("label.evidence_key"), signature.key_id),
                            (words("label.chain_anchor"), signature.previous_event_hash or wording.DASH)])
    devices = _devices(events)
    canvas.heading(pdf, words("heading.events"), keep=40)
    _events_table(pdf, document, events, devices, words)
    if devices:
        canvas.heading(pdf, words("heading.devices"), keep=15)
        canvas.fields(pdf, [(words("label.device", n=n), agent) for agent, n in devices.items()])
    zone = wording.zone_label(wording.zone_of(document))
    canvas.paragraph(pdf, words("certificate.times_note", zone=zone), size=8.5, muted=True)
    if signature.verify_url:
        canvas.paragraph(pdf, words("certificate.sealed", url=signature.verify_url), size=8.5, muted=True)
    return bytes(pdf.output())


def _document_rows(document: dict, signature: SignatureEvidence, events: list[AuditEntry],
                   words: wording.Words) -> list[tuple[str, str]]:
    child, period = wording.party_name(document, "child"), wording.period_text(document, words)
    submitted = (document.get("provider_certification") or {}).get("submitted_at")
    live = wording.live_recording_text(events, words)
    return [
        (words("label.document"), words("certificate.document_name", child=child, period=period)),
        (words("label.agency"), wording.party_name(document, "agency")),
        (words("label.provider"), wording.party_name(document, "provider")),
        (words("label.reference"), signature.reference),
        (words("label.document_hash"), signature.document_hash),
        (words("label.sheet_version"), str(document.get("sheet_version") or "")),
        (words("label.submitted_at"), wording.when(submitted, words, wording.zone_of(document)) if submitted else ""),
        (words("label.status"), words("certificate.status_completed")),
        *([(words("label.recorded"), live)] if live else []),
    ]


def _signer_rows(document: dict, signature: SignatureEvidence, events: list[AuditEntry],
                 contacts: list[str], words: wording.Words) -> list[tuple[str, str]]:
    # Where the signature came from is the last "signed" event of the trail.
    signed = next((e for e in reversed(events) if e.event == "signed"), None)
    missing = words("value.not_recorded")
    return [
        (words("label.signer"), signature.signer_name),
        (words("label.verification"), wording.verification_text(signature, words)),
        (words("label.code_sent_to"), signature.code_destination or (missing if signature.verification else "—")),
        (words("label.contacts"), "\n".join(c for c in contacts if c) or missing),
        (words("label.signing_method"), wording.signing_method_text(signature, words)),
        (words("label.signature_method"), wording.signature_method_text(signature, words)),
        (words("label.signed_at"), wording.when(signature.signed_at, words, wording.zone_of(document))),
        (words("label.ip"), (signed and signed.ip) or missing),
        (words("label.user_agent"), (signed and signed.user_agent) or missing),
    ]


def _devices(events: list[AuditEntry]) -> dict[str, int]:
    """Each browser (user agent) once, numbered in order of first use: the table names the number."""
    numbered: dict[str, int] = {}
    for e in sorted(events, key=lambda e: as_utc(e.at)):
        if e.user_agent and e.user_agent not in numbered:
            numbered[e.user_agent] = len(numbered) + 1
    return numbered


def _events_table(pdf: canvas.Pdf, document: dict, events: list[AuditEntry], devices: dict[str, int],
                  words: wording.Words) -> None:
    """One row per event: when (local, then UTC), what happened in words, who and from where, the device."""
    heads = FontFace(family=canvas.FONT, emphasis="BOLD", size_pt=8, fill_color=canvas.HEAD_FILL)
    zone = wording.zone_of(document)
    pdf.set_font(canvas.FONT, "", 8)
    with pdf.table(col_widths=(40, 82, 36, 22), text_align="LEFT", v_align="TOP",
                   borders_layout=TableBordersLayout.HORIZONTAL_LINES, headings_style=heads,
                   line_height=3.8, padding=(1.2, 1.2)) as table:
        table.row([words("col.when"), words("col.what"), words("col.who"), words("col.device")])
        for e in sorted(events, key=lambda e: as_utc(e.at)):
            who = words.known("actor", e.actor) or wording.DASH
            table.row([
                f"{format_zoned_datetime(e.at, zone, words.locale)}\n{format_utc_stamp(e.at)}",
                wording.event_sentence(e, words),
                f"{who}\n{e.ip}" if e.ip else who,
                words("label.device", n=devices[e.user_agent]) if e.user_agent else wording.DASH,
            ])
    pdf.ln(2)
