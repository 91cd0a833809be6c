"""The forward-only ladder every delivery receipt climbs, and receipt deduplication.

Status only moves forward, with one conditional UPDATE per change, so receipts arriving late,
twice or concurrently end in the same state whatever their order:

    queued / sending  <  sent  <  delivered  <  failed

(failed beats delivered: a bounce is proof the parent did not get the email, even after a
"delivered" from the first relay). Side effects (guardian flags, audit, fallback) run only on
the transition itself, so repeats are harmless. Plain Python: the webhook routes call this.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, select, update

from careconnect_app.clock import utcnow
from careconnect_app.messaging import failures
from careconnect_app.models import OutgoingMessage, WebhookReceipt
from careconnect_app.statuses import MESSAGE_STATUS_RANK, MessageStatus


def advance(session: Session, message_id: int, new_status: MessageStatus, *, at: datetime | None = None,
            reason: str = "", provider_message_id: str = "", contact: str = "") -> bool:
    """Move a message up the ladder; False when it already is at or above `new_status`."""
    at = at or utcnow()
    lower = [s for s, rank in MESSAGE_STATUS_RANK.items() if rank < MESSAGE_STATUS_RANK[new_status]]
    allowed = OutgoingMessage.status.in_(lower)
    if new_status in (MessageStatus.SENT, MessageStatus.DELIVERED):  # evidence beats our guess after a crash
        allowed = or_(allowed, and_(OutgoingMessage.status == MessageStatus.FAILED,
                                    OutgoingMessage.last_error == failures.INTERRUPTED))
    values: dict = {"status": new_status}
    if new_status == MessageStatus.SENT:
        values["sent_at"] = at
    elif new_status == MessageStatus.DELIVERED:
        values.update(delivered_at=at, last_error="")
    else:
        values.update(failed_at=at, last_error=reason[:500])
    if provider_message_id:
        values["provider_message_id"] = provider_message_id
    changed = session.exec(update(OutgoingMessage).where(OutgoingMessage.id == message_id, allowed)
                           .values(**values)).rowcount == 1
    if changed and new_status == MessageStatus.FAILED:
        failures.after_failure(session, session.get(OutgoingMessage, message_id), reason, contact=contact)
    return changed


def is_message_id(value: str) -> bool:
    """Whether a provider echoed one of our message ids back (ASCII digits that fit a 64-bit id)."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def receipt_is_new(session: Session, source: str, external_id: str) -> bool:
    """Dedupe: False when this receipt was processed before (the unique key catches races at commit)."""
    exists = session.exec(select(WebhookReceipt.id).where(
        WebhookReceipt.source == source, WebhookReceipt.external_id == external_id)).first()
    if exists:
        return False
    session.add(WebhookReceipt(source=source, external_id=external_id[:255]))
    return True


