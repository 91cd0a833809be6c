"""Telling a guardian again: automatic reminders, the provider's "resend", and channel fallback.

All three rebuild the *same* signing link: SigningRequest.token_ciphertext holds the token
encrypted with a key derived from CARECONNECT_SECRET_KEY (lookups still use token_hash only).
Rotating the token instead would kill the link already in the parent's inbox. If the secret
key is changed, old requests cannot be reminded (logged) until the provider resubmits.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select, update

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import Agency, AttendanceSheet, Guardian, OutgoingMessage, Provider, SigningRequest
from careconnect_app.common import audit
from careconnect_app.signing import links
from careconnect_app.messaging import compose
from careconnect_app.statuses import RequestStatus, SheetStatus

log = logging.getLogger(__name__)

NOTIFY_KINDS = ("ready_to_sign", "reminder", "resend")  # messages that carry the signing link
SAME_BATCH = timedelta(minutes=1)  # messages queued together for one notification


# ---- automatic reminders -----------------------------------------------------------------------

def in_quiet_hours(agency: Agency, now: datetime) -> bool:
    """Quiet hours are local to the agency, e.g. 20:00-08:00 America/Los_Angeles."""
    try:
        zone = ZoneInfo(agency.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("agency %s has an unknown time zone %r; using UTC", agency.id, agency.timezone)
        zone = timezone.utc
    hour = now.astimezone(zone).hour
    start, end = agency.quiet_hours_start, agency.quiet_hours_end
    if start == end:
        return False
    return (hour >= start or hour < end) if start > end else (start <= hour < end)


def next_reminder_at(request: SigningRequest, agency: Agency) -> datetime:
    """First reminder N days after the link went out, then every M days after the last one."""
    since = request.last_notified_at or request.created_at
    days = agency.reminder_first_after_days if request.reminder_count == 0 else agency.reminder_every_days
    return since + timedelta(days=days)


def due_reminders(session: Session, now: datetime) -> list[tuple[SigningRequest, Agency]]:
    """Pending, unexpired, not-in-person requests on a live sheet whose reminder time has come."""
    rows = session.exec(
        select(SigningRequest, Agency)
        .join(AttendanceSheet, AttendanceSheet.id == SigningRequest.sheet_id)
        .join(Provider, Provider.id == AttendanceSheet.provider_id)
        .join(Agency, Agency.id == Provider.agency_id)
        .where(SigningRequest.status == RequestStatus.PENDING, SigningRequest.in_person.is_(False),
               SigningRequest.expires_at > now, AttendanceSheet.status == SheetStatus.READY_FOR_PARENT,
               SigningRequest.reminder_count < Agency.reminder_max_count)
        .order_by(SigningRequest.id)
    )
    return [(r, a) for r, a in rows if next_reminder_at(r, a) <= now and not in_quiet_hours(a, now)]


def send_due_reminders(session: Session, now: datetime | None = None) -> list[int]:
    """Queue every due reminder; returns the message ids (the caller commits)."""
    now = now or utcnow()
    queued: list[int] = []
    for request, _agency in due_reminders(session, now):
        guardian = session.get(Guardian, request.guardian_id)
        url = links.rebuild_url(request)
        if url is None:
            log.warning("signing request %s: link cannot be rebuilt, no reminder", request.id)
            continue
        if not compose.guardian_channels(guardian):
            continue  # all_channels_failed() shows it to the provider
        number = request.reminder_count + 1
        # Compare-and-set: of two workers, only one moves the count, so only one sends.
        if session.exec(update(SigningRequest)
                        .where(SigningRequest.id == request.id, SigningRequest.status == RequestStatus.PENDING,
                               SigningRequest.reminder_count == request.reminder_count)
                        .values(reminder_count=number, last_notified_at=now)).rowcount != 1:
            continue
        session.refresh(request)
        for m in compose.queue_ready_to_sign(session, request, url, kind="reminder"):
            audit.record(session, "reminder_sent", sheet_id=request.sheet_id, signing_request_id=request.id,
                         channel=m.channel, at=now, detail={"message_id": m.id, "reminder": number})
            queued.append(m.id)
    return queued


def run_due(now: datetime | None = None) -> int:
    """One scheduler pass in its own transaction (the worker calls this)."""
    with session_scope() as session:
        return len(send_due_reminders(session, now))




# ---- fallback to the other channel -------------------------------------------------------------

def _usable(guardian: Guardian, channel: str) -> bool:
    if channel == "email":
        return bool(guardian.email) and not guardian.email_undeliverable
    return bool(guardian.phone) and not guardian.sms_opted_out


def queue_fallback(session: Session, failed: OutgoingMessage) -> list[int]:
    """After a link message failed for good, send it on the guardian's other channel, once.

    Not when: it was itself a fallback (no ping-pong), it already fell back, the other channel
    was part of the same notification, or the link no longer needs signing.
    """
    if failed.kind not in NOTIFY_KINDS or not failed.signing_request_id or failed.fallback_for_id:
        return []
    if session.exec(select(OutgoingMessage.id).where(OutgoingMessage.fallback_for_id == failed.id)).first():
        return []
    request = session.get(SigningRequest, failed.signing_request_id)
    guardian = session.get(Guardian, failed.guardian_id) if failed.guardian_id else None
    other = "sms" if failed.channel == "email" else "email"
    if request is None or guardian is None or links.status_of(request) != links.LinkStatus.OK:
        return []
    if not _usable(guardian, other):
        return []
    siblings = session.exec(select(OutgoingMessage.created_at).where(
        OutgoingMessage.signing_request_id == request.id, OutgoingMessage.kind == failed.kind,
        OutgoingMessage.channel == other))
    if any(abs(created - failed.created_at) <= SAME_BATCH for created in siblings):
        return []
    url = links.rebuild_url(request)
    if url is None:
        return []
    messages = compose.queue_ready_to_sign(session, request, url, kind=failed.kind, channels=(other,))
    for m in messages:
        m.fallback_for_id = failed.id
        session.add(m)
        audit.record(session, "notified", sheet_id=request.sheet_id, signing_request_id=request.id,
                     channel=m.channel, detail={"message_id": m.id, "fallback_for": failed.id})
    session.flush()
    return [m.id for m in messages]
