"""The outbox: claim queued messages, send each through its channel's backend, record the outcome.

Every message is in the database before any attempt. A worker claims rows with one conditional
UPDATE (queued -> sending ... RETURNING): on PostgreSQL the rows are picked by a sub-select
`FOR UPDATE SKIP LOCKED`, so workers on several machines take disjoint rows without waiting on
each other; on SQLite the statement runs under the database's single write lock. Either way the
UPDATE re-checks `status = 'queued'`, so two workers never send the same row. The provider call
happens outside any DB transaction; the outcome is written with another conditional UPDATE.
A worker claims only as many rows as it has free sending slots plus a short line behind them
(Slots), so a claimed row is being sent or is about to be.

Crash recovery (the trade-off): a row left in "sending" past CLAIM_TIMEOUT may or may not have
reached the provider. We prefer "at most once": the backend is asked (Twilio: list recent
messages to that number; file: read the outbox); found -> "sent", provably absent -> queued again,
unknown (SMTP, SendGrid without a webhook yet) -> "failed" with INTERRUPTED as the reason, which
the portal shows so the provider can resend. A later receipt proving delivery still wins.
Only a hard kill while a row is in flight or in line leads there: a stopping worker finishes its
sends and its line.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
from datetime import datetime, timedelta

from sqlalchemy import ARRAY, Integer, String, bindparam, case, func
from sqlmodel import Session, select, update

from careconnect_app.clock import utcnow
from careconnect_app.common.masking import mask_contact
from careconnect_app.config import get_settings
from careconnect_app.db import session_scope
from careconnect_app.messaging import attachments, failures, secret_slot, sent_news
from careconnect_app.messaging.backends import backend_for
from careconnect_app.messaging.backends.base import Backend, SendError
from careconnect_app.messaging.group_commit import GroupCommit
from careconnect_app.messaging.slots import Slots, slots
from careconnect_app.models import OutgoingMessage
from careconnect_app.statuses import SECRET_OF_KIND, MessageKind, MessageSecret, MessageStatus

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=5)  # far above send_timeout_seconds: only crashed workers hit it
MAX_DELAY = timedelta(hours=1)
# A code arriving after it expired only confuses the parent: stop retrying it.
GIVE_UP_AFTER = {MessageKind.VERIFICATION_CODE: timedelta(minutes=10)}


def worker_id() -> str:
    """Which machine and process claimed a row (shown when a row is stuck)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_token(worker: str | None = None) -> str:
    """Unique per claim: `_finish` writes an outcome only while this claim still holds the row."""
    return f"{worker or worker_id()}/{secrets.token_hex(4)}"


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
_OUTGOING = OutgoingMessage.__table__.c  # Core statements on the table: the ORM's bulk UPDATE costs CPU


def _claiming_values(token: str) -> dict:
    """queued -> sending, counted as an attempt, with the backend recorded before the call
    (crash recovery must ask the backend that was used)."""
    settings = get_settings()
    return dict(status=MessageStatus.SENDING, claimed_by=token, claimed_at=utcnow(), attempts=_OUTGOING.attempts + 1,
                backend=case((_OUTGOING.channel == "email", settings.email_backend), else_=settings.sms_backend))


def _detached(row) -> OutgoingMessage:
    """A copy for the backend (no DB session held while it sends); our own row: not validated again."""
    return OutgoingMessage.model_construct(**row._mapping)


def _claim(message_id: int, token: str, now: datetime) -> tuple[bool, OutgoingMessage | None]:
    """queued -> sending in one statement (UPDATE ... RETURNING: SQLite >= 3.35, PostgreSQL)."""
    with session_scope() as session:
        row = session.exec(
            update(OutgoingMessage)
            .where(OutgoingMessage.id == message_id, OutgoingMessage.status == MessageStatus.QUEUED,
                   OutgoingMessage.next_attempt_at <= now)
            .values(**_claiming_values(token))
            .returning(*OutgoingMessage.__table__.columns)
        ).first()
        if row is not None:
            return True, _detached(row)
        return False, session.get(OutgoingMessage, message_id)


def claim_due(limit: int, token: str, now: datetime | None = None, *,
              with_files: bool | None = None) -> list[OutgoingMessage]:
    """Claim up to `limit` due messages in one statement, oldest due first; `with_files`: only
    messages that carry files (True), only those that carry none (False), or either (None)."""
    if limit <= 0:
        return []
    due = (select(_OUTGOING.id).where(_OUTGOING.status == MessageStatus.QUEUED, _OUTGOING.next_attempt_at <= (now or utcnow()))
           .order_by(_OUTGOING.next_attempt_at, _OUTGOING.id).limit(limit))
    if with_files is not None:
        due = due.where((_OUTGOING.attachments != "") if with_files else (_OUTGOING.attachments == ""))
    with session_scope() as session:
        if get_settings().is_postgres:
            # Others' rows: skip them, never wait. A materialised CTE, not `id IN (sub-select)`: the
            # planner may rescan a sub-select, and each rescan locks `limit` more rows.
            picked = due.with_for_update(skip_locked=True).cte("picked").prefix_with("MATERIALIZED")
            chosen = _OUTGOING.id == picked.c.id
        else:
            # SQLite: read first, so an idle worker takes no write lock; the UPDATE re-checks the status.
            ids = list(session.connection().execute(due).scalars())
            if not ids:
                return []
            chosen = _OUTGOING.id.in_(ids)
        rows = session.connection().execute(
            update(OutgoingMessage.__table__).where(chosen, _OUTGOING.status == MessageStatus.QUEUED)
            .values(**_claiming_values(token)).returning(*OutgoingMessage.__table__.columns)).all()
    return sorted((_detached(row) for row in rows), key=lambda m: (m.next_attempt_at, m.id))


def _too_late(message: OutgoingMessage) -> bool:
    limit = GIVE_UP_AFTER.get(message.kind)
    return bool(limit and utcnow() - message.created_at > limit)


Ready = OutgoingMessage | SendError  # a claimed message with its secret made, or why it is not sent


def _attempt(message: OutgoingMessage, backend: Backend, ready: Ready | None = None) -> str:
    """The provider call (attachments rendered first). Returns the provider id or raises SendError.

    `ready`: the message with its secret already made (a first attempt of a claimed batch)."""
    if _too_late(message):
        raise SendError("not sent: it would arrive after the code expired", permanent=True)
    lookup = getattr(backend, "lookup", None)
    if message.attempts > 1 and lookup:
        # The previous attempt may have reached the provider before failing (timeout): ask first.
        found = lookup(message)
        if found:
            return found
    if isinstance(ready, SendError):
        raise ready
    # The link or code is made now, for this attempt; the filled copy is never stored.
    return backend.send(ready or secret_slot.filled(message), attachments.render(message)) or ""


def _secrets_for(batch: list[OutgoingMessage]) -> dict[int, Ready]:
    """The secrets of a claimed batch's first attempts, made in one transaction. A retry makes its
    own after asking the provider whether the last attempt arrived (a new code would void that one)."""
    first = [m for m in batch if m.attempts == 1 and not _too_late(m)]
    if not first:
        return {}
    try:
        return secret_slot.filled_all(first)
    except Exception:  # the database hiccuped: each send makes its own secret, as a retry does
        log.exception("making the secrets of a batch failed")
        return {}


ERASED_BODY = "[erased once final: this message held a one-time portal link]"


def _erase_account_link(session, message: OutgoingMessage) -> None:
    """A message that carried a portal one-time link keeps no readable copy once it is final."""
    if SECRET_OF_KIND.get(message.kind) == MessageSecret.ACCOUNT_LINK:  # type: ignore[call-overload]
        session.exec(update(OutgoingMessage).where(OutgoingMessage.id == message.id)
                     .values(text=ERASED_BODY, html=""))


# One statement for every row of a batch (executemany), compiled once per process: a statement
# built per batch (a CASE over its ids) cost more CPU than the rest of the write.
_MARK_SENT = (update(OutgoingMessage.__table__)
              .where(_OUTGOING.id == bindparam("mid"), _OUTGOING.status == MessageStatus.SENDING,
                     _OUTGOING.claimed_by == bindparam("token"))
              .values(status=MessageStatus.SENT, provider_message_id=bindparam("provider_id"),
                      sent_at=bindparam("at"), last_error=""))
# PostgreSQL: the whole batch as three arrays in one statement that also says which rows it marked
# (executemany is a statement per row, then a SELECT to learn the outcome: in profiles of the
# delivery benchmark, the write took 18 % of the worker's CPU that way and 13 % this way).
_SENT_ROWS = (func.unnest(bindparam("mids", type_=ARRAY(Integer)), bindparam("tokens", type_=ARRAY(String)),
                          bindparam("provider_ids", type_=ARRAY(String)))
              .table_valued("mid", "token", "provider_id").render_derived(name="sent"))
_MARK_SENT_ARRAYS = (update(OutgoingMessage.__table__)
                     .where(_OUTGOING.id == _SENT_ROWS.c.mid, _OUTGOING.status == MessageStatus.SENDING,
                            _OUTGOING.claimed_by == _SENT_ROWS.c.token)
                     .values(status=MessageStatus.SENT, provider_message_id=_SENT_ROWS.c.provider_id,
                             sent_at=bindparam("at"), last_error="")
                     .returning(_OUTGOING.id))
_KEEP_PROVIDER_ID = (update(OutgoingMessage.__table__)
                     .where(_OUTGOING.id == bindparam("mid"), _OUTGOING.provider_message_id == "")
                     .values(provider_message_id=bindparam("provider_id"), sent_at=bindparam("at")))


def _mark_sent(session: Session, params: list[dict], at: datetime) -> set[int]:
    """Mark sent the rows our claims still hold; returns those known marked (SQLite: none known)."""
    if not get_settings().is_postgres:
        session.execute(_MARK_SENT, params)
        return set()
    return set(session.execute(_MARK_SENT_ARRAYS, {
        "mids": [p["mid"] for p in params], "tokens": [p["token"] for p in params],
        "provider_ids": [p["provider_id"] for p in params], "at": at}).scalars())


def _record_sent(batch: dict[int, tuple[OutgoingMessage, str, str]]) -> dict[int, str]:
    """Messages sent (id -> message, claim token, provider id), written in one transaction where our
    claims still hold; a row a receipt moved on first keeps its status and gains what we know."""
    now = utcnow()
    params = [{"mid": message_id, "token": token, "provider_id": provider_id, "at": now}
              for message_id, (_message, token, provider_id) in batch.items()]
    with session_scope() as session:
        marked = _mark_sent(session, params, now)
        statuses = dict.fromkeys(marked, MessageStatus.SENT)
        others = [message_id for message_id in batch if message_id not in marked]
        if others:
            rows = session.execute(select(_OUTGOING.id, _OUTGOING.status, _OUTGOING.provider_message_id)
                                   .where(_OUTGOING.id.in_(others))).all()
            statuses.update({row.id: row.status for row in rows})
            # Not ours to mark (a receipt came first): it keeps its status and gains the provider's id.
            with_id = marked | {row.id for row in rows if row.provider_message_id}
            unmarked = [p for p in params if p["mid"] not in with_id]
            if unmarked:
                session.execute(_KEEP_PROVIDER_ID, unmarked)
        for message, _token, _provider_id in batch.values():
            _erase_account_link(session, message)
        sent_news.announce(session, {message_id: (message.kind, statuses.get(message_id, ""))
                                     for message_id, (message, _token, _provider_id) in batch.items()})
    return {message_id: statuses.get(message_id, "missing") for message_id in batch}


# Every sending thread's "sent" goes through one group commit (see messaging/group_commit.py).
_sent: GroupCommit[tuple[OutgoingMessage, str, str], int, str] = GroupCommit(_record_sent)


def _finish(message: OutgoingMessage, token: str, *, error: SendError) -> str:
    """Write a failed attempt's outcome, only if our claim still holds (receipts may have moved the row on)."""
    now = utcnow()
    mine = update(OutgoingMessage).where(OutgoingMessage.id == message.id, OutgoingMessage.status == MessageStatus.SENDING,
                                         OutgoingMessage.claimed_by == token)
    with session_scope() as session:
        if error.permanent or message.attempts >= get_settings().delivery_max_attempts:
            reason = str(error) if error.permanent else f"gave up after {message.attempts} attempts: {error}"
            if session.exec(mine.values(status=MessageStatus.FAILED, failed_at=now, last_error=reason[:500])).rowcount:
                failures.after_failure(session, session.get(OutgoingMessage, message.id), reason,
                                       contact=error.contact)
                _erase_account_link(session, message)
                sent_news.announce(session, {message.id: (message.kind, MessageStatus.FAILED)})
                return MessageStatus.FAILED
        elif session.exec(mine.values(status=MessageStatus.QUEUED, last_error=str(error)[:500],
                                      next_attempt_at=now + retry_delay(message.attempts, error.retry_after))
                          ).rowcount:
            return MessageStatus.QUEUED
        current = session.get(OutgoingMessage, message.id)
        return current.status if current else "missing"


def send_claimed(message: OutgoingMessage, token: str, ready: Ready | None = None) -> str:
    """Send a message this worker claimed; returns its new status once it is recorded."""
    try:
        provider_id = _attempt(message, backend_for(message.channel), ready)
    except SendError as exc:
        return _finish(message, token, error=exc)
    except Exception as exc:  # an unexpected bug must not lose the message: retry later
        log.exception("delivery of message %s failed unexpectedly", message.id)
        return _finish(message, token, error=SendError(f"{type(exc).__name__}: {exc}"))
    return _sent.submit(message.id, (message, token, provider_id))


def deliver_one(message_id: int, *, worker: str | None = None, now: datetime | None = None) -> str:
    """Claim and send one message; returns its new status."""
    token = claim_token(worker)
    claimed, message = _claim(message_id, token, now or utcnow())
    if message is None:
        return "missing"
    if not claimed:
        return message.status
    return send_claimed(message, token)


def status_of(session: Session, message_id: int) -> str:
    """Where a message is (queued, sending, sent, delivered, failed), for a page waiting on it."""
    message = session.get(OutgoingMessage, message_id)
    return message.status if message else "missing"


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
            if session.exec(update(OutgoingMessage).where(*mine).values(**values)).rowcount:
                sent_news.announce(session, {message.id: (message.kind, values["status"])})
        log.warning("message %s was stuck in sending: %s", message.id, values["status"])
    return len(stuck)


def fill(pool: Slots, token: str, *, limit: int, now: datetime | None = None) -> int:
    """Claim due messages for the free slots (at most `limit`) and start sending them; returns how many.

    When messages with files could take every free slot, one claim of either kind, oldest first;
    else those without files first, then those with files for the slots they may still take.
    At most `pool.batch` per call: a wave of messages starts going out after one small claim
    instead of waiting for the secrets of every free place to be made."""
    free = min(pool.free(), limit, pool.batch)
    if pool.free_for_files() >= free:
        batch = claim_due(free, token, now)
    else:
        light = claim_due(free, token, now, with_files=False)
        batch = light + claim_due(min(pool.free_for_files(), free - len(light)), token, now, with_files=True)
    ready = _secrets_for(batch)
    for message in batch:
        pool.start(lambda m=message: send_claimed(m, token, ready.get(m.id)), with_files=bool(message.attachments))
    return len(batch)


def deliver_due(limit: int = 200, *, worker: str | None = None, now: datetime | None = None,
                concurrency: int | None = None) -> int:
    """Send every message whose time has come (at most `limit`), `concurrency` at a time, and wait
    for them; returns how many were tried. The worker loop (messaging.worker) does not wait."""
    recover_stuck()
    pool = slots(concurrency)
    token = claim_token(worker)
    tried = 0
    while tried < limit:
        pool.wait_free(max(1, pool.size // 4))  # claim in batches, not one row per statement
        started = fill(pool, token, limit=limit - tried, now=now)
        tried += started
        if started == 0 and pool.free() > 0:
            if pool.free_for_files() > 0:  # nothing more is due
                break
            pool.wait_free_for_files()  # messages with files may be waiting for their share of the slots
    pool.wait_all()  # a stopping worker never leaves a send half-recorded
    return tried


def deliver_now(message_ids: list[int]) -> None:
    """Try these right away, one by one (command line: the demo's links); the worker retries failures."""
    for message_id in message_ids:
        deliver_one(message_id)


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
