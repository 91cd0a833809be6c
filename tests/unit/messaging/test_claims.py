"""Claiming due messages in batches: disjoint between workers, only due rows, the oldest first."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.messaging import outbox
from careconnect_app.models import OutgoingMessage
from tests.fakes.data import make_family, notify
from tests.fakes.rows import message


def _queue(families: int) -> list[int]:
    with session_scope() as s:
        return [mid for i in range(families)
                for mid in notify(s, make_family(s, email=f"p{i}@example.com", phone=f"+1555555{i:04d}"))]


def test_a_claim_takes_only_due_rows_oldest_first_and_counts_the_attempt(database):
    ids = _queue(3)
    with session_scope() as s:
        s.get(OutgoingMessage, ids[0]).next_attempt_at = utcnow() + dt.timedelta(minutes=5)  # a retry, later
    claimed = outbox.claim_due(10, "w1/a")
    assert [m.id for m in claimed] == ids[1:]
    assert all(m.status == "sending" and m.attempts == 1 and m.claimed_by == "w1/a" and m.backend == "file"
               for m in claimed)
    assert message(ids[0]).status == "queued"
    assert outbox.claim_due(10, "w2/b") == []  # nothing else is due
    assert [m.id for m in outbox.claim_due(10, "w2/b", now=utcnow() + dt.timedelta(minutes=6))] == ids[:1]


def test_a_claim_takes_at_most_the_free_slots(database):
    ids = _queue(5)
    assert [m.id for m in outbox.claim_due(3, "w1/a")] == ids[:3]
    assert outbox.claim_due(0, "w1/a") == []


def test_racing_claims_of_eight_workers_never_share_a_row(database):
    ids = _queue(60)  # 120 messages
    taken: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker(n: int) -> None:
        start.wait()
        while batch := outbox.claim_due(7, f"w{n}/x"):
            with lock:
                taken.extend(m.id for m in batch)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(taken) == sorted(ids) and max(Counter(taken).values()) == 1
    with session_scope() as s:
        assert {m.status for m in s.exec(select(OutgoingMessage))} == {"sending"}


def test_deliver_due_sends_every_due_message_once_and_waits_for_them(fakes):
    twilio, sendgrid = fakes
    ids = _queue(20)
    assert outbox.deliver_due(limit=100, concurrency=8) == 40
    assert all(message(mid).status == "sent" for mid in ids)
    accepted = Counter(twilio.accepted_ids() + sendgrid.accepted_ids())
    assert sorted(int(i) for i in accepted) == sorted(ids) and set(accepted.values()) == {1}
    assert twilio.max_inflight > 1  # several in flight at once
