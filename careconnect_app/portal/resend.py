"""The provider's "send again": the guardian's link on their current contacts (after a fix, say).

The same link while it is live and can be rebuilt (a reminder cadence restarts from now);
otherwise, or once it expired, a fresh link for the same guardian replaces it and the old one
shows "replaced by a newer link". At most once per 10 minutes per request, kept in the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

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
    sheet = session.get(AttendanceSheet, request.sheet_id)
    if (sheet is None or sheet.status != SheetStatus.READY_FOR_PARENT or request.sheet_version != sheet.version
            or request.status != RequestStatus.PENDING):
        raise SubmissionError("resend.error.not_open")
    if request.last_notified_at is not None and now - request.last_notified_at < RESEND_COOLDOWN:
        raise SubmissionError("resend.error.too_soon")
    guardian = session.get(Guardian, request.guardian_id)
    if not compose.guardian_channels(guardian):
        raise SubmissionError("resend.error.no_channel")
    url = links.rebuild_url(request)
    if url is not None and links.status_of(request, now) == LinkStatus.OK:
        target, replaces = request, None
    else:
        target, url = _replace_link(session, sheet, guardian, request, now)
        replaces = request.public_id
    messages = compose.queue_ready_to_sign(session, target, url, kind=MessageKind.RESEND)
    target.last_notified_at = now  # the reminder cadence starts again from this send
    session.add(target)
    for m in messages:
        detail = {"message_id": m.id} | ({"replaces": replaces} if replaces else {})
        audit.record(session, "resent", actor=Actor.PROVIDER, sheet_id=sheet.id, signing_request_id=target.id,
                     user_id=user_id, ip=ip, user_agent=user_agent, channel=m.channel, at=now, detail=detail)
    return [m.id for m in messages]


def _replace_link(session: Session, sheet: AttendanceSheet, guardian: Guardian, old: SigningRequest,
                  now: datetime) -> tuple[SigningRequest, str]:
    """A fresh link for the same guardian; the old one says it was replaced."""
    provider = session.get(Provider, sheet.provider_id)
    agency = session.get(Agency, provider.agency_id)
    old.status = RequestStatus.SUPERSEDED
    session.add(old)
    new_request, token = links.issue(session, sheet, guardian, agency, now=now)
    return new_request, links.signing_url(token)


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
