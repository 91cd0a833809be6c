"""The SendGrid email backend through the real SDK against the local fake: what arrives, retries, permanent failures."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from careconnect_app.clock import utcnow
from careconnect_app.messaging import outbox
from careconnect_app.messaging.backends.base import SECRET_SLOT, sent_as
from tests.fakes.data import reconfigure
from tests.fakes.rows import LATER, guardian_of, message, queued


def test_sendgrid_sends_text_and_html_with_our_id(sendgrid):
    (mid,) = queued(notify_sms=False)
    assert outbox.deliver_one(mid) == "sent"
    (mail,) = sendgrid.accepted
    m = message(mid)
    assert mail["content_order"] == ["text/plain", "text/html"]
    # What is stored is what was sent, except the link: made for this send, stored nowhere.
    assert sent_as(m.text).match(mail["text"]) and sent_as(m.html).match(mail["html"]) and mail["subject"] == m.subject
    assert SECRET_SLOT in m.text and SECRET_SLOT not in mail["text"] + mail["html"]
    assert mail["custom_args"] == {"careconnect_message_id": str(mid)}
    assert mail["from"] == {"email": "sign@careconnect.example.org", "name": "CareConnect Sign"}
    assert m.provider_message_id == mail["message_id"]


def test_sendgrid_tracking_is_off_in_every_message(sendgrid):
    """Click tracking would rewrite the signing link through SendGrid's host; no pixel, no extra links."""
    ids = queued(notify_sms=False) + queued(notify_sms=False)
    for mid in ids:
        assert outbox.deliver_one(mid) == "sent"
    assert len(sendgrid.accepted) == len(ids)
    for mail in sendgrid.accepted:
        assert mail["tracking_settings"] == {"click_tracking": {"enable": False, "enable_text": False},
                                             "open_tracking": {"enable": False},
                                             "subscription_tracking": {"enable": False},
                                             "ganalytics": {"enable": False}}


@pytest.mark.parametrize("status", [429, 500])
def test_sendgrid_transient_errors_retry_then_deliver(sendgrid, status):
    (mid,) = queued(notify_sms=False)
    sendgrid.fail_next(1, status=status)
    assert outbox.deliver_one(mid) == "queued"
    assert outbox.deliver_one(mid, now=utcnow() + LATER) == "sent"
    assert len(sendgrid.accepted_for(mid)) == 1


def test_sendgrid_retry_after_is_honoured(sendgrid):
    (mid,) = queued(notify_sms=False)
    sendgrid.fail_next(1, status=429, headers={"Retry-After": "600"})
    outbox.deliver_one(mid)
    assert message(mid).next_attempt_at > utcnow() + dt.timedelta(seconds=590)


def test_sendgrid_bad_address_is_permanent_and_flags_the_guardian(sendgrid):
    sendgrid.invalid_addresses.add("nobody@invalid")
    (mid,) = queued(email="nobody@invalid", phone="")
    assert outbox.deliver_one(mid) == "failed"
    assert "SendGrid 400: Does not contain a valid address." in message(mid).last_error
    assert guardian_of(mid).email_undeliverable
    assert sendgrid.request_count == 1


@pytest.mark.parametrize("setup, status", [("key", 401), ("size", 413)])
def test_sendgrid_auth_and_size_errors_are_permanent(sendgrid, monkeypatch, setup, status):
    if setup == "key":
        reconfigure(monkeypatch, SENDGRID_API_KEY="SG.wrong")
    else:
        sendgrid.max_bytes = 100
    (mid,) = queued(notify_sms=False)
    assert outbox.deliver_one(mid) == "failed"
    assert f"SendGrid {status}" in message(mid).last_error
    assert not guardian_of(mid).email_undeliverable  # our problem, not the parent's address


def test_unreachable_provider_is_transient(database, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    reconfigure(monkeypatch, CARECONNECT_EMAIL_BACKEND="sendgrid", SENDGRID_API_KEY="SG.x",
                SENDGRID_API_HOST=f"http://127.0.0.1:{port}", CARECONNECT_SEND_TIMEOUT="2")
    (mid,) = queued(notify_sms=False)
    assert outbox.deliver_one(mid) == "queued"
    assert "unreachable" in message(mid).last_error
