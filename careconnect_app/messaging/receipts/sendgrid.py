"""SendGrid's Event Webhook: processed, delivered, bounces and drops, deduplicated on sg_event_id."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select, update

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.messaging.backends.sendgrid import MESSAGE_ID_ARG
from careconnect_app.messaging.receipts.ladder import advance, receipt_is_new
from careconnect_app.models import OutgoingMessage
from careconnect_app.statuses import Channel, MessageStatus

# SendGrid's event types on our ladder (an open or a click proves delivery).
SENDGRID_STATUS = {"processed": MessageStatus.SENT, "delivered": MessageStatus.DELIVERED,
                   "open": MessageStatus.DELIVERED, "click": MessageStatus.DELIVERED,
                   "bounce": MessageStatus.FAILED, "dropped": MessageStatus.FAILED}


def _find_sendgrid_message(session: Session, event: dict) -> OutgoingMessage | None:
    mid = str(event.get(MESSAGE_ID_ARG) or "")
    if mid.isdigit():
        found = session.get(OutgoingMessage, int(mid))
        if found and found.channel == Channel.EMAIL:
            return found
    sg_id = str(event.get("sg_message_id") or "").split(".")[0]  # "<X-Message-Id>.filter..."
    if sg_id:
        return session.exec(select(OutgoingMessage).where(OutgoingMessage.provider_message_id == sg_id,
                                                          OutgoingMessage.channel == Channel.EMAIL)).first()
    return None


def _apply_sendgrid_event(session: Session, event: dict) -> str:
    kind = str(event.get("event") or "")
    message = _find_sendgrid_message(session, event)
    if message is None:
        return "unknown message"
    stamp = str(event.get("timestamp", ""))
    at = datetime.fromtimestamp(int(stamp), tz=timezone.utc) if stamp.isdigit() else utcnow()
    if kind == "deferred":  # the receiving server said "later"; SendGrid keeps trying for 72 h
        session.exec(update(OutgoingMessage).where(OutgoingMessage.id == message.id,
                                                   OutgoingMessage.status.in_((MessageStatus.SENDING, MessageStatus.SENT)))
                     .values(last_error=f"deferred: {event.get('response', '')}"[:500]))
        return "deferred"
    ours = SENDGRID_STATUS.get(kind)
    if ours is None:
        return "ignored"
    reason = ""
    if ours == MessageStatus.FAILED:
        why = event.get("reason") or event.get("response") or ""
        reason = f"SendGrid {kind}{' (' + str(event.get('type')) + ')' if event.get('type') else ''}: {why}"
    # Bounces and drops mean the address is dead: flag it for the provider to fix.
    changed = advance(session, message.id, ours, at=at, reason=reason,
                      contact="invalid" if ours == MessageStatus.FAILED else "")
    return ours if changed else "unchanged"


def sendgrid_events(events: list[dict]) -> dict[str, int]:
    """Apply a batch of SendGrid events (deduped on sg_event_id); returns counts per outcome."""
    counts: dict[str, int] = {}
    try:
        with session_scope() as session:
            for event in events:
                _count(counts, _one_sendgrid_event(session, event))
        return counts
    except IntegrityError:
        pass  # a concurrent delivery of the same batch: redo one event per transaction
    counts = {}
    for event in events:
        try:
            with session_scope() as session:
                _count(counts, _one_sendgrid_event(session, event))
        except IntegrityError:
            _count(counts, "duplicate")
    return counts


def _one_sendgrid_event(session: Session, event: dict) -> str:
    if not isinstance(event, dict):
        return "ignored"
    event_id = str(event.get("sg_event_id") or "")
    if event_id and not receipt_is_new(session, "sendgrid", event_id):
        return "duplicate"
    return _apply_sendgrid_event(session, event)


def _count(counts: dict[str, int], outcome: str) -> None:
    counts[outcome] = counts.get(outcome, 0) + 1
