"""Twilio receipts and replies: status callbacks matched to our message, undelivered SMS, STOP and START."""

from __future__ import annotations

import pytest
from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.models import Guardian, OutgoingMessage
from tests.fakes.data import make_family, notify
from tests.fakes.rows import message, sent_message
from tests.fakes.webhooks import incoming, status, twilio_post


def test_twilio_callback_before_our_own_commit_is_matched_by_our_id(webhook_client):
    with session_scope() as s:
        (mid,) = notify(s, make_family(s, notify_email=False))
        s.get(OutgoingMessage, mid).status = "sending"  # Twilio answered the worker; it has not committed yet
    r = twilio_post(webhook_client, "/webhooks/twilio/status", status("SM9", "delivered"), query=f"mid={mid}")
    assert r.status_code == 204
    assert message(mid).status == "delivered" and message(mid).provider_message_id == "SM9"


def test_twilio_undelivered_fails_and_falls_back_to_email(webhook_client):
    mid = sent_message("sms", "SM1", notify_email=False)
    twilio_post(webhook_client, "/webhooks/twilio/status", status("SM1", "undelivered", ErrorCode="30005"))
    m = message(mid)
    assert m.status == "failed" and "30005" in m.last_error
    with session_scope() as s:
        fallback = s.exec(select(OutgoingMessage).where(OutgoingMessage.fallback_for_id == mid)).all()
    assert [(f.channel, f.kind) for f in fallback] == [("email", "ready_to_sign")]


def test_stop_opts_out_and_next_message_goes_by_email_only(webhook_client):
    with session_scope() as s:
        family = make_family(s)
    r = twilio_post(webhook_client, "/webhooks/twilio/incoming", incoming(" stop "))
    assert r.status_code == 200 and "<Response>" in r.text
    with session_scope() as s:
        assert s.get(Guardian, family.guardian.id).sms_opted_out
        ids = notify(s, family)
        assert [s.get(OutgoingMessage, i).channel for i in ids] == ["email"]
    twilio_post(webhook_client, "/webhooks/twilio/incoming", incoming("START"))
    with session_scope() as s:
        assert not s.get(Guardian, family.guardian.id).sms_opted_out


@pytest.mark.parametrize("word", ["STOPALL", "Unsubscribe", "cancel", "END", "quit"])
def test_every_stop_word_opts_out(webhook_client, word):
    with session_scope() as s:
        family = make_family(s)
    twilio_post(webhook_client, "/webhooks/twilio/incoming", incoming(word))
    with session_scope() as s:
        assert s.get(Guardian, family.guardian.id).sms_opted_out


def test_ordinary_replies_and_forged_stops_change_nothing(webhook_client):
    with session_scope() as s:
        family = make_family(s)
    twilio_post(webhook_client, "/webhooks/twilio/incoming", incoming("Please stop by tomorrow"))
    assert twilio_post(webhook_client, "/webhooks/twilio/incoming", incoming("STOP"),
                       signature="bad").status_code == 403
    with session_scope() as s:
        assert not s.get(Guardian, family.guardian.id).sms_opted_out
