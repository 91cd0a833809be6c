"""What happened to a message after we handed it over: delivery receipts, STOP replies, failures.

Status only moves forward on this ladder, with one conditional UPDATE per change, so receipts
arriving late, twice or concurrently end in the same state whatever their order:

    queued / sending  <  sent  <  delivered  <  failed

(failed beats delivered: a bounce is proof the parent did not get the email, even after a
"delivered" from the first relay). Side effects (guardian flags, audit, fallback) run only on
the transition itself, so repeats are harmless. Plain Python: the Starlette routes call these.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from sqlalchemy import and_, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select, update

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import Guardian, OutgoingMessage, SigningRequest, WebhookReceipt
from careconnect_app.common import audit
from careconnect_app.messaging import compose, reminders

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted: the worker stopped during the send; delivery unknown, not retried to avoid a duplicate"
LADDER = {"queued": 0, "sending": 0, "sent": 1, "delivered": 2, "failed": 3}
OPT_OUT_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
OPT_IN_WORDS = {"START", "UNSTOP"}
TWILIO_STATUS = {"accepted": "sent", "queued": "sent", "sending": "sent", "sent": "sent",
                 "delivered": "delivered", "undelivered": "failed", "failed": "failed"}
# Twilio ErrorCode on undelivered/failed receipts that tell us about the number.
TWILIO_CONTACT_CODES = {"21610": "opted_out", "30005": "invalid", "30006": "invalid", "21211": "invalid",
                        "21614": "invalid"}


# ---- the status ladder --------------------------------------------------------------------------

def advance(session: Session, message_id: int, new_status: str, *, at: datetime | None = None,
            reason: str = "", provider_message_id: str = "", contact: str = "") -> bool:
    """Move a message up the ladder; False when it already is at or above `new_status`."""
    at = at or utcnow()
    lower = [s for s, rank in LADDER.items() if rank < LADDER[new_status]]
    allowed = OutgoingMessage.status.in_(lower)
    if new_status in ("sent", "delivered"):  # evidence beats our guess after a crash
        allowed = or_(allowed, and_(OutgoingMessage.status == "failed", OutgoingMessage.last_error == INTERRUPTED))
    values: dict = {"status": new_status}
    if new_status == "sent":
        values["sent_at"] = at
    elif new_status == "delivered":
        values.update(delivered_at=at, last_error="")
    else:
        values.update(failed_at=at, last_error=reason[:500])
    if provider_message_id:
        values["provider_message_id"] = provider_message_id
    changed = session.exec(update(OutgoingMessage).where(OutgoingMessage.id == message_id, allowed)
                           .values(**values)).rowcount == 1
    if changed and new_status == "failed":
        after_failure(session, session.get(OutgoingMessage, message_id), reason, contact=contact)
    return changed


def after_failure(session: Session, message: OutgoingMessage, reason: str, *, contact: str = "") -> None:
    """A message failed for good: flag a dead contact, audit it, try the guardian's other channel."""
    guardian = session.get(Guardian, message.guardian_id) if message.guardian_id else None
    if guardian is not None:
        if message.channel == "email" and contact == "invalid" and guardian.email == message.to:
            guardian.email_undeliverable = True
            guardian.email_undeliverable_reason = reason[:300]
            session.add(guardian)
        elif message.channel == "sms" and contact == "opted_out" and guardian.phone == message.to:
            guardian.sms_opted_out = True
            session.add(guardian)
    if message.sheet_id:
        audit.record(session, "delivery_failed", sheet_id=message.sheet_id,
                     signing_request_id=message.signing_request_id, channel=message.channel,
                     detail={"message_id": message.id, "kind": message.kind, "reason": reason[:300]})
    session.flush()
    reminders.queue_fallback(session, message)


def unreachable(session: Session, signing_request_id: int) -> bool:
    """A pending request whose guardian has no usable channel, or every notification failed."""
    request = session.get(SigningRequest, signing_request_id)
    if request is None or request.status != "pending" or request.in_person:
        return False
    guardian = session.get(Guardian, request.guardian_id)
    if not compose.guardian_channels(guardian):
        return True
    statuses = list(session.exec(select(OutgoingMessage.status).where(
        OutgoingMessage.signing_request_id == signing_request_id,
        OutgoingMessage.kind.in_(reminders.NOTIFY_KINDS))))
    return bool(statuses) and all(s == "failed" for s in statuses)


def _receipt_is_new(session: Session, source: str, external_id: str) -> bool:
    """Dedupe: False when this receipt was processed before (the unique key catches races at commit)."""
    exists = session.exec(select(WebhookReceipt.id).where(
        WebhookReceipt.source == source, WebhookReceipt.external_id == external_id)).first()
    if exists:
        return False
    session.add(WebhookReceipt(source=source, external_id=external_id[:255]))
    return True


# ---- Twilio ------------------------------------------------------------------------------------

def _find_twilio_message(session: Session, sid: str, mid: str) -> OutgoingMessage | None:
    if sid:
        found = session.exec(select(OutgoingMessage).where(OutgoingMessage.provider_message_id == sid,
                                                           OutgoingMessage.channel == "sms")).first()
        if found:
            return found
    if mid.isdigit():
        found = session.get(OutgoingMessage, int(mid))
        if found and found.channel == "sms" and found.provider_message_id in ("", sid):
            return found
    return None


def twilio_status(params: dict, mid: str = "") -> str:
    """Apply one Twilio status callback; returns what was done (for logs and tests)."""
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    twilio_state = (params.get("MessageStatus") or params.get("SmsStatus") or "").lower()
    ours = TWILIO_STATUS.get(twilio_state)
    if not sid or ours is None:
        return "ignored"
    try:
        with session_scope() as session:
            if not _receipt_is_new(session, "twilio", f"{sid}:{twilio_state}"):
                return "duplicate"
            message = _find_twilio_message(session, sid, mid)
            if message is None:
                return "unknown message"
            code = params.get("ErrorCode") or ""
            reason = f"Twilio {twilio_state}" + (f" (error {code})" if code else "")
            changed = advance(session, message.id, ours, reason=reason, provider_message_id=sid,
                              contact=TWILIO_CONTACT_CODES.get(code, ""))
            return ours if changed else "unchanged"
    except IntegrityError:
        return "duplicate"  # the same receipt was committed by a concurrent request


def twilio_incoming(params: dict) -> str:
    """An SMS from a parent: STOP-family words opt out, START/UNSTOP opt back in."""
    phone = (params.get("From") or "").strip()
    word = (params.get("Body") or "").strip().upper().rstrip(".!")
    if word in OPT_OUT_WORDS:
        opted_out, event = True, "sms_opted_out"
    elif word in OPT_IN_WORDS:
        opted_out, event = False, "sms_opted_in"
    else:
        return "ignored"
    with session_scope() as session:
        guardians = list(session.exec(select(Guardian).where(Guardian.phone == phone))) if phone else []
        for guardian in guardians:
            guardian.sms_opted_out = opted_out
            session.add(guardian)
            audit.record(session, event, actor="parent", channel="sms",
                         detail={"guardian_id": guardian.id, "keyword": word})
    return f"{event}:{len(guardians)}"


# ---- SendGrid ----------------------------------------------------------------------------------

SENDGRID_STATUS = {"processed": "sent", "delivered": "delivered", "open": "delivered", "click": "delivered",
                   "bounce": "failed", "dropped": "failed"}


def _find_sendgrid_message(session: Session, event: dict) -> OutgoingMessage | None:
    from careconnect_app.messaging.backends.smtp import MESSAGE_ID_ARG

    mid = str(event.get(MESSAGE_ID_ARG) or "")
    if mid.isdigit():
        found = session.get(OutgoingMessage, int(mid))
        if found and found.channel == "email":
            return found
    sg_id = str(event.get("sg_message_id") or "").split(".")[0]  # "<X-Message-Id>.filter..."
    if sg_id:
        return session.exec(select(OutgoingMessage).where(OutgoingMessage.provider_message_id == sg_id,
                                                          OutgoingMessage.channel == "email")).first()
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
                                                   OutgoingMessage.status.in_(("sending", "sent")))
                     .values(last_error=f"deferred: {event.get('response', '')}"[:500]))
        return "deferred"
    ours = SENDGRID_STATUS.get(kind)
    if ours is None:
        return "ignored"
    reason = ""
    if ours == "failed":
        why = event.get("reason") or event.get("response") or ""
        reason = f"SendGrid {kind}{' (' + str(event.get('type')) + ')' if event.get('type') else ''}: {why}"
    # Bounces and drops mean the address is dead: flag it for the provider to fix.
    changed = advance(session, message.id, ours, at=at, reason=reason,
                      contact="invalid" if ours == "failed" else "")
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
    if event_id and not _receipt_is_new(session, "sendgrid", event_id):
        return "duplicate"
    return _apply_sendgrid_event(session, event)


def _count(counts: dict[str, int], outcome: str) -> None:
    counts[outcome] = counts.get(outcome, 0) + 1
