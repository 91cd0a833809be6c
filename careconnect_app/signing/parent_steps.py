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
from sqlmodel import Session, update

from careconnect_app import sheets
from careconnect_app.clock import utcnow
from careconnect_app.common import audit
from careconnect_app.common.crypto import new_reference
from careconnect_app.common.masking import mask_contact
from careconnect_app.evidence import manifest
from careconnect_app.messaging import compose, signed_notices
from careconnect_app.models import AttendanceSheet, Guardian, Signature, SigningRequest
from careconnect_app.signing import canonical, in_person, links, typed_signature, verification
from careconnect_app.signing.strokes import accepted, render_png
from careconnect_app.statuses import Actor, RequestStatus, SheetStatus, SignatureMethod

MAX_PROBLEM_LENGTH = 2000
# Why a signature is refused when what was reviewed is not what would be signed now.
NOT_REVIEWED = "parent.sign.error.not_reviewed"
CHANGED_SINCE_REVIEW = "parent.sign.error.changed"
LANGUAGE_CHANGED = "parent.sign.error.language_changed"


@dataclass(frozen=True)
class Mark:
    """The parent's mark, checked: what is stored, its image (drawn by the server) and how it was made."""

    method: SignatureMethod
    stored: dict  # strokes_json: the normalised strokes, or the typed name and the font that drew it
    png: bytes
    typed_name: str = ""


def read_mark(strokes: object, typed_name: str) -> Mark | str:
    """The mark from the pad's strokes or, when the parent typed their name, from that name; else an error key."""
    if typed_name:
        name, error = typed_signature.clean_name(typed_name)
        if error:
            return f"parent.{error}"
        stored = {"typed_name": name, "font": typed_signature.FONT_ID}
        return Mark(SignatureMethod.TYPED, stored, typed_signature.render_png(name), name)
    clean = accepted(strokes)
    if isinstance(clean, str):
        return f"parent.{clean}"
    return Mark(SignatureMethod.DRAWN, clean, render_png(clean, normalised=True))


@dataclass
class SignOutcome:
    ok: bool
    error: str = ""  # translation key
    reference: str = ""
    already_signed: bool = False
    review_again: bool = False  # the review is out of date: show the attendance again before signing
    message_ids: list[int] = field(default_factory=list)  # the notices queued: deliver after commit


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


def mark_reviewed(session: Session, request: SigningRequest, *, shown_hash: str, ip: str, user_agent: str,
                  locale: str) -> str:
    """The parent read the attendance and chose "Sign & Submit": record the hash of what the page showed.

    Returns that hash, or "" when the page is out of date (the sheet, the language or the texts
    changed since it was shown): the caller shows the review again instead.
    """
    current = canonical.document_hash(canonical.document_for(session, request, locale))
    if not shown_hash or shown_hash != current:
        return ""
    now = utcnow()
    request.reviewed_at = now
    session.add(request)
    audit.record(session, "reviewed", actor="parent", sheet_id=request.sheet_id,
                 signing_request_id=request.id, ip=ip, user_agent=user_agent,
                 detail={"document_hash": current, "locale": locale}, at=now)
    return current


def reviewed_in(session: Session, request: SigningRequest, document_hash: str) -> str | None:
    """The language of this request's review of exactly `document_hash`, or None when it was never reviewed."""
    for event in audit.events_of_request(session, request.id, "reviewed"):
        detail = json.loads(event.detail or "{}")
        if detail.get("document_hash") == document_hash:
            return str(detail.get("locale") or "")
    return None


def _review_problem(session: Session, request: SigningRequest, reviewed_hash: str, current_hash: str,
                    locale: str) -> str:
    """"" when the parent reviewed exactly what would be signed now; else why not (a translation key)."""
    reviewed_locale = reviewed_in(session, request, reviewed_hash) if reviewed_hash else None
    if reviewed_locale is None:
        return NOT_REVIEWED
    if reviewed_hash == current_hash:
        return ""
    return LANGUAGE_CHANGED if reviewed_locale != locale else CHANGED_SINCE_REVIEW


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
    typed_name: str = "",
    certified: bool,
    consented: bool,
    reviewed_hash: str,
    ip: str,
    user_agent: str,
    locale: str,
    verification_channel: str,
    now: datetime | None = None,
) -> SignOutcome:
    """Sign once what was reviewed: validate, claim the sheet then the request, store the evidence, queue the notices.

    The mark is the drawn `strokes`, or `typed_name` when the parent typed their name instead.
    The caller has checked the link and the verification; this re-checks everything that can
    change under it. Two guardians signing at once, a double click, or a recall racing the
    signature: the sheet's conditional UPDATE has one winner; the others learn why from the rows.
    `reviewed_hash` is the document hash the review step recorded for this page: if the sheet, the
    language or the texts changed since, nothing is signed and the parent reviews again.
    """
    if not certified:
        return SignOutcome(False, "parent.sign.error.certify")
    if not consented:
        return SignOutcome(False, "parent.sign.error.consent")
    mark = read_mark(strokes, typed_name)
    if isinstance(mark, str):
        return SignOutcome(False, mark)
    now = now or utcnow()
    request = session.get(SigningRequest, request_id)
    if request is None:
        return SignOutcome(False, "parent.error.not_signable")
    reference = new_reference()  # written by the claiming UPDATE (rolled back with it when nothing is signed)
    # The first write: on PostgreSQL a racing signature or recall waits here for this one's
    # commit, then finds the sheet moved on (no deadlock between request rows).
    if not (sheets.move(session, request.sheet_id, request.sheet_version, (SheetStatus.READY_FOR_PARENT,),
                        status=SheetStatus.SIGNED, signed_at=now, updated_at=now)
            and _move_request(session, request_id, now, status=RequestStatus.SIGNED, signed_at=now,
                              reference=reference)):
        return _lost(session, request_id)
    if request.in_person and (refused := in_person.refusal(session, session.get(AttendanceSheet, request.sheet_id))):
        session.rollback()  # e.g. "sheet.error.in_person_disputed" -> "parent.error.in_person_disputed"
        return SignOutcome(False, "parent.error." + refused.rsplit(".", 1)[-1])
    session.refresh(request)
    sheet = session.get(AttendanceSheet, request.sheet_id)
    session.refresh(sheet)
    document = canonical.document_for(session, request, locale)
    if problem := _review_problem(session, request, reviewed_hash, canonical.document_hash(document), locale):
        session.rollback()
        return SignOutcome(False, problem, review_again=True)
    context = Context(ip=ip[:64], user_agent=user_agent[:512], channel=verification_channel, at=now)
    try:
        notices = _store_signature(session, request, sheet, document, mark, context)
        session.flush()
    except IntegrityError:  # the unique signature row: another submit got there first
        return _lost(session, request_id)
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


@dataclass(frozen=True)
class Context:
    """Where and how the signature came in."""

    ip: str
    user_agent: str
    channel: str  # the verification channel ("" when no code was required)
    at: datetime


def _store_signature(session: Session, request: SigningRequest, sheet: AttendanceSheet, document: dict,
                     mark: Mark, context: Context) -> list:
    """Close the other guardians' links, write the signed evidence, queue the notices and copies."""
    guardian = session.get(Guardian, request.guardian_id)
    reference = request.reference
    # Other guardians' links for this sheet close: one signature completes it (their page says
    # another guardian signed; a link replaced by a resend says so instead).
    session.exec(
        update(SigningRequest)
        .where(SigningRequest.sheet_id == sheet.id, SigningRequest.id != request.id,
               SigningRequest.status == RequestStatus.PENDING)
        .values(status=RequestStatus.CLOSED)
    )
    document_json = canonical.canonical_json(document)
    strokes_json = json.dumps(mark.stored, separators=(",", ":"), ensure_ascii=False)
    png = mark.png
    # The chain stays locked from here to the commit: the manifest's "previous event" is exactly
    # the event the "signed" event follows.
    previous = audit.lock_chain(session, sheet.id)
    destination = verification.used_destination(session, request.id, context.channel)
    signed = manifest.sign(manifest.build(manifest.SigningFacts(
        reference=reference, document_json=document_json, strokes_json=strokes_json, png=png,
        signer_name=guardian.full_name, guardian_id=guardian.id, verification_channel=context.channel,
        destination_hmac=verification.destination_hmac(destination),
        in_person=request.in_person, signed_at=context.at, ip=context.ip, user_agent=context.user_agent,
        previous_event_hash=previous,
    )))
    session.add(Signature(
        signing_request_id=request.id, sheet_id=sheet.id, guardian_id=guardian.id,
        signer_name=guardian.full_name, signed_at=context.at, ip=context.ip, user_agent=context.user_agent,
        locale=document["locale"], verification_channel=context.channel, in_person=request.in_person,
        certification_version=canonical.PARENT_CERTIFICATION_VERSION,
        consent_version=canonical.CONSENT_VERSION, consent_accepted_at=context.at,
        document_json=document_json, document_hash=canonical.document_hash(document),
        strokes_json=strokes_json, png=png, reference=reference, signature_method=mark.method,
        typed_name=mark.typed_name, manifest_json=signed.json, manifest_signature=signed.signature, manifest_key_id=signed.key_id,
        code_destination_masked=mask_contact(context.channel, destination) if destination else "",
    ))
    signed_event = audit.record(
        session, "signed", actor=Actor.PARENT, sheet_id=sheet.id, signing_request_id=request.id,
        ip=context.ip, user_agent=context.user_agent, channel=context.channel,
        detail={"document_hash": canonical.document_hash(document), "reference": reference,
                "certification": canonical.PARENT_CERTIFICATION_VERSION,
                "consent": canonical.CONSENT_VERSION, "in_person": request.in_person,
                "provider_assisted": request.in_person, "manifest_sha256": signed.sha256,
                "signature_method": mark.method},
        at=context.at, after=previous)
    notices = signed_notices.queue_after_signing(session, request, reference=reference,
                                                 document_hash=canonical.document_hash(document),
                                                 locale=document["locale"], audit_after=signed_event.hash)
    return notices
