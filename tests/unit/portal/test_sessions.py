"""Portal sessions: the idle limit is checked (and activity recorded) on every call; revocation."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import AuditEvent, PortalSession, PortalUser
from careconnect_app.portal import sessions
from tests.fakes.data import reconfigure


def _open(email="a@prov.example", now=None):
    with session_scope() as s:
        user = s.exec(select(PortalUser).where(PortalUser.email == email)).one()
        return sessions.open_session(s, user, now=now)


def test_thirty_minutes_without_activity_end_the_session(world):
    """Finding 7: no idle timeout."""
    now = utcnow()
    token = _open(now=now)
    with session_scope() as s:
        assert sessions.session_user(s, token, now + timedelta(minutes=29)) is not None
    with session_scope() as s:  # activity at 29 min: the limit counts from there
        assert sessions.session_user(s, token, now + timedelta(minutes=58)) is not None
    with session_scope() as s:
        assert sessions.session_user(s, token, now + timedelta(minutes=58 + 30, seconds=1)) is None
    with session_scope() as s:  # ended for good, and on the audit trail
        assert sessions.session_user(s, token, now + timedelta(minutes=59)) is None
        assert s.exec(select(PortalSession)).one().revoked_at is not None
        assert s.exec(select(AuditEvent).where(AuditEvent.event == "portal_session_idle")).one().actor == "system"


def test_peeking_does_not_count_as_activity(world):
    now = utcnow()
    token = _open(now=now)
    with session_scope() as s:
        live = sessions.find(s, token, touch=False, now=now + timedelta(minutes=25))
        assert live.seconds_left == 5 * 60
    with session_scope() as s:
        assert sessions.find(s, token, touch=False, now=now + timedelta(minutes=30, seconds=1)) is None


def test_idle_limit_comes_from_configuration(world, monkeypatch):
    reconfigure(monkeypatch, CARECONNECT_PORTAL_IDLE_SECONDS="60")
    now = utcnow()
    token = _open(now=now)
    with session_scope() as s:
        assert sessions.session_user(s, token, now + timedelta(seconds=61)) is None


def test_revoke_all_keeps_only_the_given_session(world):
    keep, other, third = _open(), _open(), _open()
    with session_scope() as s:
        user = s.exec(select(PortalUser).where(PortalUser.email == "a@prov.example")).one()
        assert sessions.revoke_all(s, user.id, keep_token=keep) == 2
    with session_scope() as s:
        assert sessions.session_user(s, keep) is not None
        assert sessions.session_user(s, other) is None and sessions.session_user(s, third) is None
