"""Signing links and one-time codes: the rules from the security checklist, against a real database."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import Guardian, ParentSession, SigningRequest, VerificationCode
from careconnect_app.signing import links, verification
from careconnect_app.common.crypto import sha256_hex
from careconnect_app.common.masking import mask_email, mask_phone


def _outbox_codes(path):
    import json

    return [json.loads(line) for line in path.read_text().splitlines() if '"verification_code"' in line]


def test_token_is_long_random_and_only_its_hash_is_stored(make_request):
    request_id, token = make_request()
    assert len(token) >= 43  # 256 bits, url-safe base64
    with session_scope() as s:
        req = s.get(SigningRequest, request_id)
        assert req.token_hash == sha256_hex(token)
        assert token not in req.token_hash
        assert links.check(s, token).status == links.LinkStatus.OK


def test_link_uses_configured_base_url(make_request):
    _, token = make_request()
    assert links.signing_url(token) == f"https://sign.example.org/sign/{token}"


def test_unknown_expired_recalled_and_signed_links(make_request):
    request_id, token = make_request()
    with session_scope() as s:
        assert links.check(s, "nope" * 11).status == links.LinkStatus.UNKNOWN
        req = s.get(SigningRequest, request_id)
        req.expires_at = utcnow() - timedelta(seconds=1)
        s.add(req)
    with session_scope() as s:
        assert links.check(s, token).status == links.LinkStatus.EXPIRED
        req = s.get(SigningRequest, request_id)
        req.expires_at = utcnow() + timedelta(days=1)
        req.status = "recalled"
        s.add(req)
    with session_scope() as s:
        assert links.check(s, token).status == links.LinkStatus.RECALLED


def test_unknown_token_lookups_are_rate_limited_per_ip(fresh_db):
    with session_scope() as s:
        for _ in range(links.UNKNOWN_TOKEN_LIMIT):
            assert links.check(s, "x" * 43, ip="203.0.113.9").status == links.LinkStatus.UNKNOWN
    with session_scope() as s:
        assert links.check(s, "y" * 43, ip="203.0.113.9").status == links.LinkStatus.RATE_LIMITED
        assert links.check(s, "y" * 43, ip="203.0.113.10").status == links.LinkStatus.UNKNOWN


def _send(request_id, channel="sms", now=None):
    with session_scope() as s:
        req = s.get(SigningRequest, request_id)
        g = s.get(Guardian, req.guardian_id)
        return verification.send_code(s, req, g, channel, now=now)


def _check(request_id, code, now=None):
    with session_scope() as s:
        return verification.check_code(s, s.get(SigningRequest, request_id), code, now=now)


def test_code_is_six_digits_hashed_sent_to_contact_of_record(make_request, fresh_db):
    request_id, _ = make_request()
    outcome = _send(request_id, "sms")
    assert outcome.ok and outcome.masked == "(***) ***-0123"
    msg = _outbox_codes(fresh_db / "outbox.jsonl") if (fresh_db / "outbox.jsonl").exists() else []
    with session_scope() as s:
        row = s.exec(select(VerificationCode)).one()
        assert row.destination == "+15555550123" and row.channel == "sms"
        assert not re.fullmatch(r"\d{6}", row.code_hash)
        assert row.expires_at - row.created_at == timedelta(minutes=10)
    assert msg == []  # queued in the database, not yet delivered by this test


def _latest_code(fresh_db):
    from careconnect_app.messaging import outbox

    outbox.deliver_due()
    return re.search(r"\b(\d{6})\b", _outbox_codes(fresh_db / "outbox.jsonl")[-1]["text"]).group(1)


def test_right_code_verifies_once_and_opens_a_session(make_request, fresh_db):
    request_id, _ = make_request()
    assert _send(request_id).ok
    code = _latest_code(fresh_db)
    first = _check(request_id, code)
    assert first.ok and first.session_secret
    assert not _check(request_id, code).ok  # single use
    with session_scope() as s:
        req = s.get(SigningRequest, request_id)
        assert verification.session_channel(s, req, first.session_secret) == "sms"
        assert verification.session_channel(s, req, "forged") is None
        assert s.exec(select(ParentSession)).one().session_hash == sha256_hex(first.session_secret)


def test_five_wrong_tries_kill_the_code_and_failures_accumulate(make_request, fresh_db):
    request_id, _ = make_request()
    assert _send(request_id).ok
    code = _latest_code(fresh_db)
    wrong = "000000" if code != "000000" else "111111"
    results = [_check(request_id, wrong) for _ in range(5)]
    assert [r.tries_left for r in results[:4]] == [4, 3, 2, 1]
    assert results[4].error == "verify.error.code_dead"
    assert _check(request_id, code).error == "verify.error.no_code"  # the right code is dead too
    later = utcnow() + timedelta(seconds=31)
    assert _send(request_id, now=later).ok
    with session_scope() as s:
        assert s.get(SigningRequest, request_id).failed_code_attempts == 5  # a new code does not reset


def test_request_locks_after_ten_failures_with_growing_wait(make_request, fresh_db):
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


def test_new_code_invalidates_the_previous_one(make_request, fresh_db):
    request_id, _ = make_request()
    now = utcnow()
    assert _send(request_id, "email", now=now).ok
    old = _latest_code(fresh_db)
    assert _send(request_id, "sms", now=now + timedelta(seconds=31)).ok
    new = _latest_code(fresh_db)
    if old != new:
        assert _check(request_id, old, now=now + timedelta(seconds=32)).error == "verify.error.wrong"
    assert _check(request_id, new, now=now + timedelta(seconds=33)).ok


def test_expired_code_is_refused(make_request, fresh_db):
    request_id, _ = make_request()
    now = utcnow()
    assert _send(request_id, now=now).ok
    code = _latest_code(fresh_db)
    assert _check(request_id, code, now=now + timedelta(minutes=10, seconds=1)).error == "verify.error.no_code"


def test_masks_never_show_the_full_contact():
    assert mask_email("jane.doe@example.com") == "j***@example.com"
    assert mask_phone("+15555550123") == "(***) ***-0123"
    assert mask_phone("+525512345678") == "***5678"
