"""One-time codes: six digits, hashed, to the contact of record; tries, lockout, cooldown and expiry."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.common.crypto import sha256_hex
from careconnect_app.db import session_scope
from careconnect_app.messaging import outbox
from careconnect_app.models import Guardian, ParentSession, SigningRequest, VerificationCode
from careconnect_app.signing import verification
from tests.support.race import race


def _outbox_codes(path):
    return [json.loads(line) for line in path.read_text().splitlines() if '"verification_code"' in line]


def _send(request_id, channel="sms", now=None):
    with session_scope() as s:
        req = s.get(SigningRequest, request_id)
        g = s.get(Guardian, req.guardian_id)
        return verification.send_code(s, req, g, channel, now=now)


def _check(request_id, code, now=None):
    with session_scope() as s:
        return verification.check_code(s, s.get(SigningRequest, request_id), code, now=now)


def test_code_is_six_digits_hashed_sent_to_contact_of_record(make_request, database):
    request_id, _ = make_request()
    outcome = _send(request_id, "sms")
    assert outcome.ok and outcome.masked == "(***) ***-0123"
    msg = _outbox_codes(database.outbox) if database.outbox.exists() else []
    with session_scope() as s:
        row = s.exec(select(VerificationCode)).one()
        assert row.destination == "+15555550123" and row.channel == "sms"
        assert not re.fullmatch(r"\d{6}", row.code_hash)
        assert row.expires_at - row.created_at == timedelta(minutes=10)
    assert msg == []  # queued in the database, not yet delivered by this test


def _latest_code(database):
    outbox.deliver_due()
    return re.search(r"\b(\d{6})\b", _outbox_codes(database.outbox)[-1]["text"]).group(1)


def test_right_code_verifies_once_and_opens_a_session(make_request, database):
    request_id, _ = make_request()
    assert _send(request_id).ok
    code = _latest_code(database)
    first = _check(request_id, code)
    assert first.ok and first.session_secret
    assert not _check(request_id, code).ok  # single use
    with session_scope() as s:
        req = s.get(SigningRequest, request_id)
        assert verification.session_channel(s, req, first.session_secret) == "sms"
        assert verification.session_channel(s, req, "forged") is None
        assert s.exec(select(ParentSession)).one().session_hash == sha256_hex(first.session_secret)


def test_five_wrong_tries_kill_the_code_and_failures_accumulate(make_request, database):
    request_id, _ = make_request()
    assert _send(request_id).ok
    code = _latest_code(database)
    wrong = "000000" if code != "000000" else "111111"
    results = [_check(request_id, wrong) for _ in range(5)]
    assert [r.tries_left for r in results[:4]] == [4, 3, 2, 1]
    assert results[4].error == "verify.error.code_dead"
    assert _check(request_id, code).error == "verify.error.no_code"  # the right code is dead too
    later = utcnow() + timedelta(seconds=31)
    assert _send(request_id, now=later).ok
    with session_scope() as s:
        assert s.get(SigningRequest, request_id).failed_code_attempts == 5  # a new code does not reset


def test_request_locks_after_ten_failures_with_growing_wait(make_request, database):
    request_id, _ = make_request()
    now = utcnow()
    for batch in range(2):
        now += timedelta(seconds=31)
        assert _send(request_id, now=now).ok
        for _ in range(5):
            last = _check(request_id, "999999" if batch else "888888", now=now)
    assert last.error == "verify.error.locked" and 14 * 60 < last.retry_after <= 15 * 60 + 1
    assert _send(request_id, now=now + timedelta(seconds=31)).error == "verify.error.locked"


def test_resend_cooldown_and_cap_per_destination(make_request):
    request_id, _ = make_request()
    now = utcnow()
    assert _send(request_id, now=now).ok
    blocked = _send(request_id, now=now + timedelta(seconds=10))
    assert blocked.error == "verify.error.cooldown" and 1 <= blocked.retry_after <= 20
    for i in range(1, 5):
        assert _send(request_id, now=now + timedelta(seconds=31 * i)).ok
    assert _send(request_id, now=now + timedelta(seconds=31 * 5)).error == "verify.error.too_many_sends"


def test_new_code_invalidates_the_previous_one(make_request, database):
    request_id, _ = make_request()
    now = utcnow()
    assert _send(request_id, "email", now=now).ok
    old = _latest_code(database)
    assert _send(request_id, "sms", now=now + timedelta(seconds=31)).ok
    new = _latest_code(database)
    if old != new:
        assert _check(request_id, old, now=now + timedelta(seconds=32)).error == "verify.error.wrong"
    assert _check(request_id, new, now=now + timedelta(seconds=33)).ok


def test_expired_code_is_refused(make_request, database):
    request_id, _ = make_request()
    now = utcnow()
    assert _send(request_id, now=now).ok
    code = _latest_code(database)
    assert _check(request_id, code, now=now + timedelta(minutes=10, seconds=1)).error == "verify.error.no_code"


def _guess(request_id, code):
    def step(go):
        with session_scope() as s:
            request = s.get(SigningRequest, request_id)  # the tab's request, read a moment before
            go()
            return verification.check_code(s, request, code)
    return step


def test_parallel_wrong_guesses_each_count(make_request, database):
    request_id, _ = make_request()
    assert _send(request_id).ok
    code = _latest_code(database)
    wrong = "000000" if code != "000000" else "111111"
    outcomes = race(*[_guess(request_id, wrong) for _ in range(5)])
    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    assert not any(o.ok for o in outcomes)
    with session_scope() as s:
        assert s.get(SigningRequest, request_id).failed_code_attempts == 5
        row = s.exec(select(VerificationCode)).one()
        assert row.attempts == 5 and row.invalidated_at is not None


def test_parallel_guesses_beyond_the_fifth_are_never_checked(make_request, database):
    request_id, _ = make_request()
    assert _send(request_id).ok
    code = _latest_code(database)
    # Seven wrong guesses and the right code, all at once: at most five guesses are ever compared.
    guesses = ["%06d" % ((int(code) + n) % 10**6) for n in range(1, 8)] + [code]
    outcomes = race(*[_guess(request_id, g) for g in guesses])
    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    with session_scope() as s:
        row = s.exec(select(VerificationCode)).one()
        assert row.attempts <= 5
        failed = s.get(SigningRequest, request_id).failed_code_attempts
    assert failed == sum(1 for o in outcomes if o.error in ("verify.error.wrong", "verify.error.code_dead",
                                                           "verify.error.locked"))
    assert failed + sum(o.ok for o in outcomes) <= 5


def test_the_right_code_in_two_tabs_at_once_verifies_one_of_them(make_request, database):
    """The try that counts the right code also consumes it: of two tabs entering it together, one
    opens a session and the other is told the code is gone; the code keeps one try counted per tab."""
    request_id, _ = make_request()
    assert _send(request_id).ok
    code = _latest_code(database)
    outcomes = race(_guess(request_id, code), _guess(request_id, code))
    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    assert sorted(o.ok for o in outcomes) == [False, True]
    assert [o.error for o in outcomes if not o.ok] == ["verify.error.no_code"]
    assert [o.channel for o in outcomes if o.ok] == ["sms"]
    with session_scope() as s:
        row = s.exec(select(VerificationCode)).one()
        assert row.consumed_at is not None and row.attempts == 1
        assert len(s.exec(select(ParentSession)).all()) == 1
        assert s.get(SigningRequest, request_id).failed_code_attempts == 0
