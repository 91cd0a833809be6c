"""The signed sheet's evidence from the database: the signed PDF and the completion certificate."""

from __future__ import annotations

from sqlmodel import Session, select

from careconnect_app.models import AttendanceSheet, Guardian, Signature
from careconnect_app.common import audit
from careconnect_app.documents import certificate, signed_copy
from careconnect_app.documents.evidence_types import AuditEntry
from careconnect_app.signing import parent_steps
from careconnect_app.common.masking import mask_email, mask_phone
from careconnect_app.statuses import SheetStatus


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
    return signed_copy.signed_attendance_pdf(parent_steps.stored_document(sig), parent_steps.evidence(sig), locale), sig.reference


def completion_certificate_pdf(session: Session, sheet: AttendanceSheet, locale: str) -> tuple[bytes, str] | None:
    """(PDF bytes, reference) of the completion certificate, or None when the sheet is not signed."""
    sig = signature_of_sheet(session, sheet)
    if sig is None:
        return None
    pdf = certificate.completion_certificate_pdf(
        parent_steps.stored_document(sig), parent_steps.evidence(sig), audit_entries(session, sheet.id),
        masked_contacts(session.get(Guardian, sig.guardian_id)), locale,
    )
    return pdf, sig.reference
