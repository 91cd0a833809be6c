"""One-time codes by email or SMS, and the parent session a verified browser gets.

Rules (NIST SP 800-63B-4, OWASP ASVS 5, Twilio Verify defaults):
- 6 digits from the CSPRNG, valid 10 minutes, single use, stored as a keyed hash; the digits are
  made by the delivery worker when it sends the message (`make_code`), so they exist only in the
  message on its way to the guardian;
- 5 wrong tries kill a code; a new code does not reset the request's failure count;
- after 10 failures in total the request locks, 15 minutes then doubling;
- resend after a 30 s cooldown, at most 5 sends per 10 minutes per destination.
Counters live in the database so a reload or a new tab cannot reset them, and move in SQL (each
try is counted before its code is compared), so parallel guesses each count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select, update

from careconnect_app.clock import utcnow
from careconnect_app.common import audit, rate_limit
from careconnect_app.common.crypto import (
    keyed_hash,
    new_numeric_code,
    new_token,
    same,
    sha256_hex,
)
from careconnect_app.common.masking import mask_contact
from careconnect_app.messaging import compose
from careconnect_app.models import Guardian, OutgoingMessage, ParentSession, SigningRequest, VerificationCode
from careconnect_app.statuses import Channel, MessageKind

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_TRIES_PER_CODE = 5
LOCK_AFTER_FAILURES = 10
LOCK_BASE = timedelta(minutes=15)
RESEND_COOLDOWN = timedelta(seconds=30)
MAX_SENDS = 5
SEND_WINDOW = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=4)
CHANNELS = tuple(Channel)


@dataclass
class SendOutcome:
    ok: bool
    error: str = ""  # translation key under "parent."
    retry_after: int = 0  # seconds
    masked: str = ""
    message_id: int | None = None  # the queued code message (the page shows when it went out)


@dataclass
class CheckOutcome:
    ok: bool
    error: str = ""
    tries_left: int = 0
    retry_after: int = 0
    session_secret: str = ""
    channel: str = ""  # verified: the channel of the code, which the new session records


def destination(guardian: Guardian, channel: str) -> str:
    """The contact of record on that channel, or "" if it cannot be used."""
    return compose.usable_contact(guardian, channel) if channel in CHANNELS else ""


def available_channels(guardian: Guardian) -> list[str]:
    return [c for c in CHANNELS if destination(guardian, c)]


def _code_hash(request_id: int, channel: str, code: str) -> str:
    # Binding the hash to the request and channel stops a code from one being used on another.
    return keyed_hash("otp", f"{request_id}:{channel}:{code}")


def locked_for(request: SigningRequest, now: datetime) -> int:
    """Seconds the request stays locked after too many wrong codes (0 if not locked)."""
    if request.locked_until and request.locked_until > now:
        return int((request.locked_until - now).total_seconds()) + 1
    return 0


def active_code(session: Session, request: SigningRequest, now: datetime) -> VerificationCode | None:
    """The newest code that can still be entered."""
    stmt = (
        select(VerificationCode)
        .where(
            VerificationCode.signing_request_id == request.id,
            VerificationCode.consumed_at.is_(None),  # type: ignore[union-attr]
            VerificationCode.invalidated_at.is_(None),  # type: ignore[union-attr]
            VerificationCode.expires_at > now,
        )
        .order_by(VerificationCode.id.desc())  # type: ignore[union-attr]
    )
    return session.exec(stmt).first()


def code_message_id(session: Session, request: SigningRequest) -> int:
    """The message that carries the request's newest code (0 when none was queued)."""
    stmt = (
        select(OutgoingMessage.id)
        .where(OutgoingMessage.signing_request_id == request.id,
               OutgoingMessage.kind == MessageKind.VERIFICATION_CODE)
        .order_by(OutgoingMessage.id.desc())  # type: ignore[union-attr]
    )
    return session.exec(stmt).first() or 0


def resend_wait(session: Session, request: SigningRequest, now: datetime) -> int:
    """Seconds before another code may be sent (cooldown after the last one)."""
    stmt = (
        select(VerificationCode.created_at)
        .where(VerificationCode.signing_request_id == request.id)
        .order_by(VerificationCode.id.desc())  # type: ignore[union-attr]
    )
    last = session.exec(stmt).first()
    if last is None:
        return 0
    wait = (last + RESEND_COOLDOWN - now).total_seconds()
    return max(0, int(wait) + (1 if wait % 1 else 0))


def send_code(
    session: Session,
    request: SigningRequest,
    guardian: Guardian,
    channel: str,
    *,
    ip: str = "",
    user_agent: str = "",
    locale: str = "en",
    now: datetime | None = None,
) -> SendOutcome:
    """Create a fresh code, invalidate older ones, and queue it to the contact of record."""
    now = now or utcnow()
    if channel not in CHANNELS:
        return SendOutcome(False, "verify.error.channel")
    to = destination(guardian, channel)
    if not to:
        return SendOutcome(False, "verify.error.channel")
    masked = mask_contact(channel, to)
    if wait := locked_for(request, now):
        return SendOutcome(False, "verify.error.locked", wait, masked)
    if wait := resend_wait(session, request, now):
        return SendOutcome(False, "verify.error.cooldown", wait, masked)
    if rate_limit.count(session, f"otp-send:{to}", SEND_WINDOW, now) >= MAX_SENDS:
        return SendOutcome(False, "verify.error.too_many_sends", int(SEND_WINDOW.total_seconds()), masked)
    rate_limit.hit(session, f"otp-send:{to}", now)

    session.exec(
        update(VerificationCode)
        .where(
            VerificationCode.signing_request_id == request.id,
            VerificationCode.invalidated_at.is_(None),  # type: ignore[union-attr]
            VerificationCode.consumed_at.is_(None),  # type: ignore[union-attr]
        )
        .values(invalidated_at=now)
    )
    # The message first: the code row is then written once, naming it (the worker makes the digits
    # for that message as it sends it; both commit together).
    message = compose.queue_verification_code(session, request, channel, to, locale)
    session.add(VerificationCode(signing_request_id=request.id, channel=channel, destination=to, created_at=now,
                                 expires_at=now + CODE_TTL, message_id=message.id))
    audit.record(
        session, "code_sent", actor="parent", sheet_id=request.sheet_id,
        signing_request_id=request.id, ip=ip, user_agent=user_agent, channel=channel,
        detail={"to": masked}, at=now,
    )
    return SendOutcome(True, masked=masked, message_id=message.id)


def make_code(session: Session, message_id: int, now: datetime | None = None) -> str | None:
    """The digits for the code this message carries, made as it is sent (None when the code was
    replaced, used or expired meanwhile: such a message is not sent)."""
    now = now or utcnow()
    code = session.exec(select(VerificationCode).where(VerificationCode.message_id == message_id)).first()
    if code is None:
        return None
    digits = new_numeric_code(CODE_DIGITS)
    made = session.exec(
        update(VerificationCode)
        .where(VerificationCode.id == code.id, VerificationCode.consumed_at.is_(None),  # type: ignore[union-attr]
               VerificationCode.invalidated_at.is_(None), VerificationCode.expires_at > now)  # type: ignore[union-attr]
        .values(code_hash=_code_hash(code.signing_request_id, code.channel, digits))
    ).rowcount == 1
    return digits if made else None


def _count_try(session: Session, code: VerificationCode, *, consume_at: datetime | None = None) -> int | None:
    """Count one try on the code; None when it has no try left (or was used). With `consume_at` (the
    right code) the same statement consumes it: two tabs entering it verify once."""
    values = {"attempts": VerificationCode.attempts + 1}
    if consume_at is not None:
        values["consumed_at"] = consume_at
    row = session.exec(
        update(VerificationCode)
        .where(VerificationCode.id == code.id, VerificationCode.consumed_at.is_(None),  # type: ignore[union-attr]
               VerificationCode.invalidated_at.is_(None),  # type: ignore[union-attr]
               VerificationCode.attempts < MAX_TRIES_PER_CODE)
        .values(**values)
        .returning(VerificationCode.attempts)
    ).first()
    return row[0] if row else None


def _register_failure(session: Session, request_id: int, now: datetime) -> datetime | None:
    """One more failure on the request; returns the end of the lock it now starts, if any."""
    (failures,) = session.exec(
        update(SigningRequest).where(SigningRequest.id == request_id)
        .values(failed_code_attempts=SigningRequest.failed_code_attempts + 1)
        .returning(SigningRequest.failed_code_attempts)
    ).one()
    over = failures - LOCK_AFTER_FAILURES
    if over < 0 or over % MAX_TRIES_PER_CODE:
        return None
    # Growing wait: 15 min, 30 min, 60 min ... for each further batch of failures.
    until = now + LOCK_BASE * (2 ** (over // MAX_TRIES_PER_CODE))
    session.exec(update(SigningRequest).where(SigningRequest.id == request_id).values(locked_until=until))
    return until


def check_code(
    session: Session,
    request: SigningRequest,
    entered: str,
    *,
    ip: str = "",
    user_agent: str = "",
    now: datetime | None = None,
) -> CheckOutcome:
    """Check an entered code; on success consume it and open a parent session."""
    now = now or utcnow()
    if wait := locked_for(request, now):
        return CheckOutcome(False, "verify.error.locked", retry_after=wait)
    code = active_code(session, request, now)
    if code is None:
        return CheckOutcome(False, "verify.error.no_code")
    entered = "".join(ch for ch in (entered or "") if ch.isdigit())
    if len(entered) != CODE_DIGITS:
        return CheckOutcome(False, "verify.error.format", tries_left=MAX_TRIES_PER_CODE - code.attempts)
    right = bool(code.code_hash) and same(code.code_hash, _code_hash(request.id, code.channel, entered))
    attempt = _count_try(session, code, consume_at=now if right else None)
    if attempt is None:  # used up by other tries (another tab) or used meanwhile
        return CheckOutcome(False, "verify.error.no_code")
    if right:
        return _verified(session, request, code, ip=ip, user_agent=user_agent, now=now)

    if attempt >= MAX_TRIES_PER_CODE:
        session.exec(update(VerificationCode).where(VerificationCode.id == code.id).values(invalidated_at=now))
    locked_until = _register_failure(session, request.id, now)
    audit.record(
        session, "code_failed", actor="parent", sheet_id=request.sheet_id,
        signing_request_id=request.id, ip=ip, user_agent=user_agent, channel=code.channel,
        detail={"attempt": attempt}, at=now,
    )
    if locked_until is not None:
        return CheckOutcome(False, "verify.error.locked", retry_after=int((locked_until - now).total_seconds()) + 1)
    if attempt >= MAX_TRIES_PER_CODE:
        return CheckOutcome(False, "verify.error.code_dead")
    return CheckOutcome(False, "verify.error.wrong", tries_left=MAX_TRIES_PER_CODE - attempt)


def _verified(session: Session, request: SigningRequest, code: VerificationCode, *, ip: str, user_agent: str,
              now: datetime) -> CheckOutcome:
    """The right code, consumed by the try that counted it: open a session."""
    if request.verified_at is None:  # the first verification (a later one fetches the signed copy)
        request.verified_at = now
        session.add(request)
    secret = start_session(session, request, code.channel, now)
    audit.record(
        session, "verified", actor="parent", sheet_id=request.sheet_id,
        signing_request_id=request.id, ip=ip, user_agent=user_agent, channel=code.channel,
        detail={"to": mask_contact(code.channel, code.destination)}, at=now,
    )
    return CheckOutcome(True, session_secret=secret, channel=code.channel)


def start_session(session: Session, request: SigningRequest, channel: str, now: datetime | None = None) -> str:
    """Remember this browser as verified for the request; returns the secret for its cookie."""
    now = now or utcnow()
    secret = new_token()
    session.add(
        ParentSession(
            signing_request_id=request.id,
            session_hash=sha256_hex(secret),
            channel=channel,
            created_at=now,
            expires_at=now + SESSION_TTL,
        )
    )
    return secret


def session_channel(session: Session, request: SigningRequest, secret: str, now: datetime | None = None) -> str | None:
    """The verification channel of a valid parent session for this request, else None."""
    if not secret:
        return None
    now = now or utcnow()
    row = session.exec(
        select(ParentSession).where(ParentSession.session_hash == sha256_hex(secret))
    ).first()
    if row is None or row.signing_request_id != request.id or row.expires_at <= now:
        return None
    return row.channel


def used_destination(session: Session, request_id: int, channel: str) -> str:
    """The address the request's last used code on `channel` went to ("" without one).

    Read from the consumed code itself, so the evidence keeps the contact used then even if the
    guardian's contact of record changes later.
    """
    if not channel:
        return ""
    stmt = (select(VerificationCode.destination)
            .where(VerificationCode.signing_request_id == request_id, VerificationCode.channel == channel,
                   VerificationCode.consumed_at.is_not(None))  # type: ignore[union-attr]
            .order_by(VerificationCode.consumed_at.desc(), VerificationCode.id.desc()))  # type: ignore[union-attr]
    return session.exec(stmt).first() or ""


def destination_hmac(destination: str) -> str:
    """A keyed hash of the address a code went to ("" without one).

    Evidence of where the code went that names no address: the agency, holding the server key,
    can check it against a contact, and nobody else can reverse it.
    """
    return keyed_hash("evidence-destination", destination) if destination else ""
