"""End to end through both fake APIs: an outage mid-batch with two workers, and a lost answer."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.messaging import outbox
from careconnect_app.messaging.receipts import sendgrid as sendgrid_receipts
from tests.fakes.data import make_family, notify
from tests.fakes.rows import message, messages


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
        # A failed attempt, queued for a retry (a busy machine may take longer than 0.5 s to make one).
        wait_until(lambda: any(m.status == "queued" and m.attempts >= 1 for m in messages()))
        twilio.come_back()
        sendgrid.come_back()
        clock["offset"] = dt.timedelta(hours=2)  # every scheduled retry is now due
        wait_until(lambda: all(m.status == "sent" for m in messages()))
    finally:
        stop.set()
        for t in threads:
            t.join()
    for m in messages():
        fake = sendgrid if m.channel == "email" else twilio
        assert len(fake.accepted_for(m.id)) == 1, m.id
    assert len(twilio.accepted) + len(sendgrid.accepted) == 50
    assert max(m.attempts for m in messages()) >= 2  # the outage really hit some of them


def test_lost_answer_is_resolved_by_the_receipt_not_a_second_send(fakes):
    _twilio, sendgrid = fakes
    with session_scope() as s:
        (mid,) = notify(s, make_family(s, notify_sms=False))
    sendgrid.drop_answers(1)
    assert outbox.deliver_one(mid) == "queued"
    m = message(mid)
    assert m.next_attempt_at >= utcnow() + dt.timedelta(seconds=100)  # waits for a receipt first
    assert sendgrid_receipts.sendgrid_events([{"event": "processed", "careconnect_message_id": str(mid),
                                               "sg_event_id": "e1", "timestamp": int(time.time())}]) == {"sent": 1}
    assert outbox.deliver_due(now=utcnow() + dt.timedelta(hours=2)) == 0
    assert len(sendgrid.accepted_for(mid)) == 1 and message(mid).status == "sent"
