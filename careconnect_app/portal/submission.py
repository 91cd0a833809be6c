"""The provider's side: submit a completed sheet to the parents, recall it, resend the link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select, update

from careconnect_app import attendance
from careconnect_app.clock import utcnow
from careconnect_app.common import audit
from careconnect_app.messaging import compose
from careconnect_app.models import (
    Agency,
    AttendanceSheet,
    ChildGuardian,
    Guardian,
    Provider,
    SigningRequest,
)
from careconnect_app.signing import links
from careconnect_app.statuses import OPEN_REQUEST_STATUSES, RequestStatus, SheetStatus


class SubmissionError(Exception):
    """A rule stops this submission; `key` is the translation key of the reason."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass
class IssuedLink:
    request: SigningRequest
    guardian: Guardian
    url: str
    message_ids: list[int]


def guardians_of(session: Session, child_id: int) -> list[Guardian]:
    stmt = (
        select(Guardian)
        .join(ChildGuardian, ChildGuardian.guardian_id == Guardian.id)
        .where(ChildGuardian.child_id == child_id)
        .order_by(Guardian.id)
    )
    return list(session.exec(stmt))


def submit_sheet(
    session: Session,
    sheet: AttendanceSheet,
    *,
    user_id: int | None = None,
    ip: str = "",
    user_agent: str = "",
    in_person: bool = False,
    now: datetime | None = None,
) -> list[IssuedLink]:
    """Certify and lock the sheet, then send each guardian a signing link.

    The caller commits, then passes the message ids to `delivery.deliver_now`.
    """
    now = now or utcnow()
    if sheet.status not in (SheetStatus.DRAFT, SheetStatus.RECALLED):
        raise SubmissionError("attendance.error.not_draft")
    entries = attendance.entries_for(session, sheet.id)
    if not entries:
        raise SubmissionError("attendance.error.empty")
    if attendance.validate_entries(sheet, entries):
        raise SubmissionError("attendance.error.invalid")
    guardians = guardians_of(session, sheet.child_id)
    if not guardians:
        raise SubmissionError("attendance.error.no_guardian")
    provider = session.get(Provider, sheet.provider_id)
    agency = session.get(Agency, provider.agency_id)

    sheet.status = SheetStatus.READY_FOR_PARENT
    sheet.provider_certified_at = now
    sheet.submitted_at = now
    sheet.submitted_by_user_id = user_id
    sheet.updated_at = now
    session.add(sheet)
    audit.record(session, "submitted", actor="provider", sheet_id=sheet.id, user_id=user_id, ip=ip,
                 user_agent=user_agent, detail={"version": sheet.version}, at=now)
    issued = []
    for guardian in guardians:
        request, token = links.issue(session, sheet, guardian, agency, in_person=in_person, now=now)
        url = links.signing_url(token)
        messages = [] if in_person else compose.queue_ready_to_sign(session, request, url)
        for m in messages:
            audit.record(session, "notified", actor="system", sheet_id=sheet.id,
                         signing_request_id=request.id, channel=m.channel, at=now,
                         detail={"message_id": m.id})
        issued.append(IssuedLink(request, guardian, url, [m.id for m in messages]))
    return issued


def recall_sheet(session: Session, sheet: AttendanceSheet, *, user_id: int | None = None, ip: str = "",
                 user_agent: str = "") -> None:
    """Take a sheet back before it is signed: every open link stops at once."""
    if sheet.status != SheetStatus.READY_FOR_PARENT:
        raise SubmissionError("attendance.error.not_recallable")
    now = utcnow()
    session.exec(
        update(SigningRequest)
        .where(SigningRequest.sheet_id == sheet.id,
               SigningRequest.status.in_(OPEN_REQUEST_STATUSES))  # type: ignore[attr-defined]
        .values(status=RequestStatus.RECALLED, recalled_at=now)
    )
    sheet.status = SheetStatus.RECALLED
    sheet.recalled_at = now
    sheet.version += 1
    sheet.updated_at = now
    session.add(sheet)
    audit.record(session, "recalled", actor="provider", sheet_id=sheet.id, user_id=user_id, ip=ip,
                 user_agent=user_agent, at=now)
