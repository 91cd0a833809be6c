"""Passwords: the rules for a new one, change (ends other sessions, audited, emailed), reset by a one-time link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import AuditEvent, OutgoingMessage, PasswordReset, PortalUser
from careconnect_app.portal import accounts, passwords, sessions


def _user(s, email="a@prov.example"):
    return s.exec(select(PortalUser).where(PortalUser.email == email)).one()


def _token(email="a@prov.example", password="password-a-123"):
    with session_scope() as s:
        return accounts.login(s, email, password, ip="10.0.0.1").token


@pytest.mark.parametrize("password, error", [
    ("short", "portal.account.error.password_short"),
    ("password123", "portal.account.error.password_common"),
    ("QWERTYUIOP", "portal.account.error.password_common"),
    ("aaaaaaaaaaaa", "portal.account.error.password_common"),
    ("alice-rules-2026", "portal.account.error.password_common"),  # contains the account's name
    ("x" * 1025, "portal.account.error.password_long"),
    ("lantern-orbit-meadow", ""),
])
def test_new_password_rules(password, error):
    assert passwords.new_password_error(password, "alice@prov.example") == error


def test_change_needs_the_current_password_and_ends_other_sessions(world):
    """Finding 7: no password change."""
    mine, elsewhere = _token(), _token()
    with session_scope() as s:
        wrong = passwords.change_password(s, _user(s), mine, "not-it", "lantern-orbit-meadow")
        assert wrong.error == "portal.password.error.current"
    with session_scope() as s:
        weak = passwords.change_password(s, _user(s), mine, "password-a-123", "password123")
        assert weak.error == "portal.account.error.password_common"
    with session_scope() as s:
        done = passwords.change_password(s, _user(s), mine, "password-a-123", "lantern-orbit-meadow",
                                         ip="10.1.1.1")
        assert done.ok and len(done.message_ids) == 1
    with session_scope() as s:
        assert sessions.session_user(s, mine) is not None
        assert sessions.session_user(s, elsewhere) is None
        assert passwords.verify_password(_user(s).password_hash, "lantern-orbit-meadow")
        event = s.exec(select(AuditEvent).where(AuditEvent.event == "password_changed")).one()
        assert event.ip == "10.1.1.1" and '"other_sessions_ended": 1' in event.detail
        notice = s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "account_security")).one()
        assert notice.to == "a@prov.example" and "changed" in notice.subject


def _reset_link(email="a@prov.example", now=None) -> str:
    with session_scope() as s:
        ids = passwords.request_reset(s, email, ip="10.2.2.2", now=now)
    assert ids
    with session_scope() as s:
        message = s.get(OutgoingMessage, ids[-1])
        return re.search(r"/portal/reset/([A-Za-z0-9_\-]+)", message.text).group(1)


def test_reset_link_works_once_and_ends_every_session(world):
    """Finding 7: no password reset."""
    old_session = _token()
    token = _reset_link()
    with session_scope() as s:
        assert s.exec(select(PasswordReset)).one().token_hash != token  # only a hash is stored
        assert passwords.reset_link_works(s, token)
    with session_scope() as s:
        assert passwords.reset_password(s, token, "short").error == "portal.account.error.password_short"
    with session_scope() as s:
        assert passwords.reset_password(s, token, "lantern-orbit-meadow").ok
    with session_scope() as s:
        assert passwords.reset_password(s, token, "another-good-one-77").error == "portal.reset.error.link"
        assert sessions.session_user(s, old_session) is None
        assert s.exec(select(AuditEvent).where(AuditEvent.event == "password_reset")).one() is not None
    with session_scope() as s:
        assert accounts.login(s, "a@prov.example", "lantern-orbit-meadow").ok


def test_reset_link_expires_after_30_minutes_and_a_newer_one_replaces_it(world):
    now = utcnow()
    first = _reset_link(now=now)
    second = _reset_link(now=now)
    with session_scope() as s:
        assert not passwords.reset_link_works(s, first, now)
        assert passwords.reset_link_works(s, second, now + timedelta(minutes=29))
        assert not passwords.reset_link_works(s, second, now + timedelta(minutes=31))
    with session_scope() as s:
        late = passwords.reset_password(s, second, "lantern-orbit-meadow", now=now + timedelta(minutes=31))
        assert late.error == "portal.reset.error.link"


def test_reset_answers_the_same_for_unknown_emails_and_is_limited(world):
    with session_scope() as s:
        assert passwords.request_reset(s, "nobody@prov.example") == []
    for _ in range(passwords.RESETS_PER_EMAIL):
        _reset_link()
    with session_scope() as s:
        assert passwords.request_reset(s, "a@prov.example") == []  # a 4th email in the hour: nothing sent
        assert len(s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "password_reset")).all()) == 3
