"""When a message fails for good: flag the dead contact, audit it, try the guardian's other channel once.

Also what the portal warns about: a guardian no channel can reach.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from careconnect_app.common import audit
from careconnect_app.messaging import compose
from careconnect_app.models import Guardian, OutgoingMessage, SigningRequest
from careconnect_app.signing import links
from careconnect_app.statuses import LINK_MESSAGE_KINDS, Channel, LinkStatus, MessageStatus, RequestStatus

# Why a message left in "sending" by a killed worker is not retried (see outbox's docstring).
INTERRUPTED = "interrupted: the worker stopped during the send; delivery unknown, not retried to avoid a duplicate"


def after_failure(session: Session, message: OutgoingMessage, reason: str, *, contact: str = "") -> None:
    """A message failed for good: flag a dead contact, audit it, try the guardian's other channel."""
    guardian = session.get(Guardian, message.guardian_id) if message.guardian_id else None
    if guardian is not None:
        if message.channel == Channel.EMAIL and contact == "invalid" and guardian.email == message.to:
            guardian.email_undeliverable = True
            guardian.email_undeliverable_reason = reason[:300]
            session.add(guardian)
        elif message.channel == Channel.SMS and contact == "opted_out" and guardian.phone == message.to:
            guardian.sms_opted_out = True
            session.add(guardian)
    if message.sheet_id:
        audit.record(session, "delivery_failed", sheet_id=message.sheet_id,
                     signing_request_id=message.signing_request_id, channel=message.channel,
                     detail={"message_id": message.id, "kind": message.kind, "reason": reason[:300]})
    session.flush()
    queue_fallback(session, message)


def unreachable(session: Session, signing_request_id: int) -> bool:
    """A pending request whose guardian has no usable channel, or every notification failed."""
    request = session.get(SigningRequest, signing_request_id)
    if request is None or request.status != RequestStatus.PENDING or request.in_person:
        return False
    guardian = session.get(Guardian, request.guardian_id)
    if not compose.guardian_channels(guardian):
        return True
    statuses = list(session.exec(select(OutgoingMessage.status).where(
        OutgoingMessage.signing_request_id == signing_request_id,
        OutgoingMessage.kind.in_(LINK_MESSAGE_KINDS))))
    return bool(statuses) and all(s == MessageStatus.FAILED for s in statuses)


SAME_BATCH = timedelta(minutes=1)  # messages queued together for one notification


def queue_fallback(session: Session, failed: OutgoingMessage) -> list[int]:
    """After a link message failed for good, send it on the guardian's other channel, once.

    Not when: it was itself a fallback (no ping-pong), it already fell back, the other channel
    was part of the same notification, or the link no longer needs signing.
    """
    if failed.kind not in LINK_MESSAGE_KINDS or not failed.signing_request_id or failed.fallback_for_id:
        return []
    if session.exec(select(OutgoingMessage.id).where(OutgoingMessage.fallback_for_id == failed.id)).first():
        return []
    request = session.get(SigningRequest, failed.signing_request_id)
    guardian = session.get(Guardian, failed.guardian_id) if failed.guardian_id else None
    other = Channel.SMS if failed.channel == Channel.EMAIL else Channel.EMAIL
    if request is None or guardian is None or links.status_of(request) != LinkStatus.OK:
        return []
    if not compose.usable_contact(guardian, other):
        return []
    siblings = session.exec(select(OutgoingMessage.created_at).where(
        OutgoingMessage.signing_request_id == request.id, OutgoingMessage.kind == failed.kind,
        OutgoingMessage.channel == other))
    if any(abs(created - failed.created_at) <= SAME_BATCH for created in siblings):
        return []
    messages = compose.queue_ready_to_sign(session, request, kind=failed.kind, channels=(other,))
    for m in messages:
        m.fallback_for_id = failed.id
        session.add(m)
        audit.record(session, "notified", sheet_id=request.sheet_id, signing_request_id=request.id,
                     channel=m.channel, detail={"message_id": m.id, "fallback_for": failed.id})
    session.flush()
    return [m.id for m in messages]
