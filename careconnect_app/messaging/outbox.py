"""The outbox: claim a queued message, send it through its channel's backend, record the outcome.

Every message is in the database before any attempt. A worker claims a row with one conditional
UPDATE (queued -> sending), which is atomic on SQLite (one writer) and PostgreSQL (the row lock
re-checks the WHERE), so two workers never send the same row. The provider call happens outside
any DB transaction; the outcome is written with another conditional UPDATE.

Crash recovery (the trade-off): a row left in "sending" past CLAIM_TIMEOUT may or may not have
reached the provider. We prefer "at most once": the backend is asked (Twilio: list recent
messages to that number; file: read the outbox); found -> "sent", provably absent -> queued again,
unknown (SMTP, SendGrid without a webhook yet) -> "failed" with INTERRUPTED as the reason, which
the portal shows so the provider can resend. A later receipt proving delivery still wins.
Only a hard kill during a provider call leads there: a stopping worker finishes its sends.
"""

from __future__ import annotations

import logging
import random
import secrets
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import case
from sqlmodel import Session, select, update

from careconnect_app.clock import utcnow
from careconnect_app.common.masking import mask_contact
from careconnect_app.config import get_settings
from careconnect_app.db import session_scope
from careconnect_app.messaging import attachments, failures, secret_slot
from careconnect_app.messaging.backends import backend_for
from careconnect_app.messaging.backends.base import Backend, SendError
from careconnect_app.models import OutgoingMessage
from careconnect_app.statuses import SECRET_OF_KIND, MessageKind, MessageSecret, MessageStatus

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=5)  # far above send_timeout_seconds: only crashed workers hit it
MAX_DELAY = timedelta(hours=1)
# A code arriving after it expired only confuses the parent: stop retrying it.
GIVE_UP_AFTER = {MessageKind.VERIFICATION_CODE: timedelta(minutes=10)}


def worker_id() -> str:
    return f"{socket.gethostname()}:{threading.get_ident()}"


def retry_delay(attempts: int, retry_after: float | None = None, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter: 10 s, 20 s, 40 s ... (each 50-100 %), capped at 1 hour.

    Jitter spreads the retries of a whole batch that failed together (an outage), so the
    provider is not hit by all of them in the same second when it comes back.
    """
    base = min(MAX_DELAY.total_seconds(), 10 * 2 ** max(0, attempts - 1))
    seconds = base * (rng or random).uniform(0.5, 1.0)
    if retry_after:
        seconds = max(seconds, retry_after)
    return timedelta(seconds=min(seconds, MAX_DELAY.total_seconds()))


# ---- one message -------------------------------------------------------------------------------

def _claim(message_id: int, token: str, now: datetime) -> tuple[bool, OutgoingMessage | None]:
    """queued -> sending in one statement (UPDATE ... RETURNING: SQLite >= 3.35, PostgreSQL)."""
    settings = get_settings()
    with session_scope() as session:
        row = session.exec(
            update(OutgoingMessage)
            .where(OutgoingMessage.id == message_id, OutgoingMessage.status == MessageStatus.QUEUED,
                   OutgoingMessage.next_attempt_at <= now)
            .values(status=MessageStatus.SENDING, claimed_by=token, claimed_at=utcnow(),
                    attempts=OutgoingMessage.attempts + 1,
                    # Recorded before the call: crash recovery must ask the backend that was used.
                    backend=case((OutgoingMessage.channel == "email", settings.email_backend),
                                 else_=settings.sms_backend))
            .returning(*OutgoingMessage.__table__.columns)
        ).first()
        if row is not None:
            # A detached copy for the backend: no DB session is held during the provider call.
            return True, OutgoingMessage.model_validate(dict(row._mapping))
        return False, session.get(OutgoingMessage, message_id)


def _attempt(message: OutgoingMessage, backend: Backend) -> str:
    """The provider call (attachments rendered first). Returns the provider id or raises SendError."""
    limit = GIVE_UP_AFTER.get(message.kind)
    if limit and utcnow() - message.created_at > limit:
        raise SendError("not sent: it would arrive after the code expired", permanent=True)
    lookup = getattr(backend, "lookup", None)
    if message.attempts > 1 and lookup:
        # The previous attempt may have reached the provider before failing (timeout): ask first.
        found = lookup(message)
        if found:
            return found
    # The link or code is made now, for this attempt; the filled copy is never stored.
    return backend.send(secret_slot.filled(message), attachments.render(message)) or ""


ERASED_BODY = "[erased once final: this message held a one-time portal link]"


def _erase_account_link(session, message: OutgoingMessage) -> None:
    """A message that carried a portal one-time link keeps no readable copy once it is final."""
    if SECRET_OF_KIND.get(message.kind) == MessageSecret.ACCOUNT_LINK:  # type: ignore[call-overload]
        session.exec(update(OutgoingMessage).where(OutgoingMessage.id == message.id)
                     .values(text=ERASED_BODY, html=""))


def _finish(message: OutgoingMessage, token: str, *, provider_id: str = "", error: SendError | None = None) -> str:
    """Write the outcome, only if our claim still holds (receipts may have moved the row on)."""
    now = utcnow()
    mine = update(OutgoingMessage).where(OutgoingMessage.id == message.id, OutgoingMessage.status == MessageStatus.SENDING,
                                         OutgoingMessage.claimed_by == token)
    with session_scope() as session:
        if error is None:
            status = MessageStatus.SENT
            if not session.exec(mine.values(status=status, provider_message_id=provider_id, sent_at=now,
                                            last_error="")).rowcount:
                # A receipt arrived first: keep its status, add what we know.
                session.exec(update(OutgoingMessage).where(
                    OutgoingMessage.id == message.id, OutgoingMessage.provider_message_id == "")
                    .values(provider_message_id=provider_id, sent_at=now))
                status = session.get(OutgoingMessage, message.id).status
            _erase_account_link(session, message)
            return status
        if error.permanent or message.attempts >= get_settings().delivery_max_attempts:
            reason = str(error) if error.permanent else f"gave up after {message.attempts} attempts: {error}"
            if session.exec(mine.values(status=MessageStatus.FAILED, failed_at=now, last_error=reason[:500])).rowcount:
                failures.after_failure(session, session.get(OutgoingMessage, message.id), reason,
                                       contact=error.contact)
                _erase_account_link(session, message)
                return MessageStatus.FAILED
        elif session.exec(mine.values(status=MessageStatus.QUEUED, last_error=str(error)[:500],
                                      next_attempt_at=now + retry_delay(message.attempts, error.retry_after))
                          ).rowcount:
            return MessageStatus.QUEUED
        current = session.get(OutgoingMessage, message.id)
        return current.status if current else "missing"


def deliver_one(message_id: int, *, worker: str | None = None, now: datetime | None = None) -> str:
    """Claim and send one message; returns its new status."""
    token = f"{worker or worker_id()}/{secrets.token_hex(4)}"  # unique per claim
    claimed, message = _claim(message_id, token, now or utcnow())
    if message is None:
        return "missing"
    if not claimed:
        return message.status
    try:
        provider_id = _attempt(message, backend_for(message.channel))
    except SendError as exc:
        return _finish(message, token, error=exc)
    except Exception as exc:  # an unexpected bug must not lose the message: retry later
        log.exception("delivery of message %s failed unexpectedly", message_id)
        return _finish(message, token, error=SendError(f"{type(exc).__name__}: {exc}"))
    return _finish(message, token, provider_id=provider_id)


# ---- batches -----------------------------------------------------------------------------------

def recover_stuck(now: datetime | None = None) -> int:
    """Resolve rows left in "sending" by a crashed worker (see the module docstring)."""
    cutoff = (now or utcnow()) - CLAIM_TIMEOUT
    with session_scope() as session:
        stuck = list(session.exec(select(OutgoingMessage).where(
            OutgoingMessage.status == MessageStatus.SENDING, OutgoingMessage.claimed_at < cutoff)))
    for message in stuck:
        backend = backend_for(message.channel)
        lookup = getattr(backend, "lookup", None) if backend.name == message.backend else None
        try:
            found = lookup(message) if lookup else None
        except Exception:  # cannot tell: treat as unknown
            log.exception("lookup of stuck message %s failed", message.id)
            found = None
        mine = (OutgoingMessage.id == message.id, OutgoingMessage.status == MessageStatus.SENDING,
                OutgoingMessage.claimed_by == message.claimed_by)
        with session_scope() as session:
            if found:
                values = dict(status=MessageStatus.SENT, provider_message_id=found, sent_at=utcnow())
            elif found == "":
                values = dict(status=MessageStatus.QUEUED, next_attempt_at=utcnow(),
                              last_error="worker stopped before sending; queued again")
            else:
                values = dict(status=MessageStatus.FAILED, failed_at=utcnow(), last_error=failures.INTERRUPTED)
            session.exec(update(OutgoingMessage).where(*mine).values(**values))
        log.warning("message %s was stuck in sending: %s", message.id, values["status"])
    return len(stuck)


def deliver_due(limit: int = 200, *, worker: str | None = None, now: datetime | None = None,
                concurrency: int | None = None) -> int:
    """Send every message whose time has come, `concurrency` at a time; returns how many were tried.

    Provider calls take ~100 ms each and are I/O bound, so a bounded thread pool multiplies
    throughput; each thread claims its own rows, so overlapping workers stay safe.
    """
    recover_stuck()
    with session_scope() as session:
        ids = list(session.exec(
            select(OutgoingMessage.id)
            .where(OutgoingMessage.status == MessageStatus.QUEUED, OutgoingMessage.next_attempt_at <= (now or utcnow()))
            .order_by(OutgoingMessage.next_attempt_at, OutgoingMessage.id)
            .limit(limit)
        ))
    _run_all(ids, worker=worker, now=now, concurrency=concurrency)
    return len(ids)


def deliver_now(message_ids: list[int]) -> None:
    """Try these right away (after the caller committed); the worker retries any failure."""
    _run_all(list(message_ids))


_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def _executor(size: int) -> ThreadPoolExecutor:
    """One pool per process, kept between passes: its threads keep their HTTP connections open."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size != size:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool, _pool_size = ThreadPoolExecutor(max_workers=size, thread_name_prefix="careconnect-send"), size
        return _pool


def _run_all(ids: list[int], *, worker: str | None = None, now: datetime | None = None,
             concurrency: int | None = None) -> None:
    size = concurrency or get_settings().delivery_concurrency
    if size <= 1 or len(ids) <= 1:
        for message_id in ids:
            deliver_one(message_id, worker=worker, now=now)
        return
    # Waits for the whole batch: a stopping worker never leaves a send half-recorded.
    list(_executor(size).map(lambda mid: deliver_one(mid, worker=worker, now=now), ids))


# ---- configuration -----------------------------------------------------------------------------


# ---- what the provider portal shows ------------------------------------------------------------

def delivery_summary(session: Session, sheet_id: int) -> list[dict]:
    """Every message about a sheet, oldest first, with contacts masked."""
    rows = session.exec(select(OutgoingMessage).where(OutgoingMessage.sheet_id == sheet_id)
                        .order_by(OutgoingMessage.id))
    return [
        {
            "id": m.id, "guardian_id": m.guardian_id, "signing_request_id": m.signing_request_id,
            "channel": m.channel, "to": mask_contact(m.channel, m.to), "kind": m.kind, "status": m.status,
            "attempts": m.attempts, "last_error": m.last_error, "created_at": m.created_at,
            "sent_at": m.sent_at, "delivered_at": m.delivered_at, "failed_at": m.failed_at,
            "fallback_for_id": m.fallback_for_id,
        }
        for m in rows
    ]


def all_channels_failed(session: Session, signing_request_id: int) -> bool:
    """True when a pending request's guardian cannot have received the link by any channel."""
    return failures.unreachable(session, signing_request_id)
