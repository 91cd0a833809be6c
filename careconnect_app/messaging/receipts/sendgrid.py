"""SendGrid's Event Webhook: processed, delivered, bounces and drops, deduplicated on sg_event_id.

A batch is checked whole before anything is applied (`batch_problem`): the signature proves who
sent it, not that it is well formed, and a malformed batch must be a clear 400, never a crash.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select, update

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.messaging.backends.sendgrid import MESSAGE_ID_ARG
from careconnect_app.messaging.receipts.ladder import advance, is_message_id, receipt_is_new
from careconnect_app.models import OutgoingMessage
from careconnect_app.statuses import Channel, MessageStatus

# SendGrid's event types on our ladder (an open or a click proves delivery).
SENDGRID_STATUS = {"processed": MessageStatus.SENT, "delivered": MessageStatus.DELIVERED,
                   "open": MessageStatus.DELIVERED, "click": MessageStatus.DELIVERED,
                   "bounce": MessageStatus.FAILED, "dropped": MessageStatus.FAILED}


MAX_EVENTS = 10_000  # SendGrid posts at most about 768 KB per batch
LATEST_TIMESTAMP = 32_503_680_000  # the year 3000: anything later is not a real event time
# The fields we read, and what each must be when present (SendGrid adds others we ignore).
TEXT_FIELDS = ("event", "sg_event_id", "sg_message_id", "email", "reason", "response", "type", "status")


def _event_problem(event: object) -> str | None:
    if not isinstance(event, dict):
        return "an event is not an object"
    for name in TEXT_FIELDS:
        if name in event and not isinstance(event[name], str):
            return f"{name} is not text"
    stamp = event.get("timestamp")
    if stamp is not None and (isinstance(stamp, bool) or not isinstance(stamp, int)
                              or not 0 <= stamp <= LATEST_TIMESTAMP):
        return "timestamp is not a time"
    mid = event.get(MESSAGE_ID_ARG)
    if mid is not None and (isinstance(mid, bool) or not isinstance(mid, (str, int))
                            or not is_message_id(str(mid))):
        return f"{MESSAGE_ID_ARG} is not one of our ids"
    return None


def batch_problem(events: object) -> str | None:
    """What is wrong with a decoded batch, or None when every event has the shape we read."""
    if not isinstance(events, list):
        return "expected a JSON array of events"
    if len(events) > MAX_EVENTS:
        return f"more than {MAX_EVENTS} events"
    return next((p for p in map(_event_problem, events) if p), None)


def _find_sendgrid_message(session: Session, event: dict) -> OutgoingMessage | None:
    mid = str(event.get(MESSAGE_ID_ARG) or "")
    if is_message_id(mid):
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
    stamp = event.get("timestamp")
    at = datetime.fromtimestamp(stamp, tz=timezone.utc) if isinstance(stamp, int) else utcnow()
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
