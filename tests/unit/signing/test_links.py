"""Signing links: long random tokens stored only as hashes, several per request, statuses, guessing limited."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.common.crypto import sha256_hex
from careconnect_app.db import session_scope
from careconnect_app.models import LinkToken, SigningRequest
from careconnect_app.signing import links
from careconnect_app.statuses import TokenPurpose


def test_token_is_long_random_and_only_its_hash_is_stored(make_request):
    request_id, token = make_request()
    assert len(token) >= 43  # 256 bits, url-safe base64
    with session_scope() as s:
        (row,) = s.exec(select(LinkToken).where(LinkToken.signing_request_id == request_id)).all()
        assert row.token_hash == sha256_hex(token) and row.purpose == TokenPurpose.SIGN
        check = links.check(s, token)
        assert check.status == links.LinkStatus.OK and check.request.id == request_id and check.token.id == row.id


def test_a_request_has_a_token_per_message_and_each_works(make_request):
    request_id, first = make_request()
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        second = links.mint(s, request)
    assert second != first
    with session_scope() as s:
        assert links.find(s, first).id == links.find(s, second).id == request_id


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
