"""What was signed, as stored: the signature row, the document, and the PDFs made from them.

The PDFs render the stored canonical document, never today's data.
"""

from __future__ import annotations

import json

from sqlmodel import Session, select

from careconnect_app.common import audit
from careconnect_app.common.masking import mask_email, mask_phone
from careconnect_app.documents import certificate, signed_copy
from careconnect_app.documents.evidence_types import AuditEntry, SignatureEvidence
from careconnect_app.models import AttendanceSheet, Guardian, Signature
from careconnect_app.signing.strokes import render_png
from careconnect_app.statuses import SheetStatus


def signature_for(session: Session, request_id: int) -> Signature | None:
    return session.exec(select(Signature).where(Signature.signing_request_id == request_id)).first()


def stored_document(signature: Signature) -> dict:
    """The document exactly as it was signed (never re-rendered from today's data)."""
    return json.loads(signature.document_json)


def signature_png(signature: Signature) -> bytes:
    """The signature image, drawn from the stored strokes the first time it is needed.

    Signing stores the strokes only (rendering took ~24 ms of the signing request); the image is
    a deterministic drawing of them, kept on the row once drawn (the delivery worker draws the
    new ones in the background, see `render_pending_images`).
    """
    if not signature.png:
        signature.png = render_png(json.loads(signature.strokes_json))
    return signature.png


def render_pending_images(session: Session, limit: int = 20) -> int:
    """Draw the images of signatures stored without one; returns how many (the worker's pass)."""
    pending = list(session.exec(select(Signature).where(Signature.png == b"").order_by(Signature.id).limit(limit)))
    for signature in pending:
        session.add(signature)
        signature_png(signature)
    return len(pending)


def evidence(signature: Signature) -> SignatureEvidence:
    """The signature facts a PDF needs."""
    return SignatureEvidence(
        signer_name=signature.signer_name, signed_at=signature.signed_at, reference=signature.reference,
        document_hash=signature.document_hash, png=signature_png(signature),
        verification=signature.verification_channel or None, in_person=signature.in_person,
    )


def signature_of_sheet(session: Session, sheet: AttendanceSheet) -> Signature | None:
    """The signature that completed the sheet (one per sheet: the first guardian to sign)."""
    if sheet.status != SheetStatus.SIGNED:
        return None
    stmt = select(Signature).where(Signature.sheet_id == sheet.id).order_by(Signature.id.desc())  # type: ignore[union-attr]
    return session.exec(stmt).first()


def audit_entries(session: Session, sheet_id: int) -> list[AuditEntry]:
    return [
        AuditEntry(at=e.created_at, event=e.event, actor=e.actor, ip=e.ip or None,
                   user_agent=e.user_agent or None, channel=e.channel or None, detail=e.detail or None)
        for e in audit.events_for_sheet(session, sheet_id)
    ]


def masked_contacts(guardian: Guardian | None) -> list[str]:
    if guardian is None:
        return []
    return [x for x in (mask_email(guardian.email) if guardian.email else "",
                        mask_phone(guardian.phone) if guardian.phone else "") if x]


def signed_attendance_pdf(session: Session, sheet: AttendanceSheet, locale: str) -> tuple[bytes, str] | None:
    """(PDF bytes, reference) of exactly what was signed, or None when the sheet is not signed."""
    sig = signature_of_sheet(session, sheet)
    if sig is None:
        return None
    return signed_copy.signed_attendance_pdf(stored_document(sig), evidence(sig), locale), sig.reference


def completion_certificate_pdf(session: Session, sheet: AttendanceSheet, locale: str) -> tuple[bytes, str] | None:
    """(PDF bytes, reference) of the completion certificate, or None when the sheet is not signed."""
    sig = signature_of_sheet(session, sheet)
    if sig is None:
        return None
    pdf = certificate.completion_certificate_pdf(
        stored_document(sig), evidence(sig), audit_entries(session, sheet.id),
        masked_contacts(session.get(Guardian, sig.guardian_id)), locale,
    )
    return pdf, sig.reference


def signed_copy_for_request(session: Session, request_id: int, locale: str) -> tuple[bytes, str] | None:
    """(PDF bytes, reference) of what this request's guardian signed (the parent's own copy)."""
    sig = signature_for(session, request_id)
    if sig is None:
        return None
    return signed_copy.signed_attendance_pdf(stored_document(sig), evidence(sig), locale), sig.reference
