"""Portal accounts: creating logins, and signing in step by step (access.py: who sees what).

Signing in is the password, then, for an enrolled user, the authenticator code (or a recovery
code); a user who must have a second factor and has none sets one up right after the password.
Until the last step is done the session is good for that step only (sessions.py). Every check of
a secret waits out the growing delays of login_limits; only a complete sign-in clears them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from careconnect_app.clock import utcnow
from careconnect_app.common import audit
from careconnect_app.messaging import account_notices
from careconnect_app.models import Agency, PortalUser, Provider
from careconnect_app.portal import login_limits, sessions, two_factor
from careconnect_app.portal.access import actor_of
from careconnect_app.portal.passwords import (
    DUMMY_HASH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from careconnect_app.portal.sessions import SESSION_LIFETIME, logout, session_user
from careconnect_app.statuses import Role, SessionStage

__all__ = ["MIN_PASSWORD_LENGTH", "SESSION_LIFETIME", "AccountError", "LoginResult", "actor_of", "create_user",
           "finish_enrolment", "hash_password", "login", "logout", "renew_recovery_codes", "second_factor",
           "session_user",
           "two_factor_required", "verify_password"]


class AccountError(Exception):
    """A rule stops this account change; `key` is the translation key of the reason."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


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


def two_factor_required(session: Session, user: PortalUser) -> bool:
    """Agency admins always; provider staff when their agency says so."""
    if user.role == Role.AGENCY_ADMIN:
        return True
    agency = session.get(Agency, user.agency_id)
    return bool(agency and agency.require_provider_2fa)


# --- signing in ----------------------------------------------------------------------------------


@dataclass
class LoginResult:
    ok: bool
    error: str = ""  # translation key; generic so it never says whether the email exists
    retry_after: int = 0  # seconds to wait, with error "portal.login.error.too_many"
    token: str = ""  # the session secret for the cookie (shown once)
    stage: str = ""  # what the session may do next (SessionStage)
    user: PortalUser | None = None
    recovery_codes: list[str] = field(default_factory=list)  # after enrolment, shown once
    message_ids: list[int] = field(default_factory=list)  # deliver right after the caller commits


def _too_many(wait: int) -> LoginResult:
    return LoginResult(False, "portal.login.error.too_many", retry_after=wait)


def _signed_in(session: Session, user: PortalUser, token: str, *, ip: str, user_agent: str, now: datetime,
               method: str) -> LoginResult:
    """The last step is done: the account's count starts again and the sign-in is audited."""
    login_limits.succeeded(session, user.email)
    audit.record(session, "portal_login", actor=actor_of(user), user_id=user.id, ip=ip, user_agent=user_agent,
                 detail={"second_factor": method}, at=now)
    return LoginResult(True, token=token, stage=SessionStage.FULL, user=user)


def login(
    session: Session,
    email: str,
    password: str,
    *,
    ip: str = "",
    user_agent: str = "",
    now: datetime | None = None,
) -> LoginResult:
    """Check a password under the growing delays; open a session at the step the user owes next."""
    now = now or utcnow()
    email = normalise_email(email)[:254]
    if wait := login_limits.begin(session, email, ip, now):
        return _too_many(wait)
    user = session.exec(select(PortalUser).where(PortalUser.email == email)).first() if email else None
    valid = verify_password(user.password_hash if user else DUMMY_HASH, password or "")
    if not (user and valid and user.active):
        login_limits.failed(session, ip, now)
        if user is not None:
            audit.record(session, "portal_login_failed", actor=actor_of(user), user_id=user.id, ip=ip,
                         user_agent=user_agent, at=now)
        return LoginResult(False, "portal.login.error.invalid")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    if two_factor.is_enrolled(user):
        stage = SessionStage.SECOND_FACTOR
    elif two_factor_required(session, user):
        stage = SessionStage.ENROL
    else:
        return _signed_in(session, user, sessions.open_session(session, user, now=now), ip=ip,
                          user_agent=user_agent, now=now, method="none")
    audit.record(session, "portal_password_ok", actor=actor_of(user), user_id=user.id, ip=ip,
                 user_agent=user_agent, detail={"next": str(stage)}, at=now)
    return LoginResult(True, token=sessions.open_session(session, user, stage, now), stage=stage, user=user)


def _owed_step(session: Session, token: str, stage: SessionStage, now: datetime) -> sessions.Live | None:
    live = sessions.find(session, token, now=now)
    return live if live is not None and live.row.stage == stage else None


def _begin_step(session: Session, token: str, stage: SessionStage, ip: str,
                now: datetime) -> tuple[sessions.Live | None, LoginResult | None]:
    """(the session owing `stage`, None) when its code may be checked now, else (None, the refusal)."""
    live = _owed_step(session, token, stage, now)
    if live is None:
        return None, LoginResult(False, "portal.login.error.step_expired")
    if wait := login_limits.begin(session, live.user.email, ip, now):
        return None, _too_many(wait)
    return live, None


def second_factor(session: Session, token: str, code: str, *, ip: str = "", user_agent: str = "",
                  now: datetime | None = None) -> LoginResult:
    """The authenticator code (or a recovery code) after the password: a full session under a new secret."""
    now = now or utcnow()
    live, refused = _begin_step(session, token, SessionStage.SECOND_FACTOR, ip, now)
    if live is None:
        return refused
    user = live.user
    code = str(code or "")[:40]
    method = "totp" if len(code.replace(" ", "")) == two_factor.DIGITS else "recovery_code"
    ok = (two_factor.check_code(session, user, code, now) if method == "totp"
          else two_factor.use_recovery_code(session, user, code, now))
    if not ok:
        login_limits.failed(session, ip, now)
        audit.record(session, "portal_second_factor_failed", actor=actor_of(user), user_id=user.id, ip=ip,
                     user_agent=user_agent, detail={"method": method}, at=now)
        return LoginResult(False, "portal.login.error.code")
    result = _signed_in(session, user, sessions.promote(session, live.row, now), ip=ip, user_agent=user_agent,
                        now=now, method=method)
    if method == "recovery_code":
        audit.record(session, "recovery_code_used", actor=actor_of(user), user_id=user.id, ip=ip,
                     user_agent=user_agent, detail={"left": two_factor.recovery_codes_left(session, user)}, at=now)
    return result


def enrolment_for(session: Session, token: str, now: datetime | None = None) -> two_factor.Enrolment | None:
    """The secret to set up for a session that owes enrolment, else None."""
    live = _owed_step(session, token, SessionStage.ENROL, now or utcnow())
    return two_factor.start_enrolment(session, live.user) if live is not None else None


def finish_enrolment(session: Session, token: str, code: str, *, locale: str = "en", ip: str = "",
                     user_agent: str = "", now: datetime | None = None) -> LoginResult:
    """The first code from the new app: second factor on, recovery codes made, full session."""
    now = now or utcnow()
    live, refused = _begin_step(session, token, SessionStage.ENROL, ip, now)
    if live is None:
        return refused
    user = live.user
    codes = two_factor.confirm_enrolment(session, user, code, now)
    if codes is None:
        login_limits.failed(session, ip, now)
        return LoginResult(False, "portal.login.error.code")
    audit.record(session, "two_factor_enabled", actor=actor_of(user), user_id=user.id, ip=ip,
                 user_agent=user_agent, at=now)
    notice = account_notices.queue_security_notice(session, user, "two_factor", locale)
    result = _signed_in(session, user, sessions.promote(session, live.row, now), ip=ip, user_agent=user_agent,
                        now=now, method="totp")
    result.recovery_codes, result.message_ids = codes, [notice.id]
    return result


def renew_recovery_codes(session: Session, user: PortalUser, code: str, *, ip: str = "", user_agent: str = "",
                         now: datetime | None = None) -> LoginResult:
    """Ten new recovery codes (the old ones stop working) for an enrolled user who proves the app with a code.

    A stolen session alone cannot mint codes that would stand in for the app.
    """
    now = now or utcnow()
    if not two_factor.is_enrolled(user):
        return LoginResult(False, "portal.login.error.code")
    if wait := login_limits.begin(session, user.email, ip, now):
        return _too_many(wait)
    if not two_factor.check_code(session, user, code, now):
        login_limits.failed(session, ip, now)
        return LoginResult(False, "portal.login.error.code")
    login_limits.succeeded(session, user.email)
    codes = two_factor.new_recovery_codes(session, user, now)
    audit.record(session, "recovery_codes_renewed", actor=actor_of(user), user_id=user.id, ip=ip,
                 user_agent=user_agent, at=now)
    return LoginResult(True, user=user, recovery_codes=codes)
