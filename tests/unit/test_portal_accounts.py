"""Portal accounts: argon2 hashes, rate-limited login, session expiry and revocation, ownership."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from careconnect_app.portal import access
from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import Agency, AttendanceSheet, Child, Guardian, PortalSession, Provider
from careconnect_app.portal import accounts


@pytest.fixture
def world(fresh_db):
    """Agency 1 with providers A and B; agency 2 with provider C; a child and sheet each; logins."""
    with session_scope() as s:
        ag1, ag2 = Agency(name="Agency One"), Agency(name="Agency Two")
        s.add(ag1)
        s.add(ag2)
        s.flush()
        pa, pb, pc = (Provider(agency_id=ag1.id, name="A"), Provider(agency_id=ag1.id, name="B"),
                      Provider(agency_id=ag2.id, name="C"))
        for p in (pa, pb, pc):
            s.add(p)
        s.flush()
        ids = {}
        for p in (pa, pb, pc):
            child = Child(provider_id=p.id, first_name="Kid", last_name=p.name)
            guardian = Guardian(provider_id=p.id, first_name="Pat", last_name=p.name, email=f"pat{p.name}@x.org")
            s.add(child)
            s.add(guardian)
            s.flush()
            sheet = AttendanceSheet(child_id=child.id, provider_id=p.id, period_start=date(2026, 11, 2),
                                    period_end=date(2026, 11, 8))
            s.add(sheet)
            s.flush()
            ids[p.name] = {"provider": p.id, "child": child.id, "guardian": guardian.id, "sheet": sheet.id}
        accounts.create_user(s, email="a@prov.example", name="A staff", password="password-a-123",
                             role="provider", agency_id=ag1.id, provider_id=pa.id)
        accounts.create_user(s, email="b@prov.example", name="B staff", password="password-b-123",
                             role="provider", agency_id=ag1.id, provider_id=pb.id)
        accounts.create_user(s, email="admin@one.example", name="Admin", password="password-admin-1",
                             role="agency_admin", agency_id=ag1.id)
    return ids


def _login(email, password, ip="10.0.0.1"):
    with session_scope() as s:
        return accounts.login(s, email, password, ip=ip, user_agent="pytest")


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
        rows = s.exec(__import__("sqlmodel").select(PortalSession)).all()
        assert len(rows) == 1 and rows[0].session_hash != result.token
        assert rows[0].expires_at - rows[0].created_at == timedelta(hours=8)
        assert accounts.session_user(s, result.token).email == "a@prov.example"


def test_login_error_is_generic(world):
    wrong_password = _login("a@prov.example", "nope-nope-nope")
    unknown_email = _login("nobody@prov.example", "nope-nope-nope")
    assert not wrong_password.ok and not unknown_email.ok
    assert wrong_password.error == unknown_email.error == "portal.login.error.invalid"


def test_login_rate_limited_per_account(world):
    for _ in range(accounts.ACCOUNT_FAIL_LIMIT):
        assert _login("a@prov.example", "wrong-password", ip="10.0.0.9").error == "portal.login.error.invalid"
    # Even the right password is refused now, from any IP, with the "too many" message.
    blocked = _login("a@prov.example", "password-a-123", ip="10.0.0.77")
    assert not blocked.ok and blocked.error == "portal.login.error.too_many"
    # Another account is not affected.
    assert _login("b@prov.example", "password-b-123", ip="10.0.0.78").ok


def test_successful_logins_do_not_count_against_the_ip(world):
    for _ in range(accounts.IP_ATTEMPT_LIMIT + 2):
        assert _login("b@prov.example", "password-b-123", ip="10.7.7.7").ok


def test_login_rate_limited_per_ip(world):
    for n in range(accounts.IP_ATTEMPT_LIMIT):
        _login(f"user{n}@nowhere.example", "wrong-password", ip="10.9.9.9")
    blocked = _login("b@prov.example", "password-b-123", ip="10.9.9.9")
    assert blocked.error == "portal.login.error.too_many"
    assert _login("b@prov.example", "password-b-123", ip="10.9.9.10").ok


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


def _user(s, email):
    from sqlmodel import select

    from careconnect_app.models import PortalUser

    return s.exec(select(PortalUser).where(PortalUser.email == email)).one()


def test_provider_sees_only_own_records(world):
    with session_scope() as s:
        a = _user(s, "a@prov.example")
        assert access.provider_ids(s, a) == [world["A"]["provider"]]
        assert access.sheet_for(s, a, world["A"]["sheet"]) is not None
        assert access.sheet_for(s, a, str(world["A"]["sheet"])) is not None  # ids from URLs are strings
        assert access.sheet_for(s, a, world["B"]["sheet"]) is None
        assert access.sheet_for(s, a, world["C"]["sheet"]) is None
        assert access.child_for(s, a, world["B"]["child"]) is None
        assert access.guardian_for(s, a, world["B"]["guardian"]) is None
        assert access.sheet_for(s, a, "1 or 1=1") is None
        assert access.sheet_for(s, a, -1) is None
        assert access.agency_for_admin(s, a) is None


def test_agency_admin_sees_own_agency_only(world):
    with session_scope() as s:
        admin = _user(s, "admin@one.example")
        assert sorted(access.provider_ids(s, admin)) == sorted([world["A"]["provider"], world["B"]["provider"]])
        assert access.sheet_for(s, admin, world["A"]["sheet"]) is not None
        assert access.sheet_for(s, admin, world["B"]["sheet"]) is not None
        assert access.sheet_for(s, admin, world["C"]["sheet"]) is None
        assert access.child_for(s, admin, world["C"]["child"]) is None
        assert access.agency_for_admin(s, admin).name == "Agency One"


def test_provider_moved_to_other_agency_loses_access(world):
    """A provider login whose provider is not in the user's agency sees nothing."""
    with session_scope() as s:
        a = _user(s, "a@prov.example")
        a.provider_id = world["C"]["provider"]
        s.add(a)
        s.flush()
        assert access.provider_ids(s, a) == []
        assert access.sheet_for(s, a, world["C"]["sheet"]) is None


def test_create_admin_command(fresh_db, capsys):
    from careconnect_app.__main__ import main

    assert main(["create-admin", "boss@agency.example", "--name", "Boss", "--agency-name", "New Agency",
                 "--password", "a-long-password"]) == 0
    assert "Created agency admin boss@agency.example" in capsys.readouterr().out
    assert main(["create-admin", "boss@agency.example", "--agency-id", "1", "--password", "a-long-password"]) == 1
    assert main(["create-admin", "x@agency.example", "--agency-id", "1", "--password", "short"]) == 1
    assert _login("boss@agency.example", "a-long-password").ok
