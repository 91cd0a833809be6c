"""Automatic reminders on the agency's cadence, outside its quiet hours.

A reminder carries a link of its own to the same signing request, made when it is sent (no
token is kept to rebuild an old one); the link already in the parent's inbox keeps working too.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select, update

from careconnect_app.clock import utcnow
from careconnect_app.common import audit
from careconnect_app.db import session_scope
from careconnect_app.messaging import compose
from careconnect_app.models import Agency, AttendanceSheet, Guardian, Provider, SigningRequest
from careconnect_app.statuses import MessageKind, RequestStatus, SheetStatus

log = logging.getLogger(__name__)



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


def due_reminders(session: Session, now: datetime) -> list[tuple[SigningRequest, Agency]]:
    """Pending, unexpired, not-in-person requests on a live sheet whose reminder time has come.

    Selected in SQL: each agency's cadence becomes two cut-off times, so only due rows are read
    (not every pending request), and agencies in their quiet hours are left out of the query.
    """
    awake = [a for a in session.exec(select(Agency)) if not in_quiet_hours(a, now)]
    if not awake:
        return []
    since = func.coalesce(SigningRequest.last_notified_at, SigningRequest.created_at)
    cadence = or_(*[
        and_(Agency.id == agency.id,
             or_(and_(SigningRequest.reminder_count == 0, since <= now - timedelta(days=agency.reminder_first_after_days)),
                 and_(SigningRequest.reminder_count > 0, since <= now - timedelta(days=agency.reminder_every_days))))
        for agency in awake
    ])
    rows = session.exec(
        select(SigningRequest, Agency)
        .join(AttendanceSheet, AttendanceSheet.id == SigningRequest.sheet_id)
        .join(Provider, Provider.id == AttendanceSheet.provider_id)
        .join(Agency, Agency.id == Provider.agency_id)
        .where(SigningRequest.status == RequestStatus.PENDING, SigningRequest.in_person.is_(False),
               SigningRequest.expires_at > now, AttendanceSheet.status == SheetStatus.READY_FOR_PARENT,
               SigningRequest.reminder_count < Agency.reminder_max_count, cadence)
        .order_by(SigningRequest.id)
    )
    return list(rows)


def send_due_reminders(session: Session, now: datetime | None = None) -> list[int]:
    """Queue every due reminder; returns the message ids (the caller commits)."""
    now = now or utcnow()
    queued: list[int] = []
    for request, _agency in due_reminders(session, now):
        guardian = session.get(Guardian, request.guardian_id)
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
        for m in compose.queue_ready_to_sign(session, request, kind=MessageKind.REMINDER):
            audit.record(session, "reminder_sent", sheet_id=request.sheet_id, signing_request_id=request.id,
                         channel=m.channel, at=now, detail={"message_id": m.id, "reminder": number})
            queued.append(m.id)
    return queued


def run_due(now: datetime | None = None) -> int:
    """One scheduler pass in its own transaction (the worker calls this)."""
    with session_scope() as session:
        return len(send_due_reminders(session, now))


# ---- fallback to the other channel -------------------------------------------------------------


