"""After a permanent failure: the other channel once (no ping-pong), the guardian flagged, the portal told."""

from __future__ import annotations

from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.messaging import outbox
from careconnect_app.models import AuditEvent, Guardian
from careconnect_app.signing import links
from tests.fakes.data import make_family, notify
from tests.fakes.rows import messages, tokens_in


def test_bad_email_falls_back_to_sms_once(fakes):
    twilio, sendgrid = fakes
    sendgrid.invalid_addresses.add("typo@exampel.con")
    with session_scope() as s:
        family = make_family(s, email="typo@exampel.con", notify_sms=False)
        (mid,) = notify(s, family)
        sheet_id, request_id = family.sheet.id, family.request.id
    assert outbox.deliver_one(mid) == "failed"
    fallback = [m for m in messages() if m.fallback_for_id == mid]
    assert [(m.channel, m.kind, m.status) for m in fallback] == [("sms", "ready_to_sign", "queued")]
    outbox.deliver_due()
    assert len(twilio.accepted_for(fallback[0].id)) == 1
    with session_scope() as s:  # a link of its own, to the same request
        (token,) = tokens_in(twilio.accepted[0]["body"])
        assert links.find(s, token).id == request_id
        g = s.get(Guardian, family.guardian.id)
        assert g.email_undeliverable and "valid address" in g.email_undeliverable_reason
        assert not outbox.all_channels_failed(s, request_id)
        events = [e.event for e in s.exec(select(AuditEvent).where(AuditEvent.sheet_id == sheet_id))]
        assert "delivery_failed" in events and "notified" in events
        summary = outbox.delivery_summary(s, sheet_id)
    assert [(r["channel"], r["status"], r["to"]) for r in summary] == [
        ("email", "failed", "t***@exampel.con"), ("sms", "sent", "(***) ***-0123")]
    assert summary[0]["last_error"].startswith("SendGrid 400") and summary[1]["fallback_for_id"] == mid
    assert set(summary[0]) >= {"channel", "to", "kind", "status", "attempts", "last_error", "sent_at",
                               "delivered_at"}


def test_no_fallback_when_the_other_channel_was_already_used(fakes):
    _, sendgrid = fakes
    sendgrid.invalid_addresses.add("typo@exampel.con")
    with session_scope() as s:
        ids = notify(s, make_family(s, email="typo@exampel.con"))
    outbox.deliver_now(ids)
    assert sorted((m.channel, m.status) for m in messages()) == [("email", "failed"), ("sms", "sent")]


def test_all_channels_failed_no_ping_pong(fakes):
    twilio, sendgrid = fakes
    sendgrid.invalid_addresses.add("typo@exampel.con")
    twilio.errors_for["+15555550100"] = 21211
    with session_scope() as s:
        family = make_family(s, email="typo@exampel.con", phone="+15555550100", notify_sms=False)
        notify(s, family)
    for _ in range(3):
        outbox.deliver_due()
    assert [(m.channel, m.status) for m in messages()] == [("email", "failed"), ("sms", "failed")]
    with session_scope() as s:
        assert outbox.all_channels_failed(s, family.request.id)


def test_all_channels_failed_when_guardian_has_no_usable_contact(fakes):
    with session_scope() as s:
        family = make_family(s, email="", phone="")
        assert notify(s, family) == []
        assert outbox.all_channels_failed(s, family.request.id)
