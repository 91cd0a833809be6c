"""What callers hand the evidence documents: the signature's facts and the audit trail.

Plain dataclasses with no PDF code, so the signing flow can build them without loading fpdf2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["AuditEntry", "SignatureEvidence"]


@dataclass(frozen=True)
class SignatureEvidence:
    """What the signing step recorded (see models.Signature)."""

    signer_name: str
    signed_at: datetime  # UTC; naive values are taken as UTC (the storage convention)
    reference: str
    document_hash: str  # SHA-256 hex of the canonical document
    png: bytes  # the drawn signature
    verification: str | None  # "email", "sms" or None/"" when no code was required
    in_person: bool
    # The masked contact the code went to, stored at signing ("" when no code, or signed before it was kept).
    code_destination: str = ""
    manifest_sha256: str = ""  # the signed evidence manifest ("" for signatures made before manifests)
    key_id: str = ""  # fingerprint of the Ed25519 key that signed the manifest
    previous_event_hash: str = ""  # the audit event the signature follows
    verify_url: str = ""  # where anyone can check the copy
    signature_method: str = "drawn"  # statuses.SignatureMethod: "drawn" on the pad, or "typed" (a name adopted)


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit trail (see models.AuditEvent)."""

    at: datetime
    event: str
    actor: str
    ip: str | None
    user_agent: str | None
    channel: str | None
    detail: str | None
