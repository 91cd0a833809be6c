"""The parent's side of a signing request: open, review, report a problem, sign.

Each function re-checks the request's state itself: callers (Reflex event handlers) are
public endpoints that any client can call with any arguments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, update

from careconnect_app.clock import utcnow
from careconnect_app.common import audit
from careconnect_app.common.crypto import new_reference
from careconnect_app.i18n import t
from careconnect_app.messaging import compose
from careconnect_app.models import AttendanceSheet, Guardian, Signature, SigningRequest
from careconnect_app.signing import canonical, links
from careconnect_app.signing.strokes import normalise, validate_strokes
from careconnect_app.statuses import Actor, RequestStatus, SheetStatus

CONSENT_VERSION = "esign-consent-v1"
MAX_PROBLEM_LENGTH = 2000


@dataclass
class SignOutcome:
    ok: bool
    error: str = ""  # translation key
    reference: str = ""
    already_signed: bool = False


def document_for(session: Session, request: SigningRequest, locale: str) -> dict:
    """The canonical document for this request as shown in `locale`."""
    sheet = session.get(AttendanceSheet, request.sheet_id)
    guardian = session.get(Guardian, request.guardian_id)
    return canonical.canonical_document(
        session, sheet, guardian, locale=locale,
        certification_text=t("parent.sign.certify", locale),
        provider_certification_text=t("parent.provider_certification", locale),
    )


def mark_opened(session: Session, request: SigningRequest, *, ip: str, user_agent: str, now: datetime | None = None) -> None:
    """Audit each visit; the first one also sets opened_at (shown to the provider)."""
    now = now or utcnow()
    if request.opened_at is None:
        request.opened_at = now
        session.add(request)
    audit.record(session, "link_opened", actor="parent", sheet_id=request.sheet_id,
                 signing_request_id=request.id, ip=ip, user_agent=user_agent, at=now)


def mark_reviewed(session: Session, request: SigningRequest, *, ip: str, user_agent: str, locale: str) -> None:
    """The parent read the attendance and chose "Sign & Submit"."""
    now = utcnow()
    request.reviewed_at = now
    session.add(request)
    doc = document_for(session, request, locale)
    audit.record(session, "reviewed", actor="parent", sheet_id=request.sheet_id,
                 signing_request_id=request.id, ip=ip, user_agent=user_agent,
                 detail={"document_hash": canonical.document_hash(doc)}, at=now)


def report_problem(session: Session, request: SigningRequest, text: str, *, ip: str, user_agent: str) -> str:
    """Record the parent's objection, stop signing, and tell the provider. Returns an error key or ""."""
    text = (text or "").strip()
    if len(text) < 3:
        return "parent.review.problem_too_short"
    text = text[:MAX_PROBLEM_LENGTH]
    if links.status_of(request) != links.LinkStatus.OK:
        return "parent.error.not_signable"
    now = utcnow()
    request.status = RequestStatus.DISPUTED
    request.dispute_text = text
    request.disputed_at = now
    session.add(request)
    audit.record(session, "problem_reported", actor="parent", sheet_id=request.sheet_id,
                 signing_request_id=request.id, ip=ip, user_agent=user_agent, detail={"text": text}, at=now)
    compose.queue_problem_reported(session, request, text)
    return ""


def sign(
    session: Session,
    request_id: int,
    *,
    strokes: object,
    certified: bool,
    consented: bool,
    ip: str,
    user_agent: str,
    locale: str,
    verification_channel: str,
    now: datetime | None = None,
) -> SignOutcome:
    """Sign once: validate, claim the request atomically, store the evidence, lock the sheet."""
    if not certified:
        return SignOutcome(False, "parent.sign.error.certify")
    if not consented:
        return SignOutcome(False, "parent.sign.error.consent")
    if error := validate_strokes(strokes):
        return SignOutcome(False, f"parent.{error}")
    clean = normalise(strokes)
    now = now or utcnow()

    # The conditional UPDATE is the first write: of two racing submits only one can win it.
    won = session.exec(
        update(SigningRequest)
        .where(SigningRequest.id == request_id, SigningRequest.status == RequestStatus.PENDING,
               SigningRequest.expires_at > now)
        .values(status=RequestStatus.SIGNED, signed_at=now)
    ).rowcount == 1
    # Read back from the database, not from the session: the caller may hold these rows from
    # before the claim (a guard in the same transaction), and only the database knows who won.
    request = session.get(SigningRequest, request_id, populate_existing=True)
    if not won:
        if request is not None and request.status == RequestStatus.SIGNED:
            return SignOutcome(False, reference=request.reference, already_signed=True)
        return SignOutcome(False, "parent.error.not_signable")
    sheet = session.get(AttendanceSheet, request.sheet_id, populate_existing=True)
    if sheet.status != SheetStatus.READY_FOR_PARENT or sheet.version != request.sheet_version:
        session.rollback()
        return SignOutcome(False, "parent.error.not_signable")
    reference = _store_signature(session, request, sheet, clean, ip=ip, user_agent=user_agent, locale=locale,
                                 verification_channel=verification_channel, now=now)
    try:
        session.flush()
    except IntegrityError:  # the unique signature row: another submit got there first
        session.rollback()
        existing = session.get(SigningRequest, request_id)
        return SignOutcome(False, reference=existing.reference if existing else "", already_signed=True)
    return SignOutcome(True, reference=reference)


def _store_signature(session: Session, request: SigningRequest, sheet: AttendanceSheet, strokes: dict, *,
                     ip: str, user_agent: str, locale: str, verification_channel: str, now: datetime) -> str:
    """Write the evidence of a won claim, lock the sheet, close the other guardians' links."""
    guardian = session.get(Guardian, request.guardian_id)
    document = document_for(session, request, locale)
    reference = new_reference()
    request.reference = reference
    session.add(request)
    session.add(Signature(
        signing_request_id=request.id, sheet_id=sheet.id, guardian_id=guardian.id,
        signer_name=guardian.full_name, signed_at=now, ip=ip[:64], user_agent=user_agent[:512],
        locale=locale, verification_channel=verification_channel, in_person=request.in_person,
        certification_version=canonical.PARENT_CERTIFICATION_VERSION,
        consent_version=CONSENT_VERSION, consent_accepted_at=now,
        document_json=canonical.canonical_json(document),
        document_hash=canonical.document_hash(document),
        # The image is drawn from these strokes when first needed (evidence.signature_png), not here.
        strokes_json=json.dumps(strokes, separators=(",", ":")), png=b"", reference=reference,
    ))
    sheet.status = SheetStatus.SIGNED
    sheet.signed_at = now
    sheet.updated_at = now
    session.add(sheet)
    # Other guardians' links for this sheet close: one signature completes it (their page says
    # another guardian signed; a link replaced by a resend says so instead).
    session.exec(
        update(SigningRequest)
        .where(SigningRequest.sheet_id == sheet.id, SigningRequest.id != request.id,
               SigningRequest.status == RequestStatus.PENDING)
        .values(status=RequestStatus.CLOSED)
    )
    audit.record(session, "signed", actor=Actor.PARENT, sheet_id=sheet.id, signing_request_id=request.id,
                 ip=ip, user_agent=user_agent, channel=verification_channel,
                 detail={"document_hash": canonical.document_hash(document), "reference": reference,
                         "certification": canonical.PARENT_CERTIFICATION_VERSION,
                         "consent": CONSENT_VERSION, "in_person": request.in_person},
                 at=now)
    return reference


