"""Second factor: enrolment, sign-in with TOTP or a recovery code, replay refused, secrets sealed, steps enforced."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import Agency, AuditEvent, OutgoingMessage, PortalUser, RecoveryCode
from careconnect_app.portal import accounts, sessions, two_factor
from careconnect_app.statuses import SessionStage


def _user(s, email):
    return s.exec(select(PortalUser).where(PortalUser.email == email)).one()


def _login(email, password, now=None, ip="10.0.0.1"):
    with session_scope() as s:
        return accounts.login(s, email, password, ip=ip, user_agent="pytest", now=now)


def _enrol(email, password, now):
    """Sign in, set up the app, confirm with its code; returns (secret, full session token, recovery codes)."""
    step = _login(email, password, now)
    with session_scope() as s:
        enrolment = accounts.enrolment_for(s, step.token, now)
    secret = enrolment.secret.replace(" ", "")
    with session_scope() as s:
        done = accounts.finish_enrolment(s, step.token, pyotp.TOTP(secret).at(now), now=now)
    assert done.ok, done.error
    return secret, done.token, done.recovery_codes


def test_admin_must_enrol_right_after_the_password_and_can_do_nothing_else(world):
    """Finding 7: no second factor for agency admins."""
    step = _login("admin@one.example", "password-admin-1")
    assert step.ok and step.stage == SessionStage.ENROL
    with session_scope() as s:
        assert accounts.session_user(s, step.token) is None  # no portal page takes this session
        enrolment = accounts.enrolment_for(s, step.token)
    assert enrolment.qr_data_uri.startswith("data:image/svg+xml")
    assert len(enrolment.secret.replace(" ", "")) == 32  # 160 bits, base32


def test_enrolment_confirms_stores_secret_sealed_and_gives_ten_recovery_codes(world):
    now = utcnow()
    secret, token, codes = _enrol("admin@one.example", "password-admin-1", now)
    assert len(codes) == 10 and len(set(codes)) == 10
    with session_scope() as s:
        user = _user(s, "admin@one.example")
        assert accounts.session_user(s, token).id == user.id
        assert secret not in user.totp_secret_ciphertext and user.totp_pending_ciphertext == ""
        assert two_factor.unseal(user.totp_secret_ciphertext) == secret
        stored = [r.code_hash for r in s.exec(select(RecoveryCode)).all()]
        assert len(stored) == 10 and not set(codes) & set(stored)
        assert s.exec(select(AuditEvent).where(AuditEvent.event == "two_factor_enabled")).first() is not None
        notice = s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "account_security")).one()
        assert notice.to == "admin@one.example"


def test_wrong_enrolment_code_is_refused_and_a_reload_shows_the_same_secret(world):
    step = _login("admin@one.example", "password-admin-1")
    with session_scope() as s:
        first = accounts.enrolment_for(s, step.token)
    with session_scope() as s:
        assert accounts.enrolment_for(s, step.token).secret == first.secret
    with session_scope() as s:
        refused = accounts.finish_enrolment(s, step.token, "000000")
    assert refused.error == "portal.login.error.code"
    with session_scope() as s:
        assert not two_factor.is_enrolled(_user(s, "admin@one.example"))


def test_enrolled_user_needs_the_code_after_the_password(world):
    now = utcnow()
    secret, _token, _codes = _enrol("admin@one.example", "password-admin-1", now)
    later = now + timedelta(minutes=1)
    step = _login("admin@one.example", "password-admin-1", later)
    assert step.stage == SessionStage.SECOND_FACTOR
    with session_scope() as s:
        assert accounts.session_user(s, step.token, later) is None
        assert accounts.enrolment_for(s, step.token, later) is None  # not a way to replace the app
    with session_scope() as s:
        wrong = accounts.second_factor(s, step.token, "123456", now=later)
    assert wrong.error == "portal.login.error.code"
    with session_scope() as s:
        done = accounts.second_factor(s, step.token, pyotp.TOTP(secret).at(later), now=later)
    assert done.ok and done.token != step.token
    with session_scope() as s:
        assert accounts.session_user(s, done.token, later) is not None
        assert sessions.find(s, step.token, now=later) is None  # the step's secret is spent


def test_a_used_code_cannot_be_replayed(world):
    now = utcnow()
    secret, _token, _codes = _enrol("admin@one.example", "password-admin-1", now)
    later = now + timedelta(minutes=2)
    code = pyotp.TOTP(secret).at(later)
    first = _login("admin@one.example", "password-admin-1", later)
    with session_scope() as s:
        assert accounts.second_factor(s, first.token, code, now=later).ok
    second = _login("admin@one.example", "password-admin-1", later + timedelta(seconds=5))
    with session_scope() as s:
        replay = accounts.second_factor(s, second.token, code, now=later + timedelta(seconds=5))
    assert replay.error == "portal.login.error.code"
    # An older step's code (still inside the drift window) is refused too once a newer one was used.
    with session_scope() as s:
        older = accounts.second_factor(s, second.token, pyotp.TOTP(secret).at(later - timedelta(seconds=30)),
                                       now=later + timedelta(seconds=5))
    assert older.error == "portal.login.error.code"


def test_codes_from_the_neighbouring_steps_are_accepted(world):
    now = utcnow()
    secret, _token, _codes = _enrol("admin@one.example", "password-admin-1", now)
    later = now + timedelta(minutes=5)
    step = _login("admin@one.example", "password-admin-1", later)
    with session_scope() as s:  # the phone's clock 30 s behind
        assert accounts.second_factor(s, step.token, pyotp.TOTP(secret).at(later - timedelta(seconds=30)),
                                      now=later).ok
    step = _login("admin@one.example", "password-admin-1", later)
    with session_scope() as s:  # two steps away: no
        assert not accounts.second_factor(s, step.token, pyotp.TOTP(secret).at(later + timedelta(seconds=61)),
                                          now=later).ok


def test_recovery_code_works_once(world):
    now = utcnow()
    _secret, _token, codes = _enrol("admin@one.example", "password-admin-1", now)
    step = _login("admin@one.example", "password-admin-1", now)
    with session_scope() as s:
        assert accounts.second_factor(s, step.token, codes[3].lower(), now=now).ok  # case does not matter
    step = _login("admin@one.example", "password-admin-1", now)
    with session_scope() as s:
        assert accounts.second_factor(s, step.token, codes[3], now=now).error == "portal.login.error.code"
    with session_scope() as s:
        assert two_factor.recovery_codes_left(s, _user(s, "admin@one.example")) == 9
        assert s.exec(select(AuditEvent).where(AuditEvent.event == "recovery_code_used")).first() is not None


def test_wrong_codes_are_slowed_like_passwords(world):
    now = utcnow()
    _enrol("admin@one.example", "password-admin-1", now)
    step = _login("admin@one.example", "password-admin-1", now)
    answers = []
    for _ in range(6):
        with session_scope() as s:
            answers.append(accounts.second_factor(s, step.token, "000000", now=now).error)
    assert "portal.login.error.too_many" in answers
    with session_scope() as s:
        assert accounts.second_factor(s, step.token, "000000", now=now).retry_after >= 1


def test_provider_staff_enrol_only_when_the_agency_requires_it(world):
    assert _login("a@prov.example", "password-a-123").stage == SessionStage.FULL
    with session_scope() as s:
        agency = s.get(Agency, _user(s, "a@prov.example").agency_id)
        agency.require_provider_2fa = True
        s.add(agency)
    assert _login("a@prov.example", "password-a-123").stage == SessionStage.ENROL


def test_step_sessions_expire(world):
    now = utcnow()
    step = _login("admin@one.example", "password-admin-1", now)
    with session_scope() as s:
        assert accounts.enrolment_for(s, step.token, now + timedelta(minutes=31)) is None
    with session_scope() as s:
        late = accounts.finish_enrolment(s, step.token, "123456", now=now + timedelta(minutes=31))
    assert late.error == "portal.login.error.step_expired"


def test_secrets_sealed_under_another_key_do_not_open(world, monkeypatch):
    from tests.fakes.data import reconfigure

    sealed = two_factor.seal("JBSWY3DPEHPK3PXP")
    assert two_factor.unseal(sealed) == "JBSWY3DPEHPK3PXP"
    from cryptography.fernet import Fernet

    new_key, old_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    reconfigure(monkeypatch, CARECONNECT_TOTP_KEYS=old_key)
    rotated = two_factor.seal("JBSWY3DPEHPK3PXP")
    reconfigure(monkeypatch, CARECONNECT_TOTP_KEYS=f"{new_key},{old_key}")  # rotation: old still opens
    assert two_factor.unseal(rotated) == "JBSWY3DPEHPK3PXP"
    reconfigure(monkeypatch, CARECONNECT_TOTP_KEYS=new_key)
    assert two_factor.unseal(rotated) is None and two_factor.unseal(sealed) is None


def test_new_recovery_codes_need_the_apps_code_and_replace_the_old_ones(world):
    now = utcnow()
    secret, _token, old_codes = _enrol("admin@one.example", "password-admin-1", now)
    later = now + timedelta(minutes=1)
    with session_scope() as s:
        user = _user(s, "admin@one.example")
        assert accounts.renew_recovery_codes(s, user, "000000", now=later).error == "portal.login.error.code"
    with session_scope() as s:
        renewed = accounts.renew_recovery_codes(s, _user(s, "admin@one.example"), pyotp.TOTP(secret).at(later),
                                                now=later)
    assert renewed.ok and len(renewed.recovery_codes) == 10 and not set(renewed.recovery_codes) & set(old_codes)
    step = _login("admin@one.example", "password-admin-1", later)
    with session_scope() as s:
        assert not accounts.second_factor(s, step.token, old_codes[0], now=later).ok
    with session_scope() as s:
        assert accounts.second_factor(s, step.token, renewed.recovery_codes[0], now=later).ok
