"""Attacks on portal accounts and on guardians' contacts (issue 8, finding 7 and finding 2).

Each test is one thing an attacker would try first; it fails if the attack works. They use the real
services on a real database (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set).
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import text
from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.db import get_engine, session_scope
from careconnect_app.models import Agency, Guardian, OutgoingMessage, PortalUser, Provider
from careconnect_app.portal import accounts, contact_changes, passwords, roster_changes, sessions, two_factor
from careconnect_app.portal.roster_changes import GuardianContact
from careconnect_app.statuses import SessionStage
from tests.fakes.data import make_family

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def people(database):
    """An agency with a provider and an open signing request; an admin enrolled in TOTP; provider staff."""
    with session_scope() as s:
        family = make_family(s, email="ana@example.com", phone="+15555550123")
        staff = accounts.create_user(s, email="staff@sprouts.example", name="Staff", password=PASSWORD,
                                     role="provider", agency_id=family.agency.id, provider_id=family.provider.id)
        admin = accounts.create_user(s, email="admin@valley.example", name="Admin", password=PASSWORD,
                                     role="agency_admin", agency_id=family.agency.id)
        secret = pyotp.random_base32()
        admin.totp_secret_ciphertext, admin.totp_enabled_at = two_factor.seal(secret), utcnow()
        codes = two_factor.new_recovery_codes(s, admin)
        s.add(admin)
        return {"secret": secret, "codes": codes, "agency": family.agency.id, "guardian": family.guardian.id,
                "child": family.child.id, "staff": staff.id, "admin": admin.id}


def _login(email="admin@valley.example", password=PASSWORD, ip="203.0.113.9", now=None):
    with session_scope() as s:
        return accounts.login(s, email, password, ip=ip, now=now)


def _second(token, code, ip="203.0.113.9", now=None):
    with session_scope() as s:
        return accounts.second_factor(s, token, code, ip=ip, now=now)


def _at_once(work, args: list) -> list:
    """Run work(arg) for every arg in its own thread, all released together; their results."""
    results, barrier = [], threading.Barrier(len(args))

    def run(arg):
        barrier.wait()
        results.append(work(arg))

    threads = [threading.Thread(target=run, args=(a,)) for a in args]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _reset_token(email="staff@sprouts.example") -> str:
    """Ask for a reset link and read its token from the email, as the user would."""
    with session_scope() as s:
        ids = passwords.request_reset(s, email)
    with session_scope() as s:
        return re.search(r"/portal/reset/(\S+)", s.get(OutgoingMessage, ids[0]).text).group(1)


def test_password_alone_opens_no_portal_page(people):
    step = _login()
    assert step.ok and step.stage == SessionStage.SECOND_FACTOR
    with session_scope() as s:
        assert accounts.session_user(s, step.token) is None


def test_password_alone_cannot_enrol_a_second_authenticator(people):
    step = _login()
    with session_scope() as s:
        assert accounts.enrolment_for(s, step.token) is None
    with session_scope() as s:
        assert accounts.finish_enrolment(s, step.token, "123456").error == "portal.login.error.step_expired"


def test_replayed_totp_code_is_refused(people):
    code = pyotp.TOTP(people["secret"]).now()
    assert _second(_login().token, code).ok
    assert _second(_login().token, code).error == "portal.login.error.code"


def test_one_totp_code_sent_from_two_tabs_at_once_signs_in_once(people):
    code, tokens = pyotp.TOTP(people["secret"]).now(), [_login().token, _login().token]
    assert sorted(_at_once(lambda token: _second(token, code).ok, tokens)) == [False, True]


def test_guessing_totp_codes_from_many_addresses_is_slowed_per_account(people):
    step, now = _login(), utcnow()
    refused = 0
    for n in range(12):
        result = _second(step.token, f"{n:06d}", ip=f"198.51.100.{n}", now=now)
        refused += result.error == "portal.login.error.too_many"
    assert refused >= 6  # after a few free tries every further guess waits


def test_stolen_step_secret_is_dead_after_the_second_factor(people):
    step = _login()
    done = _second(step.token, pyotp.TOTP(people["secret"]).now())
    assert done.ok and done.token != step.token
    with session_scope() as s:
        assert sessions.find(s, step.token) is None


def test_recovery_code_is_spent_once_and_not_shared_between_users(people):
    with session_scope() as s:
        other = s.get(PortalUser, people["staff"])
        other.totp_secret_ciphertext, other.totp_enabled_at = two_factor.seal(pyotp.random_base32()), utcnow()
        s.add(other)
    staff_step = _login("staff@sprouts.example")
    assert _second(staff_step.token, people["codes"][0]).error == "portal.login.error.code"
    assert _second(_login().token, people["codes"][0]).ok
    assert _second(_login().token, people["codes"][0]).error == "portal.login.error.code"


def test_nobody_holds_an_account_locked_by_failing_on_purpose(people):
    now = utcnow()
    for n in range(60):
        result = _login("staff@sprouts.example", "wrong", ip=f"192.0.2.{n % 250}", now=now)
        if result.error == "portal.login.error.too_many":
            now += timedelta(seconds=result.retry_after)
    assert _login("staff@sprouts.example", ip="10.0.0.1", now=now + timedelta(minutes=5)).ok


def test_unknown_emails_get_the_same_answers_and_waits_as_real_ones(people):
    now = utcnow()
    real = [_login("staff@sprouts.example", "wrong", ip="", now=now).error for _ in range(6)]
    unknown = [_login("ghost@sprouts.example", "wrong", ip="", now=now).error for _ in range(6)]
    assert real == unknown


def test_password_spraying_from_one_address_is_slowed(people):
    now = utcnow()
    errors = [_login(f"user{n}@sprouts.example", "Summer2026!", ip="203.0.113.50", now=now).error for n in range(30)]
    assert "portal.login.error.too_many" in errors


def test_reset_link_used_from_two_tabs_at_once_sets_one_password(people):
    token = _reset_token()

    def use(new):
        with session_scope() as s:
            return passwords.reset_password(s, token, new).ok

    assert sorted(_at_once(use, ["lantern-orbit-meadow-1", "lantern-orbit-meadow-2"])) == [False, True]


def test_stolen_session_cookie_dies_with_a_password_reset(people):
    stolen = _login("staff@sprouts.example").token
    with session_scope() as s:
        user = s.get(PortalUser, people["staff"])
        assert passwords.change_password(s, user, "", PASSWORD, "lantern-orbit-meadow-3").ok
    with session_scope() as s:
        assert accounts.session_user(s, stolen) is None


def test_idle_session_cannot_be_revived(people):
    now = utcnow()
    token = _login("staff@sprouts.example", now=now).token
    with session_scope() as s:
        assert sessions.session_user(s, token, now + timedelta(minutes=31)) is None
    with session_scope() as s:  # going back in time (or a request racing the check) does not bring it back
        assert sessions.session_user(s, token, now + timedelta(minutes=1)) is None


def test_database_copy_holds_no_usable_totp_secret_reset_token_or_recovery_code(people):
    reset_token = _reset_token()
    dump = []
    with get_engine().connect() as conn:
        for table in ("portaluser", "recoverycode", "passwordreset", "portalsession", "auditevent"):
            dump += [" ".join(str(v) for v in row) for row in conn.execute(text(f"SELECT * FROM {table}"))]
    blob = "\n".join(dump)
    assert people["secret"] not in blob
    assert reset_token not in blob
    assert not any(code in blob or code.replace("-", "") in blob for code in people["codes"])


def test_provider_redirecting_the_code_by_editing_the_contact_is_held_and_seen(people):
    with session_scope() as s:
        agency = s.get(Agency, people["agency"])
        agency.require_contact_change_approval = True
        s.add(agency)
    contact = GuardianContact("Ana", "García", "me@provider-owned.example", "+15555550999", "en", True, True)
    with session_scope() as s:
        saved = roster_changes.save_guardian(s, s.get(PortalUser, people["staff"]), people["child"],
                                             people["guardian"], contact)
        assert saved.contact_pending and len(saved.message_ids) == 2  # the parent's own email and phone told
    with session_scope() as s:
        guardian = s.get(Guardian, people["guardian"])
        assert (guardian.email, guardian.phone) == ("ana@example.com", "+15555550123")  # codes still go there


def test_provider_staff_cannot_approve_their_own_contact_change(people):
    with session_scope() as s:
        agency = s.get(Agency, people["agency"])
        agency.require_contact_change_approval = True
        s.add(agency)
    contact = GuardianContact("Ana", "García", "me@provider-owned.example", "+15555550123", "en", True, True)
    with session_scope() as s:
        roster_changes.save_guardian(s, s.get(PortalUser, people["staff"]), people["child"], people["guardian"],
                                     contact)
    with session_scope() as s:
        change_id = s.exec(select(contact_changes.ContactChange.id)).one()
        staff = s.get(PortalUser, people["staff"])
        assert contact_changes.decide(s, staff, change_id, True) == "portal.approvals.error.missing"
        assert contact_changes.decide(s, staff, str(change_id), True) == "portal.approvals.error.missing"
    with session_scope() as s:
        assert s.get(Guardian, people["guardian"]).email == "ana@example.com"


def test_another_providers_staff_cannot_edit_the_guardian(people):
    with session_scope() as s:
        other = Provider(agency_id=people["agency"], name="Other")
        s.add(other)
        s.flush()
        intruder = accounts.create_user(s, email="x@other.example", name="X", password=PASSWORD, role="provider",
                                        agency_id=people["agency"], provider_id=other.id)
        contact = GuardianContact("Ana", "García", "me@other.example", "", "en", True, False)
        saved = roster_changes.save_guardian(s, intruder, people["child"], people["guardian"], contact)
        assert saved.no_child and not saved.message_ids
    with session_scope() as s:
        assert s.get(Guardian, people["guardian"]).email == "ana@example.com"
