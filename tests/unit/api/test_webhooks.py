"""The webhook routes: only requests signed by Twilio or SendGrid change anything."""

from __future__ import annotations

import time

import pytest

from careconnect_app.api.webhooks import SENDGRID_MAX_AGE_SECONDS, sendgrid_headers_plausible
from tests.fakes.data import reconfigure
from tests.fakes.rows import guardian_of, message, sent_message
from tests.fakes.sendgrid import EventSigner, event
from tests.fakes.webhooks import SIGNER, sendgrid_post, status, twilio_post


def test_twilio_status_with_valid_signature_updates_the_message(webhook_client):
    mid = sent_message("sms", "SM1")
    r = twilio_post(webhook_client, "/webhooks/twilio/status", status("SM1", "delivered"), query=f"mid={mid}")
    assert r.status_code == 204
    assert message(mid).status == "delivered" and message(mid).delivered_at is not None


@pytest.mark.parametrize("signature, url", [("forged+signature=", None), ("", None),
                                            (None, "http://testserver/webhooks/twilio/status")])
def test_twilio_status_refused_without_a_valid_signature(webhook_client, signature, url):
    mid = sent_message("sms", "SM1")
    r = twilio_post(webhook_client, "/webhooks/twilio/status", status("SM1", "delivered"), signature=signature,
                    url=url)
    assert r.status_code == 403
    assert message(mid).status == "sent"


def test_twilio_refused_when_no_auth_token_is_configured(webhook_client, monkeypatch):
    reconfigure(monkeypatch, TWILIO_AUTH_TOKEN="")
    mid = sent_message("sms", "SM1")
    assert twilio_post(webhook_client, "/webhooks/twilio/status", status("SM1", "delivered")).status_code == 403
    assert message(mid).status == "sent"


def test_sendgrid_signed_events_apply(webhook_client):
    mid = sent_message("email", "sgid1")
    r = sendgrid_post(webhook_client, [event("delivered", mid), event("open", mid)])
    assert r.status_code == 200 and r.json() == {"delivered": 1, "unchanged": 1}
    assert message(mid).status == "delivered"


# Clearly outside the 5-minute window, whatever the clock does between signing and checking: a stamp
# 1 s past the limit is accepted if the request takes a second (the exact edge is tested below).
OUTSIDE_THE_WINDOW = SENDGRID_MAX_AGE_SECONDS + 30


@pytest.mark.parametrize("offset, accepted", [(0, True), (SENDGRID_MAX_AGE_SECONDS, True),
                                              (-SENDGRID_MAX_AGE_SECONDS, True),
                                              (SENDGRID_MAX_AGE_SECONDS + 1, False),
                                              (-SENDGRID_MAX_AGE_SECONDS - 1, False)])
def test_sendgrid_timestamp_window_is_five_minutes_either_way(webhook_client, offset, accepted):
    now = 1_800_000_000.0
    assert sendgrid_headers_plausible("c2ln", str(int(now) + offset), now=now) is accepted


@pytest.mark.parametrize("case", ["other_key", "missing", "stale", "future", "tampered"])
def test_sendgrid_refuses_unauthentic_or_stale_requests(webhook_client, case):
    mid = sent_message("email", "sgid1")
    events = [event("bounce", mid, reason="550 no such user")]
    if case == "other_key":
        r = sendgrid_post(webhook_client, events, signer=EventSigner())
    elif case == "missing":
        r = sendgrid_post(webhook_client, events, headers={"Content-Type": "application/json"})
    elif case == "stale":
        r = sendgrid_post(webhook_client, events, timestamp=int(time.time()) - OUTSIDE_THE_WINDOW)
    elif case == "future":
        r = sendgrid_post(webhook_client, events, timestamp=int(time.time()) + OUTSIDE_THE_WINDOW)
    else:
        r = sendgrid_post(webhook_client, events, tamper=True)
    assert r.status_code == 403
    assert message(mid).status == "sent" and not guardian_of(mid).email_undeliverable


def test_sendgrid_signed_garbage_is_a_bad_request(webhook_client):
    body = b"not json"
    r = webhook_client.post("/webhooks/sendgrid/events", content=body, headers=SIGNER.headers(body))
    assert r.status_code == 400
