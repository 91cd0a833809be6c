"""Twilio webhooks: message status callbacks and the parent's STOP / START replies."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from careconnect_app.common import audit
from careconnect_app.db import session_scope
from careconnect_app.messaging.receipts.ladder import advance, receipt_is_new
from careconnect_app.models import Guardian, OutgoingMessage
from careconnect_app.statuses import Actor, Channel, MessageStatus

OPT_OUT_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
OPT_IN_WORDS = {"START", "UNSTOP"}
# Twilio's message states on our ladder.
TWILIO_STATUS = {"accepted": MessageStatus.SENT, "queued": MessageStatus.SENT, "sending": MessageStatus.SENT,
                 "sent": MessageStatus.SENT, "delivered": MessageStatus.DELIVERED,
                 "undelivered": MessageStatus.FAILED, "failed": MessageStatus.FAILED}
# Twilio ErrorCode on undelivered/failed receipts that tell us about the number.
TWILIO_CONTACT_CODES = {"21610": "opted_out", "30005": "invalid", "30006": "invalid", "21211": "invalid",
                        "21614": "invalid"}


def _find_twilio_message(session: Session, sid: str, mid: str) -> OutgoingMessage | None:
    if sid:
        found = session.exec(select(OutgoingMessage).where(OutgoingMessage.provider_message_id == sid,
                                                           OutgoingMessage.channel == Channel.SMS)).first()
        if found:
            return found
    if mid.isdigit():
        found = session.get(OutgoingMessage, int(mid))
        if found and found.channel == Channel.SMS and found.provider_message_id in ("", sid):
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
            if not receipt_is_new(session, "twilio", f"{sid}:{twilio_state}"):
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
            audit.record(session, event, actor=Actor.PARENT, channel=Channel.SMS,
                         detail={"guardian_id": guardian.id, "keyword": word})
    return f"{event}:{len(guardians)}"
