"""Portal accounts: argon2 password hashes, rate-limited login, sessions, roles and ownership.

Plain Python (no Reflex): every portal page and handler asks this module who the caller is and
whether a record belongs to them. A session secret lives only in the browser cookie; the database
keeps its SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, select

from careconnect_app.clock import utcnow
from careconnect_app.models import (
    Agency,
    AttendanceSheet,
    Child,
    Guardian,
    PortalSession,
    PortalUser,
    Provider,
    SigningRequest,
)
from careconnect_app.common import audit, rate_limit
from careconnect_app.common.crypto import new_token, sha256_hex

ROLE_PROVIDER = "provider"
ROLE_AGENCY_ADMIN = "agency_admin"
ROLES = (ROLE_PROVIDER, ROLE_AGENCY_ADMIN)

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
    if role not in ROLES:
        raise AccountError("portal.account.error.role")
    if session.get(Agency, agency_id) is None:
        raise AccountError("portal.account.error.agency")
    if role == ROLE_PROVIDER:
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
    audit.record(session, "portal_login", actor=_actor(user), user_id=user.id, ip=ip, user_agent=user_agent,
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


def _actor(user: PortalUser) -> str:
    return "agency" if user.role == ROLE_AGENCY_ADMIN else "provider"


def actor_of(user: PortalUser) -> str:
    """The audit actor for this user's actions."""
    return _actor(user)


# --- roles and ownership -----------------------------------------------------------------------


def is_admin(user: PortalUser | None) -> bool:
    return user is not None and user.role == ROLE_AGENCY_ADMIN


def provider_ids(session: Session, user: PortalUser | None) -> list[int]:
    """Providers whose records this user may see: their own, or all of their agency's."""
    if user is None:
        return []
    if user.role == ROLE_AGENCY_ADMIN:
        return list(session.exec(select(Provider.id).where(Provider.agency_id == user.agency_id)))
    if user.role == ROLE_PROVIDER and user.provider_id:
        provider = session.get(Provider, user.provider_id)
        return [provider.id] if provider is not None and provider.agency_id == user.agency_id else []
    return []


def providers_for(session: Session, user: PortalUser | None) -> list[Provider]:
    ids = provider_ids(session, user)
    if not ids:
        return []
    return list(session.exec(select(Provider).where(Provider.id.in_(ids)).order_by(Provider.name)))  # type: ignore[attr-defined]


def can_see_provider(session: Session, user: PortalUser | None, provider_id: int | None) -> bool:
    return provider_id is not None and provider_id in provider_ids(session, user)


def sheet_for(session: Session, user: PortalUser | None, sheet_id: object) -> AttendanceSheet | None:
    """The sheet if it belongs to one of the user's providers, else None (same answer as missing)."""
    sheet_id = _as_id(sheet_id)
    sheet = session.get(AttendanceSheet, sheet_id) if sheet_id else None
    return sheet if sheet is not None and can_see_provider(session, user, sheet.provider_id) else None


def child_for(session: Session, user: PortalUser | None, child_id: object) -> Child | None:
    child_id = _as_id(child_id)
    child = session.get(Child, child_id) if child_id else None
    return child if child is not None and can_see_provider(session, user, child.provider_id) else None


def guardian_for(session: Session, user: PortalUser | None, guardian_id: object) -> Guardian | None:
    guardian_id = _as_id(guardian_id)
    guardian = session.get(Guardian, guardian_id) if guardian_id else None
    return guardian if guardian is not None and can_see_provider(session, user, guardian.provider_id) else None


def request_for(session: Session, user: PortalUser | None, request_id: object) -> SigningRequest | None:
    request_id = _as_id(request_id)
    request = session.get(SigningRequest, request_id) if request_id else None
    if request is None or sheet_for(session, user, request.sheet_id) is None:
        return None
    return request


def agency_for_admin(session: Session, user: PortalUser | None) -> Agency | None:
    """The agency whose settings this user may change (admins only)."""
    return session.get(Agency, user.agency_id) if is_admin(user) else None


def _as_id(value: object) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**31 else 0  # PostgreSQL integer ids
