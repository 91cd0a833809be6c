"""Twilio webhooks: message status callbacks and the parent's STOP / START replies.

A parent's reply is deduplicated on its MessageSid (kept 400 days: common/retention.py) and
applied only if it was sent after the reply that set the guardian's current choice, so a
captured START replayed later, or a START Twilio delivers late, never undoes a later STOP.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select, update

from careconnect_app.clock import utcnow
from careconnect_app.common import audit
from careconnect_app.common.retention import INBOUND_SMS_SOURCE
from careconnect_app.db import session_scope
from careconnect_app.messaging.backends import backend_for
from careconnect_app.messaging.receipts.ladder import advance, is_message_id, receipt_is_new
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
    if is_message_id(mid):
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


def opt_keyword(params: dict) -> tuple[bool, str] | None:
    """(opted out, audit event) for a STOP- or START-family reply, else None."""
    word = (params.get("Body") or "").strip().upper().rstrip(".!")
    if word in OPT_OUT_WORDS:
        return True, "sms_opted_out"
    if word in OPT_IN_WORDS:
        return False, "sms_opted_in"
    return None


def reply_sent_at(params: dict) -> datetime | None:
    """When Twilio says a STOP/START reply was sent (None for other replies or without Twilio)."""
    if opt_keyword(params) is None:
        return None
    lookup = getattr(backend_for(Channel.SMS), "sent_at", None)
    return lookup(str(params.get("MessageSid") or "")) if lookup else None


def twilio_incoming(params: dict, sent_at: datetime | None = None) -> str:
    """An SMS from a parent: STOP-family words opt out, START/UNSTOP opt back in.

    `sent_at` is when Twilio says the parent sent it (the webhook carries no time; see
    api/webhooks.py); without it, when it reached us.
    """
    sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
    phone = (params.get("From") or "").strip()
    choice = opt_keyword(params)
    if choice is None or not sid or not phone:
        return "ignored"
    opted_out, event = choice
    sent_at = sent_at or utcnow()
    try:
        with session_scope() as session:
            if not receipt_is_new(session, INBOUND_SMS_SOURCE, sid):
                return "duplicate"
            changed = 0
            for guardian_id in session.exec(select(Guardian.id).where(Guardian.phone == phone)).all():
                # Only a reply newer than the one behind the current choice changes it (one UPDATE).
                newer = or_(Guardian.sms_opt_changed_at.is_(None), Guardian.sms_opt_changed_at < sent_at)
                if session.exec(update(Guardian).where(Guardian.id == guardian_id, newer)
                                .values(sms_opted_out=opted_out, sms_opt_changed_at=sent_at)).rowcount != 1:
                    continue
                changed += 1
                audit.record(session, event, actor=Actor.PARENT, channel=Channel.SMS,
                             detail={"guardian_id": guardian_id, "keyword": params.get("Body", "").strip()[:20],
                                     "message_sid": sid[:64]})
            return f"{event}:{changed}"
    except IntegrityError:
        return "duplicate"  # the same reply committed by a concurrent request
