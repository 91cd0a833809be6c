"""The outbox: attempts and backoff, codes that would arrive too late, rows left behind by a crashed worker."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.messaging import failures, outbox
from careconnect_app.messaging.receipts import sendgrid as sendgrid_receipts
from careconnect_app.models import OutgoingMessage
from tests.fakes.data import make_family, notify, reconfigure
from tests.fakes.rows import LATER, message, queued


def test_attempts_are_limited(sendgrid, monkeypatch):
    reconfigure(monkeypatch, CARECONNECT_DELIVERY_MAX_ATTEMPTS="3")
    (mid,) = queued(notify_sms=False)
    sendgrid.fail_next(5, status=500)
    for _ in range(3):
        outbox.deliver_one(mid, now=utcnow() + LATER)
    m = message(mid)
    assert m.status == "failed" and m.attempts == 3 and m.last_error.startswith("gave up after 3 attempts")


def test_codes_are_not_sent_after_they_expire(sendgrid):
    with session_scope() as s:
        m = OutgoingMessage(channel="email", to="p@example.com", kind="verification_code", text="123456",
                            created_at=utcnow() - dt.timedelta(minutes=11))
        s.add(m)
        s.flush()
        mid = m.id
    assert outbox.deliver_one(mid) == "failed"
    assert sendgrid.request_count == 0 and "expired" in message(mid).last_error


def test_backoff_grows_with_bounded_jitter():
    rng = random.Random(7)
    for attempts, base in [(1, 10), (2, 20), (3, 40), (6, 320), (12, 3600), (30, 3600)]:
        delays = [outbox.retry_delay(attempts, rng=rng).total_seconds() for _ in range(200)]
        assert all(base / 2 <= d <= base for d in delays)
        assert len(set(delays)) > 150  # jittered, not one fixed value
    assert outbox.retry_delay(1, retry_after=120).total_seconds() == 120
    assert outbox.retry_delay(1, retry_after=99999).total_seconds() == 3600


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
    assert message(mid).status == "sent" and message(mid).provider_message_id == twilio.accepted[0]["sid"]
    outbox.deliver_due(now=utcnow() + dt.timedelta(hours=2))
    assert len(twilio.accepted_for(mid)) == 1


def test_stuck_sms_that_twilio_never_got_is_sent_once(fakes):
    twilio, _ = fakes
    with session_scope() as s:
        (mid,) = notify(s, make_family(s, notify_email=False))
    stick(mid, backend="twilio", attempts=1)
    outbox.deliver_due()
    assert message(mid).status == "sent" and len(twilio.accepted_for(mid)) == 1


def test_stuck_email_with_unknown_outcome_is_not_resent_and_is_visible(fakes):
    _, sendgrid = fakes
    with session_scope() as s:
        family = make_family(s, notify_sms=False)
        (mid,) = notify(s, family)
        request_id = family.request.id
    stick(mid, backend="sendgrid", attempts=1)
    outbox.deliver_due(now=utcnow() + dt.timedelta(hours=2))
    assert message(mid).status == "failed" and message(mid).last_error == failures.INTERRUPTED
    assert sendgrid.request_count == 0
    with session_scope() as s:
        assert outbox.all_channels_failed(s, request_id)
    # A later receipt proves it went out: evidence beats the guess.
    sendgrid_receipts.sendgrid_events([{"event": "delivered", "careconnect_message_id": str(mid), "sg_event_id": "d1"}])
    assert message(mid).status == "delivered"


def test_rows_of_a_live_worker_are_left_alone(fakes):
    with session_scope() as s:
        (mid,) = notify(s, make_family(s, notify_email=False))
    stick(mid, minutes_ago=1, backend="twilio")
    assert outbox.recover_stuck() == 0 and message(mid).status == "sending"


# ---- recording "sent" ---------------------------------------------------------------------------

def test_sent_is_recorded_only_where_our_claim_holds_and_a_receipt_that_came_first_keeps_its_status(fakes):
    with session_scope() as s:
        ours, receipt_first, lost_claim = notify(s, make_family(s)) + notify(s, make_family(s, notify_email=False))
    claimed = {m.id: m for m in outbox.claim_due(3, "here:1/aaaa")}
    assert set(claimed) == {ours, receipt_first, lost_claim}
    with session_scope() as s:
        s.get(OutgoingMessage, receipt_first).status = "delivered"  # its receipt beat our commit
        s.get(OutgoingMessage, lost_claim).claimed_by = "elsewhere:2/bbbb"  # recovered and claimed again
    statuses = outbox._record_sent({mid: (claimed[mid], "here:1/aaaa", f"ID-{mid}") for mid in claimed})
    assert statuses == {ours: "sent", receipt_first: "delivered", lost_claim: "sending"}
    assert (message(ours).status, message(ours).provider_message_id) == ("sent", f"ID-{ours}")
    assert message(ours).sent_at is not None and message(ours).last_error == ""
    assert message(receipt_first).provider_message_id == f"ID-{receipt_first}"
    assert message(lost_claim).status == "sending"


# ---- messages with files take at most half the slots --------------------------------------------

FILES = '[{"kind": "signed_copy", "sheet_id": 1}]'


def _until(condition, timeout: float = 5.0) -> None:
    """Wait for the pool's threads: `fill` hands them the sends and returns before they run."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def _queue_with_and_without_files(with_files: int, without: int) -> tuple[list[int], list[int]]:
    """Messages with files queued first (oldest), then the ones without (a code, say)."""
    ids = []
    with session_scope() as s:
        while len(ids) < with_files + without:
            ids += notify(s, make_family(s, email=f"p{len(ids)}@example.com", phone=f"+1555555{len(ids):04d}"))
    ids, extra = ids[:with_files + without], ids[with_files + without:]
    with session_scope() as s:
        for mid in extra:  # a family is notified by email and SMS: one too many
            s.get(OutgoingMessage, mid).status = "sent"
        for mid in ids[:with_files]:
            s.get(OutgoingMessage, mid).attachments = FILES
        for mid in ids[with_files:]:
            s.get(OutgoingMessage, mid).attachments = ""
    return ids[:with_files], ids[with_files:]


def test_messages_with_files_leave_half_the_slots_to_the_rest(database, monkeypatch):
    heavy, light = _queue_with_and_without_files(4, 2)
    release, started = threading.Event(), []
    monkeypatch.setattr(outbox, "send_claimed", lambda m, token, ready=None: (started.append(m.id), release.wait(10)))
    pool = outbox.Slots(4)
    try:
        assert outbox.fill(pool, "here:1/aaaa", limit=10) == 4
        assert outbox.fill(pool, "here:1/aaaa", limit=10) == 0  # every slot is taken
        _until(lambda: len(started) == 4)
        assert pool.with_files_in_flight == 2 and set(light) <= set(started)
        assert len(set(started) & set(heavy)) == 2
    finally:
        release.set()
        pool.shutdown()


def test_a_pass_sends_every_message_with_files_though_they_wait_for_their_share(database, monkeypatch):
    heavy, _ = _queue_with_and_without_files(3, 0)
    sent = []

    def send(message, token, ready=None):
        time.sleep(0.05)
        sent.append(message.id)
        with session_scope() as s:
            s.get(OutgoingMessage, message.id).status = "sent"

    monkeypatch.setattr(outbox, "send_claimed", send)
    assert outbox.deliver_due(concurrency=2) == 3  # one slot for files: one at a time, all of them
    assert sorted(sent) == sorted(heavy)


# ---- claimed messages next in line --------------------------------------------------------------

def test_a_finished_send_takes_the_next_claimed_message_at_once_and_all_are_sent_before_the_pool_stops(
        database, monkeypatch):
    _, ids = _queue_with_and_without_files(0, 6)
    started, done, lock = [], {mid: threading.Event() for mid in ids}, threading.Lock()

    def send(message, token, ready=None):
        with lock:
            started.append((message.id, threading.current_thread().name))
        done[message.id].wait(10)

    monkeypatch.setattr(outbox, "send_claimed", send)
    pool = outbox.Slots(4)  # 4 sending, 2 next in line
    try:
        assert outbox.fill(pool, "here:1/aaaa", limit=10) == 4  # a claim takes at most pool.batch
        assert outbox.fill(pool, "here:1/aaaa", limit=10) == 2
        _until(lambda: len(started) >= 4)
        time.sleep(0.1)  # a fifth send would have started by now
        # The four oldest are sending (in whichever order their threads ran); the other two wait in line.
        assert sorted(mid for mid, _ in started) == ids[:4] and pool.free() == 0
        done[ids[1]].set()  # one send ends: its thread takes the first in line, no claim needed
        deadline = time.monotonic() + 5
        while len(started) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert started[4][0] == ids[4]
        assert started[4][1] == next(name for mid, name in started if mid == ids[1])
        assert pool.free() == 1
    finally:
        for event in done.values():
            event.set()
        pool.shutdown()  # waits for the line as well as the sends in flight
    assert sorted(mid for mid, _ in started) == sorted(ids) and pool.free() == pool.places
