"""Outages, two workers, crash recovery, channel fallback and what the provider portal sees."""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlmodel import select  # noqa: E402

from careconnect_app.clock import utcnow  # noqa: E402
from careconnect_app.db import session_scope  # noqa: E402
from careconnect_app.models import AuditEvent, Guardian, OutgoingMessage  # noqa: E402
from careconnect_app.messaging import outbox
from careconnect_app.messaging import failures
from careconnect_app.messaging.receipts import sendgrid as sendgrid_receipts
from tests.fakes.data import make_family, notify, reconfigure, use_database  # noqa: E402
from tests.fakes.sendgrid import FakeSendGrid  # noqa: E402
from tests.fakes.twilio import FakeTwilio  # noqa: E402


@pytest.fixture
def fakes(tmp_path, monkeypatch):
    use_database(tmp_path, monkeypatch)
    with FakeTwilio(latency=0.03) as twilio, FakeSendGrid(latency=0.03) as sendgrid:
        reconfigure(monkeypatch, **twilio.env(), **sendgrid.env(), CARECONNECT_SEND_TIMEOUT="3")
        yield twilio, sendgrid


def rows() -> list[OutgoingMessage]:
    with session_scope() as s:
        return list(s.exec(select(OutgoingMessage).order_by(OutgoingMessage.id)))


def one(mid: int) -> OutgoingMessage:
    with session_scope() as s:
        return s.get(OutgoingMessage, mid)


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("mode", ["refuse", "503"])
def test_outage_mid_batch_two_workers_every_message_exactly_once(fakes, mode):
    twilio, sendgrid = fakes
    with session_scope() as s:
        ids = [mid for i in range(25) for mid in notify(s, make_family(s, email=f"p{i}@example.com",
                                                                       phone=f"+1555555{i:04d}"))]
    assert len(ids) == 50
    clock = {"offset": dt.timedelta(0)}  # the test moves time on once the API is back
    stop = threading.Event()

    def worker(name):
        while not stop.is_set():
            outbox.deliver_due(limit=10, worker=name, now=utcnow() + clock["offset"], concurrency=4)
            time.sleep(0.01)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in (1, 2)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: len(twilio.accepted) + len(sendgrid.accepted) >= 8)
        twilio.go_down(mode)
        sendgrid.go_down(mode)
        time.sleep(0.5)  # both workers keep polling against the dead API
        assert any(m.status == "queued" and m.attempts >= 1 for m in rows())
        twilio.come_back()
        sendgrid.come_back()
        clock["offset"] = dt.timedelta(hours=2)  # every scheduled retry is now due
        wait_until(lambda: all(m.status == "sent" for m in rows()))
    finally:
        stop.set()
        for t in threads:
            t.join()
    for m in rows():
        fake = sendgrid if m.channel == "email" else twilio
        assert len(fake.accepted_for(m.id)) == 1, m.id
    assert len(twilio.accepted) + len(sendgrid.accepted) == 50
    assert max(m.attempts for m in rows()) >= 2  # the outage really hit some of them


def test_lost_answer_is_resolved_by_the_receipt_not_a_second_send(fakes):
    _twilio, sendgrid = fakes
    with session_scope() as s:
        (mid,) = notify(s, make_family(s, notify_sms=False))
    sendgrid.drop_answers(1)
    assert outbox.deliver_one(mid) == "queued"
    m = one(mid)
    assert m.next_attempt_at >= utcnow() + dt.timedelta(seconds=100)  # waits for a receipt first
    assert sendgrid_receipts.sendgrid_events([{"event": "processed", "careconnect_message_id": str(mid),
                                      "sg_event_id": "e1", "timestamp": int(time.time())}]) == {"sent": 1}
    assert outbox.deliver_due(now=utcnow() + dt.timedelta(hours=2)) == 0
    assert len(sendgrid.accepted_for(mid)) == 1 and one(mid).status == "sent"


# ---- crash recovery ---------------------------------------------------------------------------

def stick(mid: int, minutes_ago: int = 10, **values) -> None:
    """Leave a row as a crashed worker would: sending, claimed long ago."""
    with session_scope() as s:
        m = s.get(OutgoingMessage, mid)
        m.status, m.claimed_by, m.claimed_at = "sending", "dead-host:1/abcd", utcnow() - dt.timedelta(minutes=minutes_ago)
        for k, v in values.items():
            setattr(m, k, v)


def test_stuck_sms_that_twilio_has_is_marked_sent_not_resent(fakes):
    twilio, _ = fakes
    with session_scope() as s:
        (mid,) = notify(s, make_family(s, notify_email=False))
    outbox.deliver_one(mid)
    stick(mid, provider_message_id="", backend="twilio")  # crashed before recording the answer
    assert outbox.recover_stuck() == 1
    assert one(mid).status == "sent" and one(mid).provider_message_id == twilio.accepted[0]["sid"]
    outbox.deliver_due(now=utcnow() + dt.timedelta(hours=2))
    assert len(twilio.accepted_for(mid)) == 1


def test_stuck_sms_that_twilio_never_got_is_sent_once(fakes):
    twilio, _ = fakes
    with session_scope() as s:
        (mid,) = notify(s, make_family(s, notify_email=False))
    stick(mid, backend="twilio", attempts=1)
    outbox.deliver_due()
    assert one(mid).status == "sent" and len(twilio.accepted_for(mid)) == 1


def test_stuck_email_with_unknown_outcome_is_not_resent_and_is_visible(fakes):
    _, sendgrid = fakes
    with session_scope() as s:
        family = make_family(s, notify_sms=False)
        (mid,) = notify(s, family)
        request_id = family.request.id
    stick(mid, backend="sendgrid", attempts=1)
    outbox.deliver_due(now=utcnow() + dt.timedelta(hours=2))
    assert one(mid).status == "failed" and one(mid).last_error == failures.INTERRUPTED
    assert sendgrid.request_count == 0
    with session_scope() as s:
        assert outbox.all_channels_failed(s, request_id)
    # A later receipt proves it went out: evidence beats the guess.
    sendgrid_receipts.sendgrid_events([{"event": "delivered", "careconnect_message_id": str(mid), "sg_event_id": "d1"}])
    assert one(mid).status == "delivered"


def test_rows_of_a_live_worker_are_left_alone(fakes):
    with session_scope() as s:
        (mid,) = notify(s, make_family(s, notify_email=False))
    stick(mid, minutes_ago=1, backend="twilio")
    assert outbox.recover_stuck() == 0 and one(mid).status == "sending"


# ---- fallback and the portal ------------------------------------------------------------------

def test_bad_email_falls_back_to_sms_once(fakes):
    twilio, sendgrid = fakes
    sendgrid.invalid_addresses.add("typo@exampel.con")
    with session_scope() as s:
        family = make_family(s, email="typo@exampel.con", notify_sms=False)
        (mid,) = notify(s, family)
        sheet_id, request_id = family.sheet.id, family.request.id
    assert outbox.deliver_one(mid) == "failed"
    fallback = [m for m in rows() if m.fallback_for_id == mid]
    assert [(m.channel, m.kind, m.status) for m in fallback] == [("sms", "ready_to_sign", "queued")]
    outbox.deliver_due()
    assert len(twilio.accepted_for(fallback[0].id)) == 1
    assert family.url in twilio.accepted[0]["body"]
    with session_scope() as s:
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
    assert sorted((m.channel, m.status) for m in rows()) == [("email", "failed"), ("sms", "sent")]


def test_all_channels_failed_no_ping_pong(fakes):
    twilio, sendgrid = fakes
    sendgrid.invalid_addresses.add("typo@exampel.con")
    twilio.errors_for["+15555550100"] = 21211
    with session_scope() as s:
        family = make_family(s, email="typo@exampel.con", phone="+15555550100", notify_sms=False)
        notify(s, family)
    for _ in range(3):
        outbox.deliver_due()
    assert [(m.channel, m.status) for m in rows()] == [("email", "failed"), ("sms", "failed")]
    with session_scope() as s:
        assert outbox.all_channels_failed(s, family.request.id)


def test_all_channels_failed_when_guardian_has_no_usable_contact(fakes):
    with session_scope() as s:
        family = make_family(s, email="", phone="")
        assert notify(s, family) == []
        assert outbox.all_channels_failed(s, family.request.id)
