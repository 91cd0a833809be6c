"""The provider's "send again": the guardian's link on their current contacts (after a fix, say).

While the request is live, a new message with a link of its own to the same request (the link
already sent keeps working; a reminder cadence restarts from now); once it expired, a fresh
request for the same guardian replaces it and the old link shows "replaced by a newer link".
At most once per 10 minutes per request, kept in the database. Never for an in-person request:
its link opens signing on the provider's device and must not travel by email or SMS.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select, update

from careconnect_app import sheets
from careconnect_app.clock import utcnow
from careconnect_app.common import audit
from careconnect_app.messaging import compose
from careconnect_app.models import Agency, AttendanceSheet, Guardian, Provider, SigningRequest
from careconnect_app.portal.submission import SubmissionError
from careconnect_app.signing import links
from careconnect_app.statuses import Actor, LinkStatus, MessageKind, RequestStatus, SheetStatus

RESEND_COOLDOWN = timedelta(minutes=10)
RESEND_COOLDOWN_MINUTES = int(RESEND_COOLDOWN.total_seconds() // 60)


def resend_link(session: Session, request: SigningRequest, *, user_id: int | None = None, ip: str = "",
                user_agent: str = "", now: datetime | None = None) -> list[int]:
    """Queue the guardian's link again; returns the message ids. Raises SubmissionError("resend.error.<why>").

    The caller commits, then hands the ids to the delivery worker.
    """
    now = now or utcnow()
    if request.in_person:
        raise SubmissionError("resend.error.in_person")
    sheet = session.get(AttendanceSheet, request.sheet_id)
    if (sheet is None or sheet.status != SheetStatus.READY_FOR_PARENT or request.sheet_version != sheet.version
            or request.status != RequestStatus.PENDING):
        raise SubmissionError("resend.error.not_open")
    if request.last_notified_at is not None and now - request.last_notified_at < RESEND_COOLDOWN:
        raise SubmissionError("resend.error.too_soon")
    guardian = session.get(Guardian, request.guardian_id)
    if not compose.guardian_channels(guardian):
        raise SubmissionError("resend.error.no_channel")
    # The sheet's row first (see careconnect_app.sheets): a signature or a recall racing this
    # resend either waits for it or has already won, and then nothing is sent.
    if not sheets.hold(session, sheet.id, sheet.version, (SheetStatus.READY_FOR_PARENT,)):
        raise SubmissionError("resend.error.not_open")
    session.refresh(request)
    if request.status != RequestStatus.PENDING:
        raise SubmissionError("resend.error.not_open")
    if links.status_of(request, now) == LinkStatus.OK:
        target, replaces = request, None
    else:
        target, replaces = _replace_link(session, sheet, guardian, request, now), request.public_id
    messages = compose.queue_ready_to_sign(session, target, kind=MessageKind.RESEND)
    target.last_notified_at = now  # the reminder cadence starts again from this send
    session.add(target)
    for m in messages:
        detail = {"message_id": m.id} | ({"replaces": replaces} if replaces else {})
        audit.record(session, "resent", actor=Actor.PROVIDER, sheet_id=sheet.id, signing_request_id=target.id,
                     user_id=user_id, ip=ip, user_agent=user_agent, channel=m.channel, at=now, detail=detail)
    return [m.id for m in messages]


def _replace_link(session: Session, sheet: AttendanceSheet, guardian: Guardian, old: SigningRequest,
                  now: datetime) -> SigningRequest:
    """A fresh request for the same guardian; the old link says it was replaced."""
    provider = session.get(Provider, sheet.provider_id)
    agency = session.get(Agency, provider.agency_id)
    replaced = session.exec(update(SigningRequest).where(SigningRequest.id == old.id,
                                                         SigningRequest.status == RequestStatus.PENDING)
                            .values(status=RequestStatus.SUPERSEDED)).rowcount == 1
    if not replaced:
        raise SubmissionError("resend.error.not_open")
    new_request, _first_token = links.issue(session, sheet, guardian, agency, now=now)
    return new_request


def resend_open_links(session: Session, sheet: AttendanceSheet, *, user_id: int | None = None, ip: str = "",
                      user_agent: str = "") -> tuple[list[int], set[str]]:
    """Resend every guardian's open link of the sheet's current version (the dashboard's "send again").

    Returns the message ids and the reason keys of the links not sent (each link keeps its cooldown).
    """
    requests = session.exec(select(SigningRequest).where(
        SigningRequest.sheet_id == sheet.id, SigningRequest.status == RequestStatus.PENDING,
        SigningRequest.sheet_version == sheet.version, SigningRequest.in_person == False,  # noqa: E712
    ).order_by(SigningRequest.id)).all()
    if not requests:
        return [], {"resend.error.not_open"}
    message_ids, reasons = [], set()
    for request in requests:
        try:
            message_ids += resend_link(session, request, user_id=user_id, ip=ip, user_agent=user_agent)
        except SubmissionError as exc:
            reasons.add(exc.key)
    return message_ids, reasons
