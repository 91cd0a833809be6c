"""What was signed, as stored: the signature row, the document, and the sealed PDFs made from them.

The PDFs render the stored canonical document, never today's data, and are sealed (evidence/seal.py)
with the document and the signed manifest inside. Reading (database) and rendering + sealing (CPU)
are separate steps, so a page can read in its database thread and seal off the event loop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, select

from careconnect_app.common import audit
from careconnect_app.common.crypto import sha256_hex
from careconnect_app.common.masking import mask_email, mask_phone
from careconnect_app.common.recent import Recent
from careconnect_app.documents import certificate, signed_copy
from careconnect_app.documents.evidence_types import AuditEntry, SignatureEvidence
from careconnect_app.documents.wording import Words, party_name
from careconnect_app.evidence import keys, seal
from careconnect_app.models import AttendanceSheet, Guardian, Signature
from careconnect_app.signing import links
from careconnect_app.statuses import SheetStatus

# Sealed PDFs made in this process in the last minutes, keyed by everything they are made from: the
# worker attaches the same certificate to the provider's and the agency's emails at the same moment.
_recent_pdfs: Recent[bytes] = Recent(size=32, seconds=300)


def signature_for(session: Session, request_id: int) -> Signature | None:
    return session.exec(select(Signature).where(Signature.signing_request_id == request_id)).first()


def signature_by_reference(session: Session, reference: str) -> Signature | None:
    return session.exec(select(Signature).where(Signature.reference == reference)).first()


def stored_document(signature: Signature) -> dict:
    """The document exactly as it was signed (never re-rendered from today's data)."""
    return json.loads(signature.document_json)


def stored_manifest(signature: Signature) -> dict:
    """The signed manifest ({} for signatures made before manifests existed)."""
    return json.loads(signature.manifest_json) if signature.manifest_json else {}


def evidence(signature: Signature) -> SignatureEvidence:
    """The signature facts a PDF needs."""
    manifest = stored_manifest(signature)
    return SignatureEvidence(
        signer_name=signature.signer_name, signed_at=signature.signed_at, reference=signature.reference,
        document_hash=signature.document_hash, png=signature.png,
        verification=signature.verification_channel or None, in_person=signature.in_person,
        code_destination=signature.code_destination_masked or "",
        manifest_sha256=sha256_hex(signature.manifest_json) if signature.manifest_json else "",
        key_id=signature.manifest_key_id,
        previous_event_hash=(manifest.get("audit") or {}).get("previous_event_sha256", ""),
        verify_url=links.verify_url(),
        signature_method=signature.signature_method,
    )


def evidence_files(signature: Signature) -> seal.EvidenceFiles:
    """The files a sealed PDF carries: the document, the manifest, its signature and the public key."""
    public = keys.trusted_public_keys().get(signature.manifest_key_id)
    return seal.EvidenceFiles(signature.document_json, signature.manifest_json, signature.manifest_signature,
                              keys.public_pem(public) if public is not None else b"")


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


# --- the signed copy: read, then render and seal ------------------------------------------------------


@dataclass(frozen=True)
class CopyParts:
    """Everything the sealed signed copy is made of, read from the database."""

    document: dict  # exactly as signed
    evidence: SignatureEvidence
    files: seal.EvidenceFiles
    reference: str


def copy_parts(signature: Signature) -> CopyParts:
    return CopyParts(stored_document(signature), evidence(signature), evidence_files(signature), signature.reference)


def sealed_copy(parts: CopyParts) -> bytes:
    """The signed copy in the signing language, sealed (CPU work: run it off the event loop)."""
    words = Words(parts.document.get("locale"))
    pdf = signed_copy.signed_attendance_pdf(parts.document, parts.evidence)
    reason = words("seal.reason_copy", reference=parts.reference, signer=parts.evidence.signer_name)
    return seal.seal(pdf, parts.files, reason=reason, location=party_name(parts.document, "agency"))


def _sealer() -> str:
    """Which certificate seals now: a PDF sealed before the certificate was replaced is not reused."""
    return sha256_hex(keys.seal_identity().certificate)


def signed_attendance_pdf(session: Session, sheet: AttendanceSheet) -> tuple[bytes, str] | None:
    """(sealed PDF, reference) of exactly what was signed, or None when the sheet is not signed."""
    sig = signature_of_sheet(session, sheet)
    if sig is None:
        return None
    parts = copy_parts(sig)
    key = ("copy", _sealer(), sha256_hex(repr(parts)))
    return _recent_pdfs.get(key, lambda: sealed_copy(parts)), sig.reference


def completion_certificate_pdf(session: Session, sheet: AttendanceSheet, locale: str) -> tuple[bytes, str] | None:
    """(sealed PDF, reference) of the completion certificate in `locale`, or None when the sheet is not signed."""
    sig = signature_of_sheet(session, sheet)
    if sig is None:
        return None
    document, facts, files = stored_document(sig), evidence(sig), evidence_files(sig)
    entries, contacts = audit_entries(session, sheet.id), masked_contacts(session.get(Guardian, sig.guardian_id))

    def make() -> bytes:
        pdf = certificate.completion_certificate_pdf(document, facts, entries, contacts, locale)
        reason = Words(locale)("seal.reason_certificate", reference=sig.reference)
        return seal.seal(pdf, files, reason=reason, location=party_name(document, "agency"))

    # The trail grows (a receipt, a download): a certificate is reused only while all it shows is the same.
    key = ("certificate", _sealer(), locale, sha256_hex(repr((document, facts, files, entries, contacts))))
    return _recent_pdfs.get(key, make), sig.reference
