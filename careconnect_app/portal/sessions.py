"""Portal sessions: opened at sign-in, checked on every handler, ended by idle time, expiry or revocation.

The secret lives only in the browser cookie; the database keeps its SHA-256. A session that still
owes a step of signing in (the authenticator code, or setting one up) is good for that step only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select, update

from careconnect_app.clock import as_utc, utcnow
from careconnect_app.common import audit
from careconnect_app.common.crypto import new_token, sha256_hex
from careconnect_app.config import get_settings
from careconnect_app.models import PortalSession, PortalUser
from careconnect_app.statuses import Actor, SessionStage

SESSION_LIFETIME = timedelta(hours=8)
# A session that owes a step of signing in lives this long.
STEP_LIFETIME = {SessionStage.SECOND_FACTOR: timedelta(minutes=10), SessionStage.ENROL: timedelta(minutes=30)}
# last_seen_at is written at most this often (not on every keystroke's event).
TOUCH_EVERY = timedelta(seconds=15)


def idle_limit() -> timedelta:
    """How long a session may go unused (CARECONNECT_PORTAL_IDLE_SECONDS, 30 minutes by default)."""
    return timedelta(seconds=get_settings().portal_idle_seconds)


@dataclass(frozen=True)
class Live:
    """A live session and its user; `seconds_left` until it ends for lack of activity."""

    row: PortalSession
    user: PortalUser
    seconds_left: int


def open_session(session: Session, user: PortalUser, stage: str = SessionStage.FULL,
                 now: datetime | None = None) -> str:
    """A new session for the user; returns the secret for the cookie (shown once)."""
    now = now or utcnow()
    token = new_token()
    lifetime = STEP_LIFETIME.get(SessionStage(stage), SESSION_LIFETIME)
    session.add(PortalSession(user_id=user.id, session_hash=sha256_hex(token), stage=stage, created_at=now,
                              last_seen_at=now, expires_at=now + lifetime))
    session.flush()
    return token


def _row(session: Session, token: str) -> PortalSession | None:
    if not token or len(token) > 128:
        return None
    return session.exec(select(PortalSession).where(PortalSession.session_hash == sha256_hex(token))).first()


def find(session: Session, token: str, *, touch: bool = True, now: datetime | None = None) -> Live | None:
    """The live session of this secret at any stage: not expired, revoked or idle; account active.

    An idle session is revoked here (and audited) the first time it is seen idle. `touch` counts
    this call as activity.
    """
    now = now or utcnow()
    row = _row(session, token)
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= now:
        return None
    idle_ends = as_utc(row.last_seen_at) + idle_limit()
    if idle_ends <= now:
        _revoke(session, row, now, "portal_session_idle")
        return None
    user = session.get(PortalUser, row.user_id)
    if user is None or not user.active:
        return None
    if touch and now - as_utc(row.last_seen_at) >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
        idle_ends = now + idle_limit()
    return Live(row, user, max(0, int((idle_ends - now).total_seconds())))


def session_user(session: Session, token: str, now: datetime | None = None) -> PortalUser | None:
    """The user of a live, fully signed-in session (this call counts as activity), else None."""
    live = find(session, token, now=now)
    return live.user if live is not None and live.row.stage == SessionStage.FULL else None


def promote(session: Session, row: PortalSession, now: datetime | None = None) -> str:
    """The owed step is done: a full session under a NEW secret (the old one stops working)."""
    now = now or utcnow()
    user = session.get(PortalUser, row.user_id)
    row.revoked_at = now
    session.add(row)
    return open_session(session, user, SessionStage.FULL, now)


def _revoke(session: Session, row: PortalSession, now: datetime, event: str, *, ip: str = "",
            user_agent: str = "") -> None:
    row.revoked_at = now
    session.add(row)
    audit.record(session, event, actor=Actor.SYSTEM if event == "portal_session_idle" else Actor.PROVIDER,
                 user_id=row.user_id, ip=ip, user_agent=user_agent, at=now)


def logout(session: Session, token: str, *, ip: str = "", user_agent: str = "") -> None:
    """Revoke the session server-side (a copied cookie stops working too)."""
    row = _row(session, token)
    if row is not None and row.revoked_at is None:
        _revoke(session, row, utcnow(), "portal_logout", ip=ip, user_agent=user_agent)


def revoke_all(session: Session, user_id: int, *, keep_token: str = "", now: datetime | None = None) -> int:
    """End every live session of the user but the one of `keep_token`; returns how many ended."""
    now = now or utcnow()
    stmt = update(PortalSession).where(PortalSession.user_id == user_id,
                                       PortalSession.revoked_at.is_(None))  # type: ignore[union-attr]
    if keep_token:
        stmt = stmt.where(PortalSession.session_hash != sha256_hex(keep_token))
    return session.exec(stmt.values(revoked_at=now)).rowcount
