"""The Twilio SMS backend through the real SDK against the local fake: what arrives, retries, permanent failures."""

from __future__ import annotations

import pytest

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.messaging import outbox
from careconnect_app.models import OutgoingMessage
from tests.fakes.data import reconfigure
from tests.fakes.rows import LATER, guardian_of, message, queued


def test_twilio_sends_through_sdk_with_status_callback(twilio):
    (mid,) = queued(notify_email=False)
    assert outbox.deliver_one(mid) == "sent"
    (sent,) = twilio.accepted
    m = message(mid)
    assert m.provider_message_id == sent["sid"] and m.backend == "twilio" and m.attempts == 1
    assert sent["to"] == "+15555550123" and sent["from"] == "+15005550006"
    assert sent["status_callback"] == f"https://sign.careconnect.example.org/webhooks/twilio/status?mid={mid}"
    assert "https://sign.careconnect.example.org/sign/" in sent["body"]


def test_twilio_messaging_service_replaces_from(twilio, monkeypatch):
    reconfigure(monkeypatch, TWILIO_MESSAGING_SERVICE_SID="MG" + "a" * 32)
    (mid,) = queued(notify_email=False)
    outbox.deliver_one(mid)
    assert twilio.accepted[0]["messaging_service_sid"] == "MG" + "a" * 32
    assert twilio.accepted[0]["from"] == ""


@pytest.mark.parametrize("status", [500, 429, 503])
def test_twilio_transient_errors_retry_then_deliver(twilio, status):
    (mid,) = queued(notify_email=False)
    twilio.fail_next(2, status=status)
    assert outbox.deliver_one(mid) == "queued"
    m = message(mid)
    assert m.attempts == 1 and str(status) in m.last_error and m.next_attempt_at > utcnow()
    assert outbox.deliver_one(mid) == "queued"  # not due yet: untouched
    assert message(mid).attempts == 1
    assert outbox.deliver_one(mid, now=utcnow() + LATER) == "queued"
    assert outbox.deliver_one(mid, now=utcnow() + LATER) == "sent"
    assert message(mid).attempts == 3 and len(twilio.accepted_for(mid)) == 1


@pytest.mark.parametrize("code, text", [(21211, "invalid phone number"), (21614, "not a mobile"),
                                         (21610, "STOP")])
def test_twilio_permanent_errors_not_retried(twilio, code, text):
    twilio.errors_for["+15555550199"] = code
    (mid,) = queued(phone="+15555550199", notify_email=False, email="")
    assert outbox.deliver_one(mid) == "failed"
    m = message(mid)
    assert m.attempts == 1 and f"Twilio {code}" in m.last_error and text in m.last_error and m.failed_at
    assert outbox.deliver_one(mid, now=utcnow() + LATER) == "failed"
    assert twilio.request_count == 1
    assert guardian_of(mid).sms_opted_out is (code == 21610)


def test_twilio_wrong_credentials_fail_clearly(twilio, monkeypatch):
    reconfigure(monkeypatch, TWILIO_AUTH_TOKEN="0" * 32)
    (mid,) = queued(notify_email=False)
    assert outbox.deliver_one(mid) == "failed"
    assert "account SID or auth token" in message(mid).last_error


def test_twilio_retry_checks_first_whether_the_previous_attempt_went_out(twilio):
    (mid,) = queued(notify_email=False)
    outbox.deliver_one(mid)
    with session_scope() as s:  # pretend the answer was lost (timeout) after Twilio accepted it
        m = s.get(OutgoingMessage, mid)
        m.status, m.provider_message_id = "queued", ""
    assert outbox.deliver_one(mid) == "sent"
    assert len(twilio.accepted_for(mid)) == 1
    assert message(mid).provider_message_id == twilio.accepted[0]["sid"]



def test_an_sms_whose_answer_was_lost_goes_out_once_and_its_retry_finds_it(twilio):
    (mid,) = queued(notify_email=False)
    twilio.drop_answers(1)  # Twilio takes the SMS, the connection closes before its answer
    assert outbox.deliver_one(mid) == "queued"  # no answer: try again later (never at once)
    assert len(twilio.accepted_for(mid)) == 1 and "Twilio unreachable" in message(mid).last_error
    assert outbox.deliver_one(mid, now=utcnow() + LATER) == "sent"  # the retry asks Twilio first
    assert len(twilio.accepted_for(mid)) == 1

def test_sms_goes_out_in_gsm7(twilio):
    (mid,) = queued(notify_email=False, child=("Sofía", "Ramírez"), locale="es")
    outbox.deliver_one(mid)
    assert "Sofia" in twilio.accepted[0]["body"] and "Sofía" in message(mid).text
