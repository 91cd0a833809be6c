"""The status ladder: receipts move a message forward only, and a repeated receipt counts once."""

from __future__ import annotations

from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.models import OutgoingMessage
from tests.fakes.rows import message, sent_message
from tests.fakes.sendgrid import event
from tests.fakes.webhooks import sendgrid_post, status, twilio_post


def test_twilio_repeats_and_out_of_order_keep_the_final_state(webhook_client):
    mid = sent_message("sms", "SM1")
    for state in ("delivered", "delivered", "sent", "queued"):
        assert twilio_post(webhook_client, "/webhooks/twilio/status", status("SM1", state)).status_code == 204
    assert message(mid).status == "delivered"


def test_sendgrid_duplicates_are_harmless(webhook_client):
    mid = sent_message("email", "sgid1", notify_sms=False)
    bounce = event("bounce", mid, reason="550 5.1.1 no such user", type="bounce")
    assert sendgrid_post(webhook_client, [bounce, bounce]).json() == {"failed": 1, "duplicate": 1}
    assert sendgrid_post(webhook_client, [bounce]).json() == {"duplicate": 1}
    with session_scope() as s:
        fallbacks = s.exec(select(OutgoingMessage).where(OutgoingMessage.fallback_for_id == mid)).all()
    assert len(fallbacks) == 1
