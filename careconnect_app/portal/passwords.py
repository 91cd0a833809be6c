"""Portal passwords: argon2 hashes, the rules for a new one, change, and "forgot password" by email.

A reset link carries a 256-bit token; only its SHA-256 is stored; it works once, for 30 minutes.
Asking for one answers the same whether or not the email has an account. A change or a reset ends
every other session of the user, is audited, and the user is told by email.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, select, update

from careconnect_app import routes
from careconnect_app.clock import as_utc, utcnow
from careconnect_app.common import audit, rate_limit
from careconnect_app.common.crypto import new_token, sha256_hex
from careconnect_app.config import get_settings
from careconnect_app.messaging import account_notices
from careconnect_app.models import PasswordReset, PortalUser
from careconnect_app.portal import access, login_limits, sessions

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
RESET_LIFETIME = timedelta(minutes=30)
# Reset emails: a few per account and per address an hour (each one is a real email).
RESETS_PER_EMAIL = 3
RESETS_PER_IP = 10
RESET_WINDOW = timedelta(hours=1)

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both paths cost one argon2 verification.
DUMMY_HASH = _hasher.hash("not-a-real-password-careconnect")
_COMMON = frozenset(
    line.strip().lower()
    for line in (Path(__file__).with_name("common_passwords.txt")).read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_password_error(password: str, email: str = "") -> str:
    """The translation key of what is wrong with a new password, or ""."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "portal.account.error.password_short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "portal.account.error.password_long"
    lowered = password.lower()
    local = (email or "").split("@")[0].lower()
    if lowered in _COMMON or len(set(lowered)) < 3 or (len(local) >= 4 and local in lowered):
        return "portal.account.error.password_common"
    return ""


@dataclass
class PasswordOutcome:
    ok: bool
    error: str = ""  # translation key
    retry_after: int = 0  # seconds, with error "...too_many"
    message_ids: list[int] = field(default_factory=list)  # deliver right after the caller commits


def _set_password(session: Session, user: PortalUser, password: str, now: datetime) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    session.add(user)
    # Any reset link still out there stops working.
    session.exec(update(PasswordReset).where(PasswordReset.user_id == user.id,
                                             PasswordReset.used_at.is_(None))  # type: ignore[union-attr]
                 .values(used_at=now))


def change_password(session: Session, user: PortalUser, current_token: str, old: str, new: str, *,
                    locale: str = "en", ip: str = "", user_agent: str = "",
                    now: datetime | None = None) -> PasswordOutcome:
    """Check the current password (limited like sign-in), store the new one, end the other sessions."""
    now = now or utcnow()
    if wait := login_limits.begin(session, user.email, ip, now):
        return PasswordOutcome(False, "portal.login.error.too_many", retry_after=wait)
    if not verify_password(user.password_hash, old or ""):
        login_limits.failed(session, ip, now)
        audit.record(session, "password_change_failed", actor=access.actor_of(user), user_id=user.id, ip=ip,
                     user_agent=user_agent, at=now)
        return PasswordOutcome(False, "portal.password.error.current")
    login_limits.succeeded(session, user.email)
    if error := new_password_error(new, user.email) or ("portal.password.error.same" if old == new else ""):
        return PasswordOutcome(False, error)
    _set_password(session, user, new, now)
    ended = sessions.revoke_all(session, user.id, keep_token=current_token, now=now)
    audit.record(session, "password_changed", actor=access.actor_of(user), user_id=user.id, ip=ip, user_agent=user_agent,
                 detail={"other_sessions_ended": ended}, at=now)
    notice = account_notices.queue_security_notice(session, user, "password", locale)
    return PasswordOutcome(True, message_ids=[notice.id])


def request_reset(session: Session, email: str, *, locale: str = "en", ip: str = "", user_agent: str = "",
                  now: datetime | None = None) -> list[int]:
    """Email a one-time reset link when the address has an active account; the caller says the same either way.

    Returns the message ids to deliver (empty when nothing was sent).
    """
    now = now or utcnow()
    email = (email or "").strip().lower()[:254]
    email_key, ip_key = f"reset:{sha256_hex(email)}", f"reset-ip:{ip[:64]}"
    if (rate_limit.count(session, email_key, RESET_WINDOW, now) >= RESETS_PER_EMAIL
            or (ip and rate_limit.count(session, ip_key, RESET_WINDOW, now) >= RESETS_PER_IP)):
        return []
    rate_limit.hit(session, email_key, now)
    if ip:
        rate_limit.hit(session, ip_key, now)
    user = session.exec(select(PortalUser).where(PortalUser.email == email)).first() if "@" in email else None
    if user is None or not user.active:
        return []
    token = new_token()
    session.exec(update(PasswordReset).where(PasswordReset.user_id == user.id,
                                             PasswordReset.used_at.is_(None))  # type: ignore[union-attr]
                 .values(used_at=now))  # only the newest link works
    session.add(PasswordReset(user_id=user.id, token_hash=sha256_hex(token), created_at=now,
                              expires_at=now + RESET_LIFETIME))
    url = get_settings().base_url + routes.portal_reset_path(token)
    message = account_notices.queue_password_reset(session, user, url, locale)
    audit.record(session, "password_reset_requested", actor=access.actor_of(user), user_id=user.id, ip=ip,
                 user_agent=user_agent, at=now)
    return [message.id]


def _live_reset(session: Session, token: str, now: datetime) -> PasswordReset | None:
    if not token or len(token) > 128:
        return None
    row = session.exec(select(PasswordReset).where(PasswordReset.token_hash == sha256_hex(token))).first()
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= now:
        return None
    return row


def reset_link_works(session: Session, token: str, now: datetime | None = None) -> bool:
    """Whether the reset page should offer the form (the link is unused and not expired)."""
    return _live_reset(session, token, now or utcnow()) is not None


def reset_password(session: Session, token: str, new: str, *, locale: str = "en", ip: str = "",
                   user_agent: str = "", now: datetime | None = None) -> PasswordOutcome:
    """Use a reset link once: set the new password and end every session of the user."""
    now = now or utcnow()
    row = _live_reset(session, token, now)
    user = session.get(PortalUser, row.user_id) if row is not None else None
    if row is None or user is None or not user.active:
        return PasswordOutcome(False, "portal.reset.error.link")
    if error := new_password_error(new, user.email):
        return PasswordOutcome(False, error)
    # Single use even when two tabs submit at once: only one UPDATE finds it unused.
    used = session.exec(update(PasswordReset).where(PasswordReset.id == row.id,
                                                    PasswordReset.used_at.is_(None))  # type: ignore[union-attr]
                        .values(used_at=now)).rowcount
    if used != 1:
        return PasswordOutcome(False, "portal.reset.error.link")
    _set_password(session, user, new, now)
    ended = sessions.revoke_all(session, user.id, now=now)
    login_limits.succeeded(session, user.email)
    audit.record(session, "password_reset", actor=access.actor_of(user), user_id=user.id, ip=ip, user_agent=user_agent,
                 detail={"sessions_ended": ended}, at=now)
    notice = account_notices.queue_security_notice(session, user, "password", locale)
    return PasswordOutcome(True, message_ids=[notice.id])
