"""Sending queued messages: one backend per channel, chosen by configuration.

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

import json
import logging
import random
import secrets
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import case
from sqlmodel import Session, select, update

from careconnect_app.clock import iso, utcnow
from careconnect_app.config import Settings, get_settings
from careconnect_app.db import session_scope
from careconnect_app.models import OutgoingMessage
from careconnect_app.messaging.receipts import ladder
from careconnect_app.common.masking import mask_contact

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=5)  # far above send_timeout_seconds: only crashed workers hit it
MAX_DELAY = timedelta(hours=1)
AMBIGUOUS_WAIT = timedelta(minutes=2)  # receipts usually arrive well within this
# A code arriving after it expired only confuses the parent: stop retrying it.
GIVE_UP_AFTER = {"verification_code": timedelta(minutes=10)}
EMAIL_BACKENDS = ("file", "smtp", "sendgrid")
SMS_BACKENDS = ("file", "twilio")


class SendError(Exception):
    """A failed attempt. `contact`: "invalid" (bad address/number) or "opted_out" (STOP), else ""."""

    def __init__(self, message: str, *, permanent: bool = False, contact: str = "",
                 retry_after: float | None = None, ambiguous: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.contact = contact
        # The request may have reached the provider (the answer was lost): wait for its receipt
        # (Twilio callback, SendGrid "processed") to mark the row sent before trying again.
        self.retry_after = max(retry_after or 0, AMBIGUOUS_WAIT.total_seconds()) if ambiguous else retry_after


class ConfigurationError(RuntimeError):
    def __init__(self, problems: list[str]):
        super().__init__("Message delivery is misconfigured:\n- " + "\n- ".join(problems))
        self.problems = problems


class Backend(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> str:
        """Send one message; return the provider's message id ("" if none)."""


@dataclass
class FileOutbox:
    """Development backend: each message is one JSON line in CARECONNECT_OUTBOX."""

    path: Path
    name: str = "file"
    _lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> str:
        from careconnect_app.messaging.backends.twilio import gsm_text

        record = {
            "id": message.id,
            "channel": message.channel,
            "to": message.to,
            "subject": message.subject,
            "text": gsm_text(message.text) if message.channel == "sms" else message.text,
            "html": message.html if message.channel == "email" else "",
            "locale": message.locale,
            "kind": message.kind,
            "created_at": iso(message.created_at),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return f"file-{message.id}"

    def lookup(self, message: OutgoingMessage) -> str | None:
        if not self.path.exists():
            return ""
        needle = f'{{"id": {message.id}, '
        with self.path.open(encoding="utf-8") as fh:
            return f"file-{message.id}" if any(line.startswith(needle) for line in fh) else ""


def build_backend(channel: str, settings: Settings | None = None) -> Backend:
    settings = settings or get_settings()
    choice = settings.email_backend if channel == "email" else settings.sms_backend
    if choice == "file":
        return FileOutbox(settings.outbox_path)
    if channel == "email" and choice == "smtp":
        from careconnect_app.messaging.backends.smtp import SmtpEmail
        return SmtpEmail(settings)
    if channel == "email" and choice == "sendgrid":
        from careconnect_app.messaging.backends.smtp import SendGridEmail
        return SendGridEmail(settings)
    if channel == "sms" and choice == "twilio":
        from careconnect_app.messaging.backends.twilio import TwilioSms
        return TwilioSms(settings)
    raise ValueError(f"Unknown {channel} backend {choice!r}")


_backends: dict[str, Backend] = {}
_backends_lock = threading.Lock()


def backend_for(channel: str) -> Backend:
    with _backends_lock:
        if channel not in _backends:
            _backends[channel] = build_backend(channel)
        return _backends[channel]


def reset_backends() -> None:
    with _backends_lock:
        _backends.clear()


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
            .where(OutgoingMessage.id == message_id, OutgoingMessage.status == "queued",
                   OutgoingMessage.next_attempt_at <= now)
            .values(status="sending", claimed_by=token, claimed_at=utcnow(),
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
    """The provider call. Returns the provider id or raises SendError."""
    limit = GIVE_UP_AFTER.get(message.kind)
    if limit and utcnow() - message.created_at > limit:
        raise SendError("not sent: it would arrive after the code expired", permanent=True)
    lookup = getattr(backend, "lookup", None)
    if message.attempts > 1 and lookup:
        # The previous attempt may have reached the provider before failing (timeout): ask first.
        found = lookup(message)
        if found:
            return found
    return backend.send(message) or ""


def _finish(message: OutgoingMessage, token: str, *, provider_id: str = "", error: SendError | None = None) -> str:
    """Write the outcome, only if our claim still holds (receipts may have moved the row on)."""
    now = utcnow()
    mine = update(OutgoingMessage).where(OutgoingMessage.id == message.id, OutgoingMessage.status == "sending",
                                         OutgoingMessage.claimed_by == token)
    with session_scope() as session:
        if error is None:
            status = "sent"
            if not session.exec(mine.values(status=status, provider_message_id=provider_id, sent_at=now,
                                            last_error="")).rowcount:
                # A receipt arrived first: keep its status, add what we know.
                session.exec(update(OutgoingMessage).where(
                    OutgoingMessage.id == message.id, OutgoingMessage.provider_message_id == "")
                    .values(provider_message_id=provider_id, sent_at=now))
                status = session.get(OutgoingMessage, message.id).status
            return status
        if error.permanent or message.attempts >= get_settings().delivery_max_attempts:
            reason = str(error) if error.permanent else f"gave up after {message.attempts} attempts: {error}"
            if session.exec(mine.values(status="failed", failed_at=now, last_error=reason[:500])).rowcount:
                ladder.after_failure(session, session.get(OutgoingMessage, message.id), reason,
                                       contact=error.contact)
                return "failed"
        elif session.exec(mine.values(status="queued", last_error=str(error)[:500],
                                      next_attempt_at=now + retry_delay(message.attempts, error.retry_after))
                          ).rowcount:
            return "queued"
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
            OutgoingMessage.status == "sending", OutgoingMessage.claimed_at < cutoff)))
    for message in stuck:
        backend = backend_for(message.channel)
        lookup = getattr(backend, "lookup", None) if backend.name == message.backend else None
        try:
            found = lookup(message) if lookup else None
        except Exception:  # cannot tell: treat as unknown
            log.exception("lookup of stuck message %s failed", message.id)
            found = None
        mine = (OutgoingMessage.id == message.id, OutgoingMessage.status == "sending",
                OutgoingMessage.claimed_by == message.claimed_by)
        with session_scope() as session:
            if found:
                values = dict(status="sent", provider_message_id=found, sent_at=utcnow())
            elif found == "":
                values = dict(status="queued", next_attempt_at=utcnow(),
                              last_error="worker stopped before sending; queued again")
            else:
                values = dict(status="failed", failed_at=utcnow(), last_error=ladder.INTERRUPTED)
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
            .where(OutgoingMessage.status == "queued", OutgoingMessage.next_attempt_at <= (now or utcnow()))
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

def validate_configuration(settings: Settings | None = None) -> list[str]:
    """Human-readable problems with the delivery configuration ([] when all is well)."""
    from careconnect_app.messaging.backends import smtp, twilio

    settings = settings or get_settings()
    problems = []
    if settings.email_backend not in EMAIL_BACKENDS:
        problems.append(f"CARECONNECT_EMAIL_BACKEND={settings.email_backend!r} is unknown; "
                        f"use one of: {', '.join(EMAIL_BACKENDS)}.")
    if settings.sms_backend not in SMS_BACKENDS:
        problems.append(f"CARECONNECT_SMS_BACKEND={settings.sms_backend!r} is unknown; "
                        f"use one of: {', '.join(SMS_BACKENDS)}.")
    # A production build on a test machine or demo laptop may opt out of the two checks below.
    strict = settings.is_prod and not settings.allow_dev_delivery_in_prod
    opt_out = " (for a test or demo only: CARECONNECT_ALLOW_DEV_DELIVERY=true)"
    if strict:
        for var, value in (("CARECONNECT_EMAIL_BACKEND", settings.email_backend),
                           ("CARECONNECT_SMS_BACKEND", settings.sms_backend)):
            if value == "file":
                problems.append(f"{var}=file in production only writes to a file: parents would never "
                                "receive their signing links" + opt_out + ".")
    if not settings.base_url.startswith(("http://", "https://")):
        problems.append("CARECONNECT_BASE_URL must be an absolute http(s) URL (it is in every signing link).")
    elif strict and not settings.base_url.startswith("https://"):
        problems.append("CARECONNECT_BASE_URL must use https in production" + opt_out + ".")
    if not 1 <= settings.delivery_concurrency <= 64:
        problems.append("CARECONNECT_DELIVERY_CONCURRENCY must be between 1 and 64.")
    if settings.delivery_max_attempts < 1:
        problems.append("CARECONNECT_DELIVERY_MAX_ATTEMPTS must be at least 1.")
    if settings.send_timeout_seconds <= 0 or timedelta(seconds=settings.send_timeout_seconds) >= CLAIM_TIMEOUT:
        problems.append("CARECONNECT_SEND_TIMEOUT must be above 0 and well under 5 minutes.")
    return problems + smtp.configuration_problems(settings) + twilio.configuration_problems(settings)


def check_configuration(settings: Settings | None = None) -> None:
    """Raise ConfigurationError listing every problem; call at app start and in the worker."""
    problems = validate_configuration(settings)
    if problems:
        raise ConfigurationError(problems)


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
    return ladder.unreachable(session, signing_request_id)
