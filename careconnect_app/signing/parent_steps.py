"""The parent's side of a signing request: open, review, report a problem, sign.

Each function re-checks the request's state itself: callers (Reflex event handlers) are
public endpoints that any client can call with any arguments. A change of a request takes the
sheet's row first (careconnect_app.sheets), so racing changes queue in one order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select, update

from careconnect_app import sheets
from careconnect_app.clock import utcnow
from careconnect_app.common import audit
from careconnect_app.common.crypto import new_reference
from careconnect_app.common.masking import mask_contact
from careconnect_app.i18n import t
from careconnect_app.messaging import compose
from careconnect_app.models import AttendanceSheet, Guardian, Signature, SigningRequest, VerificationCode
from careconnect_app.signing import canonical, in_person, links
from careconnect_app.signing.strokes import normalise, render_png, validate_strokes
from careconnect_app.statuses import Actor, RequestStatus, SheetStatus

CONSENT_VERSION = "esign-consent-v1"
MAX_PROBLEM_LENGTH = 2000


@dataclass
class SignOutcome:
    ok: bool
    error: str = ""  # translation key
    reference: str = ""
    already_signed: bool = False
    message_ids: list[int] = field(default_factory=list)  # the guardian's notice: deliver after commit


def document_for(session: Session, request: SigningRequest, locale: str) -> dict:
    """The canonical document for this request as shown in `locale`."""
    sheet = session.get(AttendanceSheet, request.sheet_id)
    guardian = session.get(Guardian, request.guardian_id)
    return canonical.canonical_document(
        session, sheet, guardian, locale=locale,
        certification_text=t("parent.sign.certify", locale),
        provider_certification_text=t("parent.provider_certification", locale),
    )


def mark_opened(session: Session, request: SigningRequest, *, ip: str, user_agent: str, token_id: int | None = None,
                now: datetime | None = None) -> None:
    """Audit each visit (with which of the request's links was used); the first also sets opened_at."""
    now = now or utcnow()
    if request.opened_at is None:
        request.opened_at = now
        session.add(request)
    audit.record(session, "link_opened", actor="parent", sheet_id=request.sheet_id,
                 signing_request_id=request.id, ip=ip, user_agent=user_agent, at=now,
                 detail={"link_token": token_id} if token_id else "")


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
    # Only a pending request becomes disputed (never a signed one), under the sheet's lock.
    if not (sheets.hold(session, request.sheet_id, request.sheet_version, (SheetStatus.READY_FOR_PARENT,))
            and _move_request(session, request.id, now, status=RequestStatus.DISPUTED, dispute_text=text,
                              disputed_at=now)):
        return "parent.error.not_signable"
    session.refresh(request)
    audit.record(session, "problem_reported", actor="parent", sheet_id=request.sheet_id,
                 signing_request_id=request.id, ip=ip, user_agent=user_agent, detail={"text": text}, at=now)
    compose.queue_problem_reported(session, request, text)
    return ""


def _move_request(session: Session, request_id: int, now: datetime, **values) -> bool:
    """A pending request still unexpired at `now` moves on (signed, disputed); False when it no longer is."""
    return session.exec(
        update(SigningRequest)
        .where(SigningRequest.id == request_id, SigningRequest.status == RequestStatus.PENDING,
               SigningRequest.expires_at > now)
        .values(**values)
    ).rowcount == 1


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
    """Sign once: validate, claim the sheet then the request, store the evidence, tell the guardian.

    The caller has checked the link and the verification; this re-checks everything that can
    change under it. Two guardians signing at once, a double click, or a recall racing the
    signature: the sheet's conditional UPDATE has one winner; the others learn why from the rows.
    """
    if not certified:
        return SignOutcome(False, "parent.sign.error.certify")
    if not consented:
        return SignOutcome(False, "parent.sign.error.consent")
    if error := validate_strokes(strokes):
        return SignOutcome(False, f"parent.{error}")
    clean = normalise(strokes)
    now = now or utcnow()
    request = session.get(SigningRequest, request_id)
    if request is None:
        return SignOutcome(False, "parent.error.not_signable")
    # The first write: on PostgreSQL a racing signature or recall waits here for this one's
    # commit, then finds the sheet moved on (no deadlock between request rows).
    if not (sheets.move(session, request.sheet_id, request.sheet_version, (SheetStatus.READY_FOR_PARENT,),
                        status=SheetStatus.SIGNED, signed_at=now, updated_at=now)
            and _move_request(session, request_id, now, status=RequestStatus.SIGNED, signed_at=now)):
        return _lost(session, request_id)
    if request.in_person and (refused := in_person.refusal(session, session.get(AttendanceSheet, request.sheet_id))):
        session.rollback()  # e.g. "sheet.error.in_person_disputed" -> "parent.error.in_person_disputed"
        return SignOutcome(False, "parent.error." + refused.rsplit(".", 1)[-1])
    session.refresh(request)
    sheet = session.get(AttendanceSheet, request.sheet_id)
    session.refresh(sheet)
    reference = _store_signature(session, request, sheet, clean, ip=ip, user_agent=user_agent, locale=locale,
                                 verification_channel=verification_channel, now=now)
    try:
        session.flush()
    except IntegrityError:  # the unique signature row: another submit got there first
        return _lost(session, request_id)
    notices = compose.queue_signed_notice(session, request)
    for message in notices:
        audit.record(session, "notified", actor=Actor.SYSTEM, sheet_id=sheet.id, signing_request_id=request.id,
                     channel=message.channel, at=now, detail={"message_id": message.id, "kind": message.kind})
    return SignOutcome(True, reference=reference, message_ids=[m.id for m in notices])


def _lost(session: Session, request_id: int) -> SignOutcome:
    """Why this signature did not happen, read after the winner's commit."""
    session.rollback()
    request = session.get(SigningRequest, request_id)
    if request is not None and request.status == RequestStatus.SIGNED:
        return SignOutcome(False, reference=request.reference, already_signed=True)  # a double click
    sheet = session.get(AttendanceSheet, request.sheet_id) if request is not None else None
    if sheet is not None and sheet.status == SheetStatus.SIGNED and sheet.version == request.sheet_version:
        return SignOutcome(False, "parent.error.signed_by_other")
    return SignOutcome(False, "parent.error.not_signable")


def code_destination_masked(session: Session, request_id: int, channel: str) -> str:
    """Where the code that verified this request went, masked ("" when no code was used).

    Read from the consumed code itself, so the evidence keeps the contact used then even if the
    guardian's contact of record changes later.
    """
    if not channel:
        return ""
    code = session.exec(
        select(VerificationCode)
        .where(VerificationCode.signing_request_id == request_id, VerificationCode.channel == channel,
               VerificationCode.consumed_at.is_not(None))  # type: ignore[union-attr]
        .order_by(VerificationCode.consumed_at.desc())  # type: ignore[union-attr]
    ).first()
    return mask_contact(code.channel, code.destination) if code is not None else ""


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
        strokes_json=json.dumps(strokes, separators=(",", ":")),
        png=render_png(strokes), reference=reference,
        code_destination_masked=code_destination_masked(session, request.id, verification_channel),
    ))
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
                         "consent": CONSENT_VERSION, "in_person": request.in_person,
                         "provider_assisted": request.in_person},
                 at=now)
    return reference


