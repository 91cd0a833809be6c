"""The provider's side: submit a completed sheet to the parents, recall it, resend the link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select, update

from careconnect_app.clock import utcnow
from careconnect_app.models import (
    Agency,
    AttendanceSheet,
    ChildGuardian,
    Guardian,
    Provider,
    SigningRequest,
)
from careconnect_app import attendance
from careconnect_app.common import audit
from careconnect_app.signing import links
from careconnect_app.messaging import compose


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
    if sheet.status not in ("draft", "recalled"):
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

    sheet.status = "ready_for_parent"
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
    if sheet.status != "ready_for_parent":
        raise SubmissionError("attendance.error.not_recallable")
    now = utcnow()
    session.exec(
        update(SigningRequest)
        .where(SigningRequest.sheet_id == sheet.id,
               SigningRequest.status.in_(("pending", "disputed")))  # type: ignore[attr-defined]
        .values(status="recalled", recalled_at=now)
    )
    sheet.status = "recalled"
    sheet.recalled_at = now
    sheet.version += 1
    sheet.updated_at = now
    session.add(sheet)
    audit.record(session, "recalled", actor="provider", sheet_id=sheet.id, user_id=user_id, ip=ip,
                 user_agent=user_agent, at=now)


# --- provider "resend" from the portal -----------------------------------------------------------

PORTAL_RESEND_COOLDOWN_MINUTES = 10


def resend_link(session: Session, request: SigningRequest, *, user_id: int | None = None, ip: str = "",
                user_agent: str = "", now: datetime | None = None) -> list[int]:
    """Send the guardian their link again, at most once per 10 minutes per request.

    The same link when it can be rebuilt (token_ciphertext); otherwise, or when it expired, a fresh
    link for the same guardian replaces it (the old request is marked "superseded"). Raises
    SubmissionError("resend.error.<code>"). The caller commits, then calls delivery.deliver_now.
    """
    from datetime import timedelta

    from careconnect_app.messaging import reminders

    now = now or utcnow()
    sheet = session.get(AttendanceSheet, request.sheet_id)
    if sheet is None or sheet.status != "ready_for_parent" or request.sheet_version != sheet.version:
        raise SubmissionError("resend.error.not_open")
    if request.status not in ("pending",):
        raise SubmissionError("resend.error.not_open")
    last = request.last_notified_at
    if last is not None and last.tzinfo is None:
        from datetime import timezone

        last = last.replace(tzinfo=timezone.utc)
    if last is not None and now - last < timedelta(minutes=PORTAL_RESEND_COOLDOWN_MINUTES):
        raise SubmissionError("resend.error.too_soon")
    guardian = session.get(Guardian, request.guardian_id)
    if not compose.guardian_channels(guardian):
        raise SubmissionError("resend.error.no_channel")
    expired = links.status_of(request, now) == links.LinkStatus.EXPIRED
    if not expired and reminders.signing_url_for(request) is not None:
        try:
            return reminders.resend(session, request.id, user_id=user_id, ip=ip, user_agent=user_agent, now=now)
        except reminders.ResendError as exc:
            raise SubmissionError(f"resend.error.{exc.code}") from exc
    # Fresh link for the same guardian; the old one stops.
    provider = session.get(Provider, sheet.provider_id)
    agency = session.get(Agency, provider.agency_id)
    request.status = "superseded"
    session.add(request)
    new_request, token = links.issue(session, sheet, guardian, agency, now=now)
    messages = compose.queue_ready_to_sign(session, new_request, links.signing_url(token))
    for m in messages:
        audit.record(session, "resent", actor="provider", sheet_id=sheet.id, signing_request_id=new_request.id,
                     user_id=user_id, ip=ip, user_agent=user_agent, channel=m.channel, at=now,
                     detail={"message_id": m.id, "replaces": request.public_id})
    return [m.id for m in messages]
