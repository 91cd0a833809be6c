"""The secret in a message, made when the message is sent and never stored readable.

A queued message holds `SECRET_SLOT` where its link token or code goes. Right before each
attempt the worker makes the secret (its hash is committed first, so the guardian can use it as
soon as it arrives) and hands the backend a filled copy; the filled text is never written to the
database. A link message gets a fresh token on each attempt (an earlier one may have arrived, and
keeps working until its request stops); a code message makes a new code on each attempt, which
replaces the one before.

A secret that no longer has a purpose is not sent: the request stopped (recalled, signed,
expired ...) or a newer code replaced this one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row
from sqlmodel import Session, select

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.messaging.backends.base import SECRET_SLOT, SendError
from careconnect_app.models import OutgoingMessage, SigningRequest
from careconnect_app.signing import links, verification
from careconnect_app.statuses import SECRET_OF_KIND, LinkStatus, MessageSecret, RequestStatus, TokenPurpose

NO_PURPOSE = {
    MessageSecret.SIGN_LINK: "not sent: the link stopped before it was sent (signed, recalled, replaced or expired)",
    MessageSecret.NOT_ME_LINK: "not sent: the signature it is about no longer stands",
    MessageSecret.CODE: "not sent: a newer code replaced this one, or it expired",
}


_REQUEST = SigningRequest.__table__.c


def _link_states(session: Session, messages: list[OutgoingMessage]) -> dict[int, Row]:
    """What a link needs of each message's request (id, status, expiry), in one Core query: the
    ORM's per-query setup cost the worker more CPU than the rest of making a batch's links."""
    ids = {m.signing_request_id for m in messages if m.signing_request_id}
    if not ids:
        return {}
    rows = session.connection().execute(select(_REQUEST.id, _REQUEST.status, _REQUEST.expires_at)
                                        .where(_REQUEST.id.in_(ids)))
    return {row.id: row for row in rows}


def _secret(session: Session, message: OutgoingMessage, kind: MessageSecret, now: datetime,
            tokens: list[dict], requests: dict[int, Row]) -> str | None:
    if kind == MessageSecret.CODE:
        return verification.make_code(session, message.id, now)
    request = requests.get(message.signing_request_id) if message.signing_request_id else None
    if request is None:
        return None
    if kind == MessageSecret.SIGN_LINK:
        if links.status_of(request, now) != LinkStatus.OK:
            return None
        return links.mint(session, request, TokenPurpose.SIGN, message_id=message.id, now=now, into=tokens)
    if request.status != RequestStatus.SIGNED:
        return None
    return links.mint(session, request, TokenPurpose.NOT_ME, message_id=message.id, now=now, into=tokens)


def _kind(message: OutgoingMessage) -> MessageSecret:
    """The secret the message carries (NONE when it has no slot for one)."""
    kind = SECRET_OF_KIND.get(message.kind, MessageSecret.NONE)  # type: ignore[call-overload]
    return kind if SECRET_SLOT in message.text + message.html else MessageSecret.NONE


def _fill(session: Session, message: OutgoingMessage, now: datetime, tokens: list[dict],
          requests: dict[int, Row]) -> OutgoingMessage:
    """`message` with its secret; a link token's row goes to `tokens` (the caller inserts them)."""
    kind = _kind(message)
    if kind == MessageSecret.NONE:
        return message
    secret = _secret(session, message, kind, now, tokens, requests)
    if secret is None:
        raise SendError(NO_PURPOSE[kind], permanent=True)
    # A copy for the backend only (never added to a session): the stored row keeps the slot.
    return message.model_copy(update={"text": message.text.replace(SECRET_SLOT, secret),
                                      "html": message.html.replace(SECRET_SLOT, secret)})


def filled(message: OutgoingMessage, now: datetime | None = None) -> OutgoingMessage:
    """A copy of `message` with its secret made now; the message itself when it carries none.

    Raises a permanent SendError when the secret no longer has a purpose.
    """
    if _kind(message) == MessageSecret.NONE:
        return message
    with session_scope() as session:  # committed before the send: the guardian may use it at once
        tokens: list[dict] = []
        copy = _fill(session, message, now or utcnow(), tokens, _link_states(session, [message]))
        links.insert_tokens(session, tokens)
        return copy


def filled_all(messages: list[OutgoingMessage], now: datetime | None = None) -> dict[int, OutgoingMessage | SendError]:
    """`filled` for a batch the worker just claimed, in one transaction instead of one per message:
    by message id, the filled copy or the permanent SendError."""
    now, ready = now or utcnow(), {}
    with session_scope() as session:
        requests, tokens = _link_states(session, messages), []  # tokens: rows for one INSERT
        for message in messages:
            try:
                ready[message.id] = _fill(session, message, now, tokens, requests)
            except SendError as exc:
                ready[message.id] = exc
        links.insert_tokens(session, tokens)  # the batch's link tokens in one statement
    return ready
