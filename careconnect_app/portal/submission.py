"""The provider's side: submit a completed sheet to the parents, start signing in person, recall it.

Each changes the sheet with one conditional UPDATE (careconnect_app.sheets): a double submit
issues one set of links, and a recall racing the parent's signature either wins before it or
is refused after it, never turning a signed sheet into a recalled one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select, update

from careconnect_app import attendance, sheets
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
from careconnect_app.signing import in_person as in_person_rules
from careconnect_app.signing import links
from careconnect_app.statuses import OPEN_REQUEST_STATUSES, Actor, RequestStatus, SheetStatus

EDITABLE = (SheetStatus.DRAFT, SheetStatus.RECALLED)


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

    In person: no message; each guardian gets an in-person request (the agency must allow it)
    and the first one's link opens on the provider's device. The messages are queued: the
    delivery worker sends them once the caller commits; on SubmissionError it rolls back.
    """
    now = now or utcnow()
    if sheet.status not in EDITABLE:
        raise SubmissionError("attendance.error.not_draft")
    provider = session.get(Provider, sheet.provider_id)
    agency = session.get(Agency, provider.agency_id)
    if in_person and not agency.allow_in_person_signing:
        raise SubmissionError("sheet.error.in_person_off")
    # The lock first, then the checks: what is validated is what the parents get, and of two
    # submits only one moves the sheet.
    if not sheets.move_sheet(session, sheet, EDITABLE, status=SheetStatus.READY_FOR_PARENT, provider_certified_at=now,
                             submitted_at=now, submitted_by_user_id=user_id, updated_at=now):
        raise SubmissionError("attendance.error.not_draft")
    entries = attendance.entries_for(session, sheet.id)
    if not entries:
        raise SubmissionError("attendance.error.empty")
    if attendance.validate_entries(sheet, entries):
        raise SubmissionError("attendance.error.invalid")
    guardians = guardians_of(session, sheet.child_id)
    if not guardians:
        raise SubmissionError("attendance.error.no_guardian")
    audit.record(session, "submitted", actor=Actor.PROVIDER, sheet_id=sheet.id, user_id=user_id, ip=ip,
                 user_agent=user_agent, detail={"version": sheet.version} | ({"in_person": True} if in_person else {}),
                 at=now)
    issued = []
    for guardian in guardians:
        request, token = links.issue(session, sheet, guardian, agency, in_person=in_person, now=now)
        messages = [] if in_person else compose.queue_ready_to_sign(session, request)
        for m in messages:
            audit.record(session, "notified", actor=Actor.SYSTEM, sheet_id=sheet.id,
                         signing_request_id=request.id, channel=m.channel, at=now,
                         detail={"message_id": m.id})
        issued.append(IssuedLink(request, guardian, links.signing_url(token), [m.id for m in messages]))
    return issued


def start_in_person(session: Session, sheet: AttendanceSheet, guardian: Guardian, *, user_id: int | None,
                    ip: str, user_agent: str, actor: str = Actor.PROVIDER) -> str:
    """A new in-person request for one of the child's guardians of a sheet waiting for them.

    Returns its token, for the provider's device only. The parent still needs the code sent to
    their contact of record (links.issue); refused where the agency does not allow in-person
    signing, or while a parent's problem report is open on the sheet.
    """
    if guardian.id not in [g.id for g in guardians_of(session, sheet.child_id)]:
        raise SubmissionError("sheet.error.not_ready")
    if refusal := in_person_rules.refusal(session, sheet):
        raise SubmissionError(refusal)
    agency = session.get(Agency, session.get(Provider, sheet.provider_id).agency_id)
    # Under the sheet's row lock, so a recall or a signature racing it wins first or waits.
    if not sheets.hold(session, sheet.id, sheet.version, (SheetStatus.READY_FOR_PARENT,)):
        raise SubmissionError("sheet.error.not_ready")
    request, token = links.issue(session, sheet, guardian, agency, in_person=True)
    audit.record(session, "in_person_started", actor=actor, sheet_id=sheet.id, signing_request_id=request.id,
                 user_id=user_id, ip=ip, user_agent=user_agent, detail={"guardian_id": guardian.id})
    return token


def recall_sheet(session: Session, sheet: AttendanceSheet, *, user_id: int | None = None, ip: str = "",
                 user_agent: str = "") -> None:
    """Take a sheet back before it is signed: every open link stops at once.

    Refused (attendance.error.not_recallable) once the sheet is signed, even when the page that
    asked still showed it waiting: the sheet row decides, not the copy the page read.
    """
    now = utcnow()
    if not sheets.move_sheet(session, sheet, (SheetStatus.READY_FOR_PARENT,), status=SheetStatus.RECALLED,
                             recalled_at=now, version=AttendanceSheet.version + 1, updated_at=now):
        raise SubmissionError("attendance.error.not_recallable")
    session.exec(
        update(SigningRequest)
        .where(SigningRequest.sheet_id == sheet.id,
               SigningRequest.status.in_(OPEN_REQUEST_STATUSES))  # type: ignore[attr-defined]
        .values(status=RequestStatus.RECALLED, recalled_at=now)
    )
    audit.record(session, "recalled", actor="provider", sheet_id=sheet.id, user_id=user_id, ip=ip,
                 user_agent=user_agent, at=now)
