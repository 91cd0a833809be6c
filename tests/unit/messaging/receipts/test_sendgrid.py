"""SendGrid events: bounces and drops mark the address, matching by SendGrid's id, out-of-order and deferred."""

from __future__ import annotations

from careconnect_app.db import session_scope
from careconnect_app.messaging import compose
from careconnect_app.models import Guardian
from tests.fakes.rows import guardian_of, message, sent_message
from tests.fakes.sendgrid import event
from tests.fakes.webhooks import sendgrid_post


def test_sendgrid_bounce_marks_the_email_undeliverable(webhook_client):
    mid = sent_message("email", "sgid1")
    sendgrid_post(webhook_client, [event("bounce", mid, reason="550 5.1.1 The email account does not exist",
                                         type="bounce")])
    m, g = message(mid), guardian_of(mid)
    assert m.status == "failed" and "does not exist" in m.last_error
    assert g.email_undeliverable and "does not exist" in g.email_undeliverable_reason
    with session_scope() as s:  # the next notification avoids the dead address
        assert compose.guardian_channels(s.get(Guardian, g.id)) == [("sms", "+15555550123")]


def test_sendgrid_dropped_and_match_by_sg_message_id(webhook_client):
    mid = sent_message("email", "sgid1")
    r = sendgrid_post(webhook_client, [event("dropped", 0, sg_message_id="sgid1", reason="Bounced Address")])
    assert r.json() == {"failed": 1}
    assert message(mid).status == "failed" and guardian_of(mid).email_undeliverable


def test_sendgrid_out_of_order_and_deferred(webhook_client):
    mid = sent_message("email", "sgid1")
    sendgrid_post(webhook_client, [event("deferred", mid, response="451 try later")])
    assert message(mid).status == "sent" and "451" in message(mid).last_error
    sendgrid_post(webhook_client, [event("delivered", mid), event("processed", mid)])
    assert message(mid).status == "delivered"
    sendgrid_post(webhook_client, [event("bounce", mid, reason="async bounce")])  # proof it did not arrive
    sendgrid_post(webhook_client, [event("delivered", mid)])
    assert message(mid).status == "failed"
