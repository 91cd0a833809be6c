"""The guardian's "this was not me", from the notice sent after every signature.

Its link is single-purpose: a NOT_ME token resolves here and nowhere else (signing.links), shows
only what the notice itself said (reference, child's first name and initial, period, provider,
agency, date) and reports once. A report leaves the signature in place, flags it for the agency
(the portal shows "signature disputed"), goes on the sheet's audit trail, and emails the provider
and the agency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, update

from careconnect_app.clock import utcnow
from careconnect_app.common import audit
from careconnect_app.common.formatting import format_date, format_period
from careconnect_app.common.masking import short_name
from careconnect_app.i18n import normalise_locale
from careconnect_app.messaging import compose
from careconnect_app.models import Agency, AttendanceSheet, Child, Guardian, LinkToken, Provider, SigningRequest
from careconnect_app.signing import links
from careconnect_app.statuses import Actor, LinkStatus, NotMeStatus, RequestStatus, TokenPurpose

MAX_TEXT = 1000
__all__ = ["NotMePage", "NotMeReport", "NotMeStatus", "look", "report"]


@dataclass(frozen=True)
class NotMePage:
    """What the "not me" page shows: the notice's own facts, nothing of the attendance."""

    status: NotMeStatus
    locale: str = "en"
    reference: str = ""
    child_name: str = ""  # first name and last initial
    period_label: str = ""
    provider_name: str = ""
    agency_name: str = ""
    signed_label: str = ""
    in_person: bool = False


@dataclass(frozen=True)
class NotMeReport:
    status: NotMeStatus
    message_ids: list[int] = field(default_factory=list)  # to the provider and agency: deliver after commit


def _resolve(session: Session, token: str, ip: str, now: datetime) -> tuple[NotMeStatus, SigningRequest | None,
                                                                             LinkToken | None]:
    check = links.check(session, token, ip=ip, now=now, purpose=TokenPurpose.NOT_ME)
    if check.status == LinkStatus.RATE_LIMITED:
        return NotMeStatus.RATE_LIMITED, None, None
    request, row = check.request, check.token
    if request is None or row is None or request.status != RequestStatus.SIGNED:
        return NotMeStatus.UNKNOWN, None, None
    if row.used_at is not None or request.signature_disputed_at is not None:
        return NotMeStatus.ALREADY_REPORTED, request, row
    if row.expires_at is not None and row.expires_at <= now:
        return NotMeStatus.EXPIRED, request, row
    return NotMeStatus.OPEN, request, row


def look(session: Session, token: str, *, ip: str = "", now: datetime | None = None) -> NotMePage:
    """The page for a presented "not me" token (unknown tokens count against the caller's IP)."""
    status, request, _row = _resolve(session, token, ip, now or utcnow())
    if request is None:
        return NotMePage(status)
    sheet = session.get(AttendanceSheet, request.sheet_id)
    provider = session.get(Provider, sheet.provider_id)
    child = session.get(Child, sheet.child_id)
    locale = normalise_locale(session.get(Guardian, request.guardian_id).preferred_locale)
    return NotMePage(
        status=status, locale=locale, reference=request.reference,
        child_name=short_name(child.first_name, child.last_name),
        period_label=format_period(sheet.period_start, sheet.period_end, locale), provider_name=provider.name,
        agency_name=session.get(Agency, provider.agency_id).name,
        signed_label=format_date(request.signed_at, locale) if request.signed_at else "", in_person=request.in_person,
    )


def report(session: Session, token: str, text: str, *, ip: str, user_agent: str,
           now: datetime | None = None) -> NotMeReport:
    """Record "this was not me" once: flag the signature, audit it, tell the provider and agency."""
    now = now or utcnow()
    status, request, row = _resolve(session, token, ip, now)
    if status != NotMeStatus.OPEN:
        return NotMeReport(status)
    text = " ".join(str(text or "").split())[:MAX_TEXT]
    flagged = session.exec(update(SigningRequest)
                           .where(SigningRequest.id == request.id,
                                  SigningRequest.signature_disputed_at.is_(None))  # type: ignore[union-attr]
                           .values(signature_disputed_at=now, signature_dispute_text=text)).rowcount == 1
    if not flagged:  # another tab reported a moment ago
        return NotMeReport(NotMeStatus.ALREADY_REPORTED)
    session.exec(update(LinkToken).where(LinkToken.id == row.id).values(used_at=now))
    session.refresh(request)
    audit.record(session, "signature_disputed", actor=Actor.PARENT, sheet_id=request.sheet_id,
                 signing_request_id=request.id, ip=ip, user_agent=user_agent, at=now,
                 detail={"reference": request.reference, "message": text} if text else {"reference": request.reference})
    messages = compose.queue_signature_disputed(session, request, text)
    for message in messages:
        audit.record(session, "notified", actor=Actor.SYSTEM, sheet_id=request.sheet_id,
                     signing_request_id=request.id, channel=message.channel, at=now,
                     detail={"message_id": message.id, "kind": message.kind})
    return NotMeReport(NotMeStatus.REPORTED, [m.id for m in messages])
