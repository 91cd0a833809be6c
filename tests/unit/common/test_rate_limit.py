"""Rate-limit counters live in the database under keyed hashes: no contact or address in clear."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from careconnect_app.common import rate_limit
from careconnect_app.db import session_scope
from careconnect_app.models import Guardian, RateLimitHit, SigningRequest
from careconnect_app.signing import verification


def test_keys_are_stored_hashed_and_still_count(database):
    with session_scope() as s:
        rate_limit.hit(s, "otp-send:+15555550123")
        rate_limit.hit(s, "otp-send:+15555550123")
        rate_limit.hit(s, "otp-send:ana@example.com")
    with session_scope() as s:
        keys = [row.key for row in s.exec(select(RateLimitHit))]
        assert rate_limit.count(s, "otp-send:+15555550123", timedelta(minutes=5)) == 2
        assert rate_limit.count(s, "otp-send:ana@example.com", timedelta(minutes=5)) == 1
    assert not [k for k in keys if "5555550123" in k or "ana@" in k or "example" in k]



def test_forgetting_a_key_starts_its_count_afresh_and_leaves_the_others(database):
    with session_scope() as s:
        for key in ("link-miss:10.0.0.1", "link-miss:10.0.0.1", "link-miss:10.0.0.2"):
            rate_limit.hit(s, key)
    with session_scope() as s:
        rate_limit.forget(s, "link-miss:10.0.0.1")
    with session_scope() as s:
        assert rate_limit.count(s, "link-miss:10.0.0.1", timedelta(minutes=10)) == 0
        assert rate_limit.count(s, "link-miss:10.0.0.2", timedelta(minutes=10)) == 1

def test_sending_a_code_leaves_no_contact_in_the_limits(make_request):
    request_id, _ = make_request()
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        assert verification.send_code(s, request, s.get(Guardian, request.guardian_id), "email").ok
    with session_scope() as s:
        keys = [row.key for row in s.exec(select(RateLimitHit))]
    assert keys and not [k for k in keys if "ana@example.com" in k]
