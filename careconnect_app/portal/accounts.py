"""Portal accounts: argon2 password hashes, rate-limited login and sessions (access.py: who sees what).

A session secret lives only in the browser cookie; the database keeps its SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, select

from careconnect_app.clock import utcnow
from careconnect_app.common import audit, rate_limit
from careconnect_app.common.crypto import new_token, sha256_hex
from careconnect_app.models import Agency, PortalSession, PortalUser, Provider
from careconnect_app.statuses import Actor, Role

SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD_LENGTH = 10
# Failed logins per account (email as typed, so unknown emails are limited the same way).
ACCOUNT_FAIL_LIMIT = 5
ACCOUNT_FAIL_WINDOW = timedelta(minutes=15)
# Failed attempts per client IP (password spraying across many accounts; a shared office IP
# with many successful logins is not limited).
IP_ATTEMPT_LIMIT = 30
IP_ATTEMPT_WINDOW = timedelta(minutes=15)

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash("not-a-real-password-careconnect")


class AccountError(Exception):
    """A rule stops this account change; `key` is the translation key of the reason."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


# --- passwords ---------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    agency_id: int,
    provider_id: int | None = None,
) -> PortalUser:
    """A new portal login (provider staff need a provider of the same agency)."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError("portal.account.error.email")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError("portal.account.error.password_short")
    if role not in tuple(Role):
        raise AccountError("portal.account.error.role")
    if session.get(Agency, agency_id) is None:
        raise AccountError("portal.account.error.agency")
    if role == Role.PROVIDER:
        provider = session.get(Provider, provider_id) if provider_id else None
        if provider is None or provider.agency_id != agency_id:
            raise AccountError("portal.account.error.provider")
    else:
        provider_id = None
    if session.exec(select(PortalUser).where(PortalUser.email == email)).first() is not None:
        raise AccountError("portal.account.error.exists")
    user = PortalUser(email=email, name=name.strip(), password_hash=hash_password(password), role=role,
                      agency_id=agency_id, provider_id=provider_id)
    session.add(user)
    session.flush()
    return user


# --- login and sessions ------------------------------------------------------------------------


@dataclass
class LoginResult:
    ok: bool
    error: str = ""  # translation key; generic so it never says whether the email exists
    token: str = ""  # the session secret for the cookie (shown once)
    user: PortalUser | None = None


def login(
    session: Session,
    email: str,
    password: str,
    *,
    ip: str = "",
    user_agent: str = "",
    now: datetime | None = None,
) -> LoginResult:
    """Check a password under per-account and per-IP limits; open an 8-hour session."""
    now = now or utcnow()
    email = normalise_email(email)[:254]
    account_key = f"login-fail:{sha256_hex(email)}"
    ip_key = f"login-fail-ip:{ip}"
    if ip and rate_limit.count(session, ip_key, IP_ATTEMPT_WINDOW, now) >= IP_ATTEMPT_LIMIT:
        return LoginResult(False, "portal.login.error.too_many")
    if rate_limit.count(session, account_key, ACCOUNT_FAIL_WINDOW, now) >= ACCOUNT_FAIL_LIMIT:
        return LoginResult(False, "portal.login.error.too_many")
    user = session.exec(select(PortalUser).where(PortalUser.email == email)).first() if email else None
    valid = verify_password(user.password_hash if user else _DUMMY_HASH, password or "")
    if not (user and valid and user.active):
        rate_limit.hit(session, account_key, now)
        if ip:
            rate_limit.hit(session, ip_key, now)
        if user is not None:
            user.failed_logins += 1
            session.add(user)
            audit.record(session, "portal_login_failed", actor="provider", user_id=user.id, ip=ip,
                         user_agent=user_agent, at=now)
        return LoginResult(False, "portal.login.error.invalid")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    session.add(user)
    token = new_token()
    session.add(PortalSession(user_id=user.id, session_hash=sha256_hex(token), created_at=now,
                              expires_at=now + SESSION_LIFETIME))
    audit.record(session, "portal_login", actor=actor_of(user), user_id=user.id, ip=ip, user_agent=user_agent,
                 at=now)
    return LoginResult(True, token=token, user=user)


def session_user(session: Session, token: str, now: datetime | None = None) -> PortalUser | None:
    """The user of a live session (not expired, not revoked, account active), else None."""
    if not token or len(token) > 128:
        return None
    now = now or utcnow()
    row = session.exec(select(PortalSession).where(PortalSession.session_hash == sha256_hex(token))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(PortalUser, row.user_id)
    return user if user is not None and user.active else None


def logout(session: Session, token: str, *, ip: str = "", user_agent: str = "") -> None:
    """Revoke the session server-side (a copied cookie stops working too)."""
    if not token:
        return
    row = session.exec(select(PortalSession).where(PortalSession.session_hash == sha256_hex(token))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        audit.record(session, "portal_logout", actor="provider", user_id=row.user_id, ip=ip, user_agent=user_agent)


def actor_of(user: PortalUser) -> Actor:
    """The audit actor for this user's actions."""
    return Actor.AGENCY if user.role == Role.AGENCY_ADMIN else Actor.PROVIDER


# --- roles and ownership -----------------------------------------------------------------------


