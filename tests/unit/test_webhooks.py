"""Delivery receipts and STOP replies through the Starlette routes, signatures checked."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlmodel import select  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from careconnect_app.api import webhooks  # noqa: E402
from careconnect_app.db import session_scope  # noqa: E402
from careconnect_app.models import Guardian, OutgoingMessage  # noqa: E402
from careconnect_app.messaging import compose, outbox
from tests.fakes.data import make_family, notify, use_database  # noqa: E402
from tests.fakes.sendgrid import EventSigner, event  # noqa: E402
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER  # noqa: E402

PUBLIC = "https://sign.careconnect.example.org"
SIGNER = EventSigner()


@pytest.fixture
def client(tmp_path, monkeypatch):
    # File backends: these tests are about receipts; provider ids are set by hand.
    use_database(tmp_path, monkeypatch, TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                 SENDGRID_WEBHOOK_PUBLIC_KEY=SIGNER.public_key)
    with TestClient(Starlette(routes=webhooks.http_routes)) as c:
        yield c


def sent_message(channel: str, provider_id: str, **family_kw) -> int:
    with session_scope() as s:
        family = make_family(s, **family_kw)
        ids = notify(s, family)
    outbox.deliver_now(ids)
    mid = next(i for i in ids if one(i).channel == channel)
    with session_scope() as s:
        s.get(OutgoingMessage, mid).provider_message_id = provider_id
    return mid


def one(mid: int) -> OutgoingMessage:
    with session_scope() as s:
        return s.get(OutgoingMessage, mid)


def guardian(mid: int) -> Guardian:
    with session_scope() as s:
        return s.get(Guardian, s.get(OutgoingMessage, mid).guardian_id)


# ---- Twilio -----------------------------------------------------------------------------------

def twilio_post(client, path: str, params: dict, *, url: str | None = None, signature: str | None = None,
                query: str = ""):
    full = f"{path}?{query}" if query else path
    sig = RequestValidator(AUTH_TOKEN).compute_signature(url or f"{PUBLIC}{full}", params)
    headers = {} if signature == "" else {"X-Twilio-Signature": signature or sig}
    return client.post(full, data=params, headers=headers)


def status(sid: str, state: str, **extra) -> dict:
    return {"MessageSid": sid, "MessageStatus": state, "AccountSid": ACCOUNT_SID, "From": FROM_NUMBER,
            "To": "+15555550123", "ApiVersion": "2010-04-01", **extra}


def test_twilio_status_with_valid_signature_updates_the_message(client):
    mid = sent_message("sms", "SM1")
    r = twilio_post(client, "/webhooks/twilio/status", status("SM1", "delivered"), query=f"mid={mid}")
    assert r.status_code == 204
    assert one(mid).status == "delivered" and one(mid).delivered_at is not None


@pytest.mark.parametrize("signature, url", [("forged+signature=", None), ("", None),
                                            (None, "http://testserver/webhooks/twilio/status")])
def test_twilio_status_refused_without_a_valid_signature(client, signature, url):
    mid = sent_message("sms", "SM1")
    r = twilio_post(client, "/webhooks/twilio/status", status("SM1", "delivered"), signature=signature, url=url)
    assert r.status_code == 403
    assert one(mid).status == "sent"


def test_twilio_repeats_and_out_of_order_keep_the_final_state(client):
    mid = sent_message("sms", "SM1")
    for state in ("delivered", "delivered", "sent", "queued"):
        assert twilio_post(client, "/webhooks/twilio/status", status("SM1", state)).status_code == 204
    assert one(mid).status == "delivered"


def test_twilio_callback_before_our_own_commit_is_matched_by_our_id(client):
    with session_scope() as s:
        (mid,) = notify(s, make_family(s, notify_email=False))
        s.get(OutgoingMessage, mid).status = "sending"  # Twilio answered the worker; it has not committed yet
    r = twilio_post(client, "/webhooks/twilio/status", status("SM9", "delivered"), query=f"mid={mid}")
    assert r.status_code == 204
    assert one(mid).status == "delivered" and one(mid).provider_message_id == "SM9"


def test_twilio_undelivered_fails_and_falls_back_to_email(client):
    mid = sent_message("sms", "SM1", notify_email=False)
    twilio_post(client, "/webhooks/twilio/status", status("SM1", "undelivered", ErrorCode="30005"))
    m = one(mid)
    assert m.status == "failed" and "30005" in m.last_error
    with session_scope() as s:
        fallback = s.exec(select(OutgoingMessage).where(OutgoingMessage.fallback_for_id == mid)).all()
    assert [(f.channel, f.kind) for f in fallback] == [("email", "ready_to_sign")]


def incoming(body: str, phone: str = "+15555550123") -> dict:
    return {"MessageSid": "SMin", "AccountSid": ACCOUNT_SID, "From": phone, "To": FROM_NUMBER, "Body": body}


def test_stop_opts_out_and_next_message_goes_by_email_only(client):
    with session_scope() as s:
        family = make_family(s)
    r = twilio_post(client, "/webhooks/twilio/incoming", incoming(" stop "))
    assert r.status_code == 200 and "<Response>" in r.text
    with session_scope() as s:
        assert s.get(Guardian, family.guardian.id).sms_opted_out
        ids = notify(s, family)
        assert [s.get(OutgoingMessage, i).channel for i in ids] == ["email"]
    twilio_post(client, "/webhooks/twilio/incoming", incoming("START"))
    with session_scope() as s:
        assert not s.get(Guardian, family.guardian.id).sms_opted_out


@pytest.mark.parametrize("word", ["STOPALL", "Unsubscribe", "cancel", "END", "quit"])
def test_every_stop_word_opts_out(client, word):
    with session_scope() as s:
        family = make_family(s)
    twilio_post(client, "/webhooks/twilio/incoming", incoming(word))
    with session_scope() as s:
        assert s.get(Guardian, family.guardian.id).sms_opted_out


def test_ordinary_replies_and_forged_stops_change_nothing(client):
    with session_scope() as s:
        family = make_family(s)
    twilio_post(client, "/webhooks/twilio/incoming", incoming("Please stop by tomorrow"))
    assert twilio_post(client, "/webhooks/twilio/incoming", incoming("STOP"), signature="bad").status_code == 403
    with session_scope() as s:
        assert not s.get(Guardian, family.guardian.id).sms_opted_out


# ---- SendGrid ---------------------------------------------------------------------------------

def sendgrid_post(client, events, *, signer=SIGNER, timestamp=None, tamper=False, headers=None):
    body = json.dumps(events).encode()
    h = signer.headers(body, timestamp) if headers is None else headers
    return client.post("/webhooks/sendgrid/events", content=body + (b" " if tamper else b""), headers=h)


def test_sendgrid_signed_events_apply(client):
    mid = sent_message("email", "sgid1")
    r = sendgrid_post(client, [event("delivered", mid), event("open", mid)])
    assert r.status_code == 200 and r.json() == {"delivered": 1, "unchanged": 1}
    assert one(mid).status == "delivered"


@pytest.mark.parametrize("case", ["other_key", "missing", "stale", "future", "tampered"])
def test_sendgrid_refuses_unauthentic_or_stale_requests(client, case):
    mid = sent_message("email", "sgid1")
    events = [event("bounce", mid, reason="550 no such user")]
    if case == "other_key":
        r = sendgrid_post(client, events, signer=EventSigner())
    elif case == "missing":
        r = sendgrid_post(client, events, headers={"Content-Type": "application/json"})
    elif case == "stale":
        r = sendgrid_post(client, events, timestamp=int(time.time()) - 301)
    elif case == "future":
        r = sendgrid_post(client, events, timestamp=int(time.time()) + 301)
    else:
        r = sendgrid_post(client, events, tamper=True)
    assert r.status_code == 403
    assert one(mid).status == "sent" and not guardian(mid).email_undeliverable


def test_sendgrid_duplicates_are_harmless(client):
    mid = sent_message("email", "sgid1", notify_sms=False)
    bounce = event("bounce", mid, reason="550 5.1.1 no such user", type="bounce")
    assert sendgrid_post(client, [bounce, bounce]).json() == {"failed": 1, "duplicate": 1}
    assert sendgrid_post(client, [bounce]).json() == {"duplicate": 1}
    with session_scope() as s:
        fallbacks = s.exec(select(OutgoingMessage).where(OutgoingMessage.fallback_for_id == mid)).all()
    assert len(fallbacks) == 1


def test_sendgrid_bounce_marks_the_email_undeliverable(client):
    mid = sent_message("email", "sgid1")
    sendgrid_post(client, [event("bounce", mid, reason="550 5.1.1 The email account does not exist",
                                 type="bounce")])
    m, g = one(mid), guardian(mid)
    assert m.status == "failed" and "does not exist" in m.last_error
    assert g.email_undeliverable and "does not exist" in g.email_undeliverable_reason
    with session_scope() as s:  # the next notification avoids the dead address
        assert compose.guardian_channels(s.get(Guardian, g.id)) == [("sms", "+15555550123")]


def test_sendgrid_dropped_and_match_by_sg_message_id(client):
    mid = sent_message("email", "sgid1")
    r = sendgrid_post(client, [event("dropped", 0, sg_message_id="sgid1", reason="Bounced Address")])
    assert r.json() == {"failed": 1}
    assert one(mid).status == "failed" and guardian(mid).email_undeliverable


def test_sendgrid_out_of_order_and_deferred(client):
    mid = sent_message("email", "sgid1")
    sendgrid_post(client, [event("deferred", mid, response="451 try later")])
    assert one(mid).status == "sent" and "451" in one(mid).last_error
    sendgrid_post(client, [event("delivered", mid), event("processed", mid)])
    assert one(mid).status == "delivered"
    sendgrid_post(client, [event("bounce", mid, reason="async bounce")])  # proof it did not arrive
    sendgrid_post(client, [event("delivered", mid)])
    assert one(mid).status == "failed"


def test_sendgrid_signed_garbage_is_a_bad_request(client):
    body = b"not json"
    r = client.post("/webhooks/sendgrid/events", content=body, headers=SIGNER.headers(body))
    assert r.status_code == 400


def test_twilio_refused_when_no_auth_token_is_configured(client, monkeypatch):
    from tests.fakes.data import reconfigure

    reconfigure(monkeypatch, TWILIO_AUTH_TOKEN="")
    mid = sent_message("sms", "SM1")
    assert twilio_post(client, "/webhooks/twilio/status", status("SM1", "delivered")).status_code == 403
    assert one(mid).status == "sent"
