"""A guardian's email or phone changed while a signing request of theirs is open (pending or disputed).

Codes and links go to the contact of record, so whoever edits it could redirect them. Such a
change therefore: tells the OLD contact (the new one masked), goes on the audit trail of every
open sheet (masked old and new), and, where the agency requires it, waits as a ContactChange
until an agency admin approves it (codes and links keep using the old contact meanwhile).
A change with no open request is a plain edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select, update

from careconnect_app.clock import utcnow
from careconnect_app.common import audit
from careconnect_app.common.masking import mask_contact
from careconnect_app.messaging import account_notices
from careconnect_app.models import Agency, ContactChange, Guardian, PortalUser, Provider, SigningRequest
from careconnect_app.portal import access
from careconnect_app.statuses import OPEN_REQUEST_STATUSES, Channel, ContactChangeStatus


@dataclass
class ContactEdit:
    """The email and phone to store now; `pending` when the new ones wait for approval."""

    email: str
    phone: str
    pending: bool = False
    message_ids: list[int] = field(default_factory=list)  # deliver right after the caller commits


def open_requests(session: Session, guardian_id: int) -> list[SigningRequest]:
    stmt = select(SigningRequest).where(SigningRequest.guardian_id == guardian_id,
                                        SigningRequest.status.in_(OPEN_REQUEST_STATUSES))  # type: ignore[attr-defined]
    return list(session.exec(stmt.order_by(SigningRequest.id)))


def _masked(channel: str, value: str) -> str:
    return mask_contact(channel, value) if value else "—"


def _changes(old_email: str, old_phone: str, new_email: str, new_phone: str) -> dict[str, tuple[str, str]]:
    """{channel: (old, new)} for the contacts that differ."""
    pairs = {Channel.EMAIL: (old_email, new_email), Channel.SMS: (old_phone, new_phone)}
    return {channel: pair for channel, pair in pairs.items() if pair[0] != pair[1]}


def _detail(guardian_id: int, changes: dict[str, tuple[str, str]]) -> dict:
    detail: dict = {"guardian_id": guardian_id}
    for channel, (old, new) in changes.items():
        detail[str(channel)] = f"{_masked(channel, old)} → {_masked(channel, new)}"
    return detail


def _on_open_sheets(session: Session, requests: list[SigningRequest], event: str, user: PortalUser, detail: dict,
                    *, ip: str, user_agent: str, now: datetime) -> None:
    for request in requests:
        audit.record(session, event, actor=access.actor_of(user), sheet_id=request.sheet_id,
                     signing_request_id=request.id, user_id=user.id, ip=ip, user_agent=user_agent, detail=detail,
                     at=now)


def edit_contact(session: Session, user: PortalUser, guardian: Guardian, new_email: str, new_phone: str, *,
                 ip: str = "", user_agent: str = "", now: datetime | None = None) -> ContactEdit:
    """Decide what a provider's edit of the guardian's email/phone does; notify and audit when a request is open."""
    now = now or utcnow()
    changes = _changes(guardian.email, guardian.phone, new_email, new_phone)
    requests = open_requests(session, guardian.id) if changes else []
    if not requests:
        return ContactEdit(new_email, new_phone)
    agency = session.get(Agency, session.get(Provider, guardian.provider_id).agency_id)
    pending = bool(agency.require_contact_change_approval)
    if pending:
        session.exec(update(ContactChange).where(ContactChange.guardian_id == guardian.id,
                                                 ContactChange.status == ContactChangeStatus.PENDING)
                     .values(status=ContactChangeStatus.REPLACED, decided_at=now))
        session.add(ContactChange(guardian_id=guardian.id, old_email=guardian.email, old_phone=guardian.phone,
                                  new_email=new_email, new_phone=new_phone, requested_by_user_id=user.id,
                                  requested_at=now))
    event = "contact_change_requested" if pending else "contact_changed"
    _on_open_sheets(session, requests, event, user, _detail(guardian.id, changes), ip=ip, user_agent=user_agent,
                    now=now)
    message_ids = []
    for channel, (old, new) in changes.items():
        message = account_notices.queue_contact_changed(session, guardian, channel, old, new, pending=pending)
        if message is not None:
            message_ids.append(message.id)
    if pending:
        return ContactEdit(guardian.email, guardian.phone, True, message_ids)
    return ContactEdit(new_email, new_phone, False, message_ids)


@dataclass(frozen=True)
class PendingChange:
    """What an agency admin sees of a change waiting for approval (contacts masked)."""

    id: int
    guardian: str
    provider: str
    changes: list[tuple[str, str, str]]  # (channel, old masked, new masked)
    requested_at: datetime


def pending_for(session: Session, user: PortalUser) -> list[PendingChange]:
    """Changes waiting for this agency admin (their agency's providers only)."""
    if not access.is_admin(user):
        return []
    provider_names = {p.id: p.name for p in access.providers_for(session, user)}
    stmt = (select(ContactChange, Guardian).join(Guardian, Guardian.id == ContactChange.guardian_id)
            .where(ContactChange.status == ContactChangeStatus.PENDING,
                   Guardian.provider_id.in_(list(provider_names)))  # type: ignore[attr-defined]
            .order_by(ContactChange.id))
    return [_pending_view(change, guardian, provider_names[guardian.provider_id])
            for change, guardian in session.exec(stmt)]


def _pending_view(change: ContactChange, guardian: Guardian, provider: str) -> PendingChange:
    changes = _changes(change.old_email, change.old_phone, change.new_email, change.new_phone)
    return PendingChange(change.id, guardian.full_name, provider,
                         [(str(channel), _masked(channel, old), _masked(channel, new))
                          for channel, (old, new) in changes.items()], change.requested_at)


def decide(session: Session, user: PortalUser, change_id: object, approve: bool, *, ip: str = "",
           user_agent: str = "", now: datetime | None = None) -> str:
    """An agency admin approves (the new contact is used from now on) or denies a change; "" or an error key."""
    now = now or utcnow()
    change = session.get(ContactChange, access.as_id(change_id)) if access.is_admin(user) else None
    guardian = access.guardian_for(session, user, change.guardian_id) if change is not None else None
    if change is None or guardian is None:
        return "portal.approvals.error.missing"
    status = ContactChangeStatus.APPROVED if approve else ContactChangeStatus.DENIED
    # One decision per change, even when two admins click at once.
    won = session.exec(update(ContactChange).where(ContactChange.id == change.id,
                                                   ContactChange.status == ContactChangeStatus.PENDING)
                       .values(status=status, decided_by_user_id=user.id, decided_at=now)).rowcount == 1
    if not won:
        return "portal.approvals.error.decided"
    changes = _changes(change.old_email, change.old_phone, change.new_email, change.new_phone)
    if approve:
        _apply(session, guardian, change)
    event = "contact_change_approved" if approve else "contact_change_denied"
    detail = _detail(guardian.id, changes)
    _on_open_sheets(session, open_requests(session, guardian.id), event, user, detail, ip=ip,
                    user_agent=user_agent, now=now)
    audit.record(session, event, actor=access.actor_of(user), user_id=user.id, ip=ip, user_agent=user_agent,
                 detail=detail | {"change_id": change.id}, at=now)
    return ""


def _apply(session: Session, guardian: Guardian, change: ContactChange) -> None:
    """The approved contact becomes the contact of record (a new address clears the old bounce/STOP)."""
    if change.new_email != guardian.email:
        guardian.email = change.new_email
        guardian.email_undeliverable, guardian.email_undeliverable_reason = False, ""
    if change.new_phone != guardian.phone:
        guardian.phone = change.new_phone
        guardian.sms_opted_out = False
    session.add(guardian)


def pending_change_of(session: Session, guardian: Guardian) -> PendingChange | None:
    """The change of this guardian waiting for approval, if any (the roster shows it, masked)."""
    change = session.exec(select(ContactChange).where(ContactChange.guardian_id == guardian.id,
                                                      ContactChange.status == ContactChangeStatus.PENDING)).first()
    return _pending_view(change, guardian, "") if change is not None else None
