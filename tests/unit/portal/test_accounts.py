"""Portal accounts: argon2 hashes, rate-limited login, session expiry and revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import PortalSession
from careconnect_app.portal import accounts


def _login(email, password, ip="10.0.0.1", now=None):
    with session_scope() as s:
        return accounts.login(s, email, password, ip=ip, user_agent="pytest", now=now)


def test_password_hash_is_argon2_and_verifies():
    h = accounts.hash_password("correct horse battery")
    assert h.startswith("$argon2id$")
    assert "correct horse" not in h
    assert accounts.verify_password(h, "correct horse battery")
    assert not accounts.verify_password(h, "correct horse battery!")
    assert not accounts.verify_password("not-a-hash", "x")
    assert accounts.hash_password("same") != accounts.hash_password("same")  # salted


def test_create_user_rules(world):
    with session_scope() as s:
        with pytest.raises(accounts.AccountError, match="password_short"):
            accounts.create_user(s, email="x@y.z", name="", password="short", role="agency_admin", agency_id=1)
        with pytest.raises(accounts.AccountError, match="exists"):
            accounts.create_user(s, email="A@Prov.example", name="", password="long-enough-1",
                                 role="agency_admin", agency_id=1)
        with pytest.raises(accounts.AccountError, match="provider"):  # provider C is in agency 2
            accounts.create_user(s, email="c@y.z", name="", password="long-enough-1", role="provider",
                                 agency_id=1, provider_id=world["C"]["provider"])


def test_login_success_stores_only_session_hash(world):
    result = _login("  A@prov.example ", "password-a-123")
    assert result.ok and len(result.token) >= 40
    with session_scope() as s:
        rows = s.exec(select(PortalSession)).all()
        assert len(rows) == 1 and rows[0].session_hash != result.token
        assert rows[0].expires_at - rows[0].created_at == timedelta(hours=8)
        assert accounts.session_user(s, result.token).email == "a@prov.example"


def test_login_error_is_generic(world):
    wrong_password = _login("a@prov.example", "nope-nope-nope")
    unknown_email = _login("nobody@prov.example", "nope-nope-nope")
    assert not wrong_password.ok and not unknown_email.ok
    assert wrong_password.error == unknown_email.error == "portal.login.error.invalid"


def test_failures_grow_a_wait_instead_of_a_lockout(world):
    """Finding 7: five failures used to lock the account for 15 minutes, renewable forever by anyone."""
    now = utcnow()
    for n in range(3):  # the first three mistakes cost nothing
        assert _login("a@prov.example", "wrong-password", ip=f"10.0.1.{n}", now=now).error == "portal.login.error.invalid"
    assert _login("a@prov.example", "wrong-password", ip="10.0.1.9", now=now).error == "portal.login.error.invalid"
    # The fourth failure asks for 1 s; an attempt within it is refused (even the right password) and not counted.
    blocked = _login("a@prov.example", "password-a-123", ip="10.0.0.77", now=now)
    assert not blocked.ok and blocked.error == "portal.login.error.too_many" and blocked.retry_after == 1
    # Another account is not affected.
    assert _login("b@prov.example", "password-b-123", ip="10.0.0.78", now=now).ok
    # After the wait the right password signs in and the count starts again.
    assert _login("a@prov.example", "password-a-123", ip="10.0.0.77", now=now + timedelta(seconds=1)).ok
    for _ in range(3):
        assert _login("a@prov.example", "wrong", now=now + timedelta(seconds=2)).error == "portal.login.error.invalid"


def test_nobody_can_hold_an_account_locked(world):
    """Someone failing as fast as they are allowed, for hours, keeps the owner out 5 minutes at most."""
    now, last_refusal = utcnow(), 0
    for n in range(40):
        result = _login("a@prov.example", "attacker-guess", ip=f"10.66.0.{n}", now=now)
        if result.error == "portal.login.error.too_many":
            last_refusal = result.retry_after
            now += timedelta(seconds=result.retry_after)
    assert last_refusal == 300  # the wait stopped growing at 5 minutes
    owner = _login("a@prov.example", "password-a-123", ip="10.0.0.5", now=now)
    assert owner.error == "portal.login.error.too_many" and owner.retry_after <= 300
    assert _login("a@prov.example", "password-a-123", ip="10.0.0.5", now=now + timedelta(seconds=300)).ok


def test_waits_grow_1_2_4_seconds_up_to_5_minutes():
    ladder = accounts.login_limits.ACCOUNT_LADDER
    assert [ladder.wait_after(n).total_seconds() for n in range(1, 10)] == [0, 0, 0, 1, 2, 4, 8, 16, 32]
    assert ladder.wait_after(100).total_seconds() == 300


def test_successful_logins_do_not_count_against_the_ip(world):
    for _ in range(accounts.login_limits.IP_LADDER.free + 5):
        assert _login("b@prov.example", "password-b-123", ip="10.7.7.7").ok


def test_failures_from_one_address_slow_that_address_only(world):
    now = utcnow()
    for n in range(accounts.login_limits.IP_LADDER.free + 1):
        _login(f"user{n}@nowhere.example", "wrong-password", ip="10.9.9.9", now=now)
    blocked = _login("b@prov.example", "password-b-123", ip="10.9.9.9", now=now)
    assert blocked.error == "portal.login.error.too_many" and blocked.retry_after == 1
    assert _login("b@prov.example", "password-b-123", ip="10.9.9.10", now=now).ok
    # The address's failures are forgotten after 15 minutes.
    assert _login("b@prov.example", "password-b-123", ip="10.9.9.9", now=now + timedelta(minutes=16)).ok


def test_session_expires_and_logout_revokes(world):
    token = _login("a@prov.example", "password-a-123").token
    with session_scope() as s:
        assert accounts.session_user(s, token) is not None
        assert accounts.session_user(s, token, now=utcnow() + timedelta(hours=8, seconds=1)) is None
        assert accounts.session_user(s, "forged-token") is None
        assert accounts.session_user(s, "") is None
    with session_scope() as s:
        accounts.logout(s, token)
    with session_scope() as s:
        assert accounts.session_user(s, token) is None


def test_inactive_user_cannot_log_in_or_use_session(world):
    token = _login("a@prov.example", "password-a-123").token
    with session_scope() as s:
        user = accounts.session_user(s, token)
        user.active = False
        s.add(user)
    with session_scope() as s:
        assert accounts.session_user(s, token) is None
    assert not _login("a@prov.example", "password-a-123").ok
