"""Forged, replayed, oversized and malformed webhooks (finding 8), on SQLite and PostgreSQL.

The routes run in process (Starlette's test client) on a fresh database per test; the oversized
body is also sent to the live app over a real socket.
"""

from __future__ import annotations

import json
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from careconnect_app.api import webhooks
from careconnect_app.clock import utcnow
from careconnect_app.common import retention
from careconnect_app.db import session_scope
from careconnect_app.models import Guardian, WebhookReceipt
from tests.fakes.data import make_family, reconfigure
from tests.fakes.rows import guardian_of, message, sent_message
from tests.fakes.sendgrid import EventSigner, event
from tests.fakes.twilio import FakeTwilio
from tests.fakes.webhooks import SIGNER, WEBHOOK_ENV, incoming, sendgrid_post, twilio_post

PHONE = "+15555550123"
INCOMING = "/webhooks/twilio/incoming"
EVENTS = "/webhooks/sendgrid/events"


@pytest.fixture
def client(database, monkeypatch):
    reconfigure(monkeypatch, **WEBHOOK_ENV)
    with TestClient(Starlette(routes=webhooks.http_routes)) as test_client:
        yield test_client


def _opted_out() -> bool:
    with session_scope() as s:
        return s.exec(select(Guardian.sms_opted_out).where(Guardian.phone == PHONE)).one()


def _family() -> None:
    with session_scope() as s:
        make_family(s, phone=PHONE)


# --- Twilio --------------------------------------------------------------------------------------


def test_a_forged_stop_is_refused(client):
    _family()
    r = twilio_post(client, INCOMING, incoming("STOP", PHONE), signature="Zm9yZ2VkIHNpZ25hdHVyZQ==")
    assert r.status_code == 403 and not _opted_out()


def test_a_stop_signed_for_another_url_is_refused(client):
    """A signature Twilio made for someone else's endpoint (or the Host header's) does not count here."""
    _family()
    r = twilio_post(client, INCOMING, incoming("STOP", PHONE), url="https://evil.example/webhooks/twilio/incoming")
    assert r.status_code == 403 and not _opted_out()


def test_a_replayed_start_does_not_undo_a_later_stop(client):
    """Finding 8: a captured, validly signed START replayed after the parent's STOP opted them back in."""
    _family()
    start = incoming("START", PHONE)
    assert twilio_post(client, INCOMING, start).status_code == 200
    assert twilio_post(client, INCOMING, incoming("STOP", PHONE)).status_code == 200
    assert twilio_post(client, INCOMING, start).status_code == 200  # the replay, byte for byte
    assert _opted_out()


def test_a_replayed_start_is_still_recognised_weeks_later(client):
    """Delivery receipts are forgotten after a week; a parent's STOP/START replies are not."""
    _family()
    start = incoming("START", PHONE)
    twilio_post(client, INCOMING, start)
    twilio_post(client, INCOMING, incoming("STOP", PHONE))
    with session_scope() as s:
        retention.purge(s, now=utcnow() + timedelta(days=30))
    twilio_post(client, INCOMING, start)
    assert _opted_out()


def test_a_start_sent_before_the_stop_but_delivered_after_it_changes_nothing(client, monkeypatch):
    """Order by when the parent sent each reply (Twilio's record), not by when it reached us."""
    with FakeTwilio() as twilio:
        reconfigure(monkeypatch, **{**WEBHOOK_ENV, **twilio.env()})
        _family()
        earlier = twilio.receive(PHONE, "START", at=utcnow() - timedelta(minutes=10))
        later = twilio.receive(PHONE, "STOP", at=utcnow() - timedelta(minutes=5))
        twilio_post(client, INCOMING, incoming("STOP", PHONE, sid=later))
        twilio_post(client, INCOMING, incoming("START", PHONE, sid=earlier))  # Twilio retried it late
        assert _opted_out()


def test_an_oversized_twilio_post_is_refused(client):
    _family()
    params = incoming("STOP", PHONE) | {"Padding": "x" * (webhooks.TWILIO_MAX_BODY + 1)}
    assert twilio_post(client, INCOMING, params).status_code == 413
    assert not _opted_out()


# --- SendGrid ------------------------------------------------------------------------------------


def _signed(client, body: bytes):
    return client.post(EVENTS, content=body, headers=SIGNER.headers(body))


def test_a_signed_batch_nested_5000_deep_is_a_bad_request(client):
    body = b"[" * 5000 + b"]" * 5000
    assert _signed(client, body).status_code == 400


def test_a_signed_batch_with_a_40_digit_timestamp_is_a_bad_request(client):
    mid = sent_message("email", "sgid1")
    body = json.dumps([event("delivered", mid) | {"timestamp": 10 ** 40}]).encode()
    assert _signed(client, body).status_code == 400
    assert message(mid).status == "sent"


MALFORMED = {
    "event name is a list": {"event": ["bounce"]},
    "event id is an object": {"sg_event_id": {"$ne": None}},
    "message id too large for the database": {"careconnect_message_id": "9" * 40},
    "message id in other digits": {"careconnect_message_id": "²"},
    "negative timestamp": {"timestamp": -1},
    "timestamp as text": {"timestamp": "soon"},
    "timestamp as a boolean": {"timestamp": True},
    "reason as a number": {"reason": 550},
}


@pytest.mark.parametrize("fields", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_signed_batch_with_wrong_types_is_a_bad_request(client, fields):
    mid = sent_message("email", "sgid1")
    body = json.dumps([event("bounce", mid, reason="550"), event("delivered", mid) | fields]).encode()
    assert _signed(client, body).status_code == 400
    assert message(mid).status == "sent"  # nothing of a refused batch is applied


@pytest.mark.parametrize("body", [b'{"event": "bounce"}', b'"x"', b"7", b"[1, 2]", b"\xff\xfe"],
                         ids=["object", "text", "number", "numbers", "not utf-8"])
def test_signed_non_batches_are_refused(client, body):
    assert _signed(client, body).status_code in (400, 403)


def test_a_replayed_batch_changes_nothing_twice(client):
    mid = sent_message("email", "sgid1")
    batch = [event("bounce", mid, reason="550 no such user")]
    assert sendgrid_post(client, batch).json() == {"failed": 1}
    assert sendgrid_post(client, batch).json() == {"duplicate": 1}
    with session_scope() as s:
        assert len(s.exec(select(WebhookReceipt).where(WebhookReceipt.source == "sendgrid")).all()) == 1


def test_a_batch_signed_with_another_key_or_too_old_is_refused(client):
    mid = sent_message("email", "sgid1")
    batch = [event("bounce", mid)]
    assert sendgrid_post(client, batch, signer=EventSigner()).status_code == 403
    assert sendgrid_post(client, batch, timestamp=int(time.time()) - 3600).status_code == 403
    assert message(mid).status == "sent" and not guardian_of(mid).email_undeliverable


def _counting_client(database, monkeypatch):
    """The routes behind a wrapper that counts the body bytes the app actually read."""
    read: list[int] = []
    app = Starlette(routes=webhooks.http_routes)

    async def counting(scope, receive, send):
        async def counted_receive():
            message = await receive()
            read.append(len(message.get("body", b"")))
            return message

        await app(scope, counted_receive, send)

    return TestClient(counting), read


def _megabytes():
    for _ in range(64):
        yield b"x" * (1024 * 1024)


# (A body streamed past the limit is abandoned mid-way: see the live test below; the in-process
# test client buffers a request body before the app sees it.)


def test_an_unsigned_body_is_not_read_at_all(database, monkeypatch):
    """Finding 8: a 64 MB unauthenticated POST was read whole before the signature was checked."""
    reconfigure(monkeypatch, **WEBHOOK_ENV)
    test_client, read = _counting_client(database, monkeypatch)
    with test_client:
        r = test_client.post(EVENTS, content=_megabytes(), headers={"Content-Type": "application/json"})
    assert r.status_code == 403 and sum(read) == 0


def test_an_announced_oversized_body_is_refused_unread(database, monkeypatch):
    reconfigure(monkeypatch, **WEBHOOK_ENV)
    test_client, read = _counting_client(database, monkeypatch)
    with test_client:
        r = test_client.post(EVENTS, content=b"x" * (webhooks.SENDGRID_MAX_BODY + 1), headers=SIGNER.headers(b"[]"))
    assert r.status_code == 413 and sum(read) == 0


def test_the_live_app_refuses_a_64_mb_post_before_receiving_it(live):
    """Over a real socket: the answer comes while the attacker is still sending."""
    host, port = urlsplit(live.base_url).hostname, urlsplit(live.base_url).port
    announced = 64 * 1024 * 1024
    headers = SIGNER.headers(b"[]")
    with socket.create_connection((host, port), timeout=10) as raw:
        raw.sendall((f"POST {EVENTS} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {announced}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()
                                                                    if k != "Content-Type")
                     + "\r\n").encode())
        sent = 0
        raw.settimeout(0.05)
        answer = b""
        while sent < announced:
            try:
                answer = raw.recv(4096)
                if answer:
                    break
            except TimeoutError:
                pass
            try:
                raw.sendall(b"x" * 65536)
            except OSError:
                break  # the server closed the connection on us
            sent += 65536
        raw.settimeout(10)
        answer = answer or raw.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")
    assert sent < 8 * 1024 * 1024
