"""Signing links: long random tokens stored as hashes (and encrypted to rebuild), statuses, guessing limited."""

from __future__ import annotations

from datetime import timedelta

from careconnect_app.clock import utcnow
from careconnect_app.common.crypto import sha256_hex
from careconnect_app.db import session_scope
from careconnect_app.models import SigningRequest
from careconnect_app.signing import links
from tests.fakes.data import SENT, reconfigure
from tests.fakes.rows import request_of, resend_at, send_reminders


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
    assert links.signing_url(token) == f"https://sign.careconnect.example.org/sign/{token}"


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


def test_unknown_token_lookups_are_rate_limited_per_ip(database):
    with session_scope() as s:
        for _ in range(links.UNKNOWN_TOKEN_LIMIT):
            assert links.check(s, "x" * 43, ip="203.0.113.9").status == links.LinkStatus.UNKNOWN
    with session_scope() as s:
        assert links.check(s, "y" * 43, ip="203.0.113.9").status == links.LinkStatus.RATE_LIMITED
        assert links.check(s, "y" * 43, ip="203.0.113.10").status == links.LinkStatus.UNKNOWN


def test_link_cannot_be_rebuilt_under_another_secret_key(sent_family, monkeypatch):
    assert links.rebuild_url(request_of(sent_family)) == sent_family.url
    reconfigure(monkeypatch, CARECONNECT_SECRET_KEY="a-different-secret-key-after-rotation-000000")
    assert links.rebuild_url(request_of(sent_family)) is None
    assert send_reminders(SENT + timedelta(days=2)) == []  # skipped (logged), never a broken link
    # A resend then replaces the link with a fresh one for the same guardian.
    ids = resend_at(sent_family, SENT + timedelta(days=2))
    assert ids and request_of(sent_family).status == "superseded"


def test_token_is_stored_encrypted_not_in_clear(sent_family):
    r = request_of(sent_family)
    assert r.token_ciphertext and sent_family.token not in r.token_ciphertext
