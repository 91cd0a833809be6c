"""The retention job deletes what has served its purpose, and nothing still in use."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from careconnect_app.clock import utcnow
from careconnect_app.common import rate_limit, retention
from careconnect_app.db import session_scope
from careconnect_app.models import (
    Agency,
    ParentSession,
    PortalSession,
    PortalUser,
    RateLimitHit,
    SigningRequest,
    WebhookReceipt,
)
from careconnect_app.portal import accounts
from careconnect_app.signing import verification
from careconnect_app.statuses import Role


def _count(model) -> int:
    with session_scope() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_purge_deletes_only_what_is_past_its_use(make_request):
    request_id, _token = make_request()
    now = utcnow()
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        rate_limit.hit(s, "link-miss:203.0.113.1", now - timedelta(days=2))  # old
        rate_limit.hit(s, "link-miss:203.0.113.1", now - timedelta(minutes=5))  # counts today
        s.add(WebhookReceipt(source="sendgrid", external_id="old", received_at=now - timedelta(days=8)))
        s.add(WebhookReceipt(source="sendgrid", external_id="new", received_at=now - timedelta(days=1)))
        verification.start_session(s, request, "sms", now - timedelta(days=3))  # expired 3 days ago + 4 h
        live_secret = verification.start_session(s, request, "sms", now)
        agency = s.exec(select(Agency)).first()
        user = accounts.create_user(s, email="staff@example.com", name="Staff", password="a-long-password",
                                    role=Role.AGENCY_ADMIN, agency_id=agency.id)
        s.add(PortalSession(user_id=user.id, session_hash="a" * 64, created_at=now - timedelta(days=3),
                            expires_at=now - timedelta(days=2)))
        s.add(PortalSession(user_id=user.id, session_hash="b" * 64, created_at=now - timedelta(days=3),
                            expires_at=now + timedelta(hours=5), revoked_at=now - timedelta(days=2)))
        s.add(PortalSession(user_id=user.id, session_hash="c" * 64, created_at=now,
                            expires_at=now + timedelta(hours=8)))
    with session_scope() as s:
        purged = retention.purge(s, now)
    assert purged == retention.Purged(rate_limit_hits=1, webhook_receipts=1, parent_sessions=1, portal_sessions=2)
    assert _count(RateLimitHit) == 1 and _count(WebhookReceipt) == 1 and _count(ParentSession) == 1
    assert _count(PortalSession) == 1 and _count(PortalUser) == 1
    with session_scope() as s:
        # The live parent session still verifies its browser.
        assert verification.session_channel(s, s.get(SigningRequest, request_id), live_secret) == "sms"
        assert rate_limit.count(s, "link-miss:203.0.113.1", timedelta(minutes=10)) == 1


def test_schedule_runs_at_most_once_per_interval():
    schedule = retention.Schedule(timedelta(hours=1))
    start = utcnow()
    assert schedule.due(start) is True
    assert schedule.due(start + timedelta(minutes=59)) is False
    assert schedule.due(start + timedelta(hours=1)) is True


def test_spent_reset_links_and_quiet_sign_in_counters_are_deleted(database):
    from sqlmodel import select

    from careconnect_app.models import Agency, LoginThrottle, PasswordReset, PortalUser

    now = utcnow()
    with session_scope() as s:
        agency = Agency(name="A")
        s.add(agency)
        s.flush()
        user = PortalUser(email="u@x.org", password_hash="x", role="agency_admin", agency_id=agency.id)
        s.add(user)
        s.flush()
        s.add(PasswordReset(user_id=user.id, token_hash="old", created_at=now - timedelta(days=3),
                            expires_at=now - timedelta(days=3)))
        s.add(PasswordReset(user_id=user.id, token_hash="live", created_at=now, expires_at=now + timedelta(minutes=30)))
        s.add(LoginThrottle(key="account:quiet", failures=4, last_failure_at=now - timedelta(days=2)))
        s.add(LoginThrottle(key="account:busy", failures=4, last_failure_at=now - timedelta(minutes=1)))
    with session_scope() as s:
        purged = retention.purge(s, now)
    assert (purged.password_resets, purged.login_throttles) == (1, 1)
    with session_scope() as s:
        assert s.exec(select(PasswordReset.token_hash)).all() == ["live"]
        assert s.exec(select(LoginThrottle.key)).all() == ["account:busy"]
