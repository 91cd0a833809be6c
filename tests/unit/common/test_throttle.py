"""Growing waits: counted before the check, so parallel attempts cannot all pass the same free slot."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.common import throttle
from careconnect_app.db import session_scope
from careconnect_app.models import LoginThrottle

LADDER = throttle.Ladder(free=3, cap=timedelta(minutes=5))


def test_parallel_attempts_take_the_free_slots_once(database):
    now = utcnow()
    results, barrier = [], threading.Barrier(8)

    def attempt():
        barrier.wait()
        with session_scope() as s:
            results.append(throttle.claim(s, "account:x", LADDER, now))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # At most the three free slots and the one that earns the first wait pass; the losers of a race
    # are refused (not let through uncounted): every attempt that passed is counted.
    assert 1 <= results.count(0) <= LADDER.free + 1
    with session_scope() as s:
        row = s.exec(select(LoginThrottle).where(LoginThrottle.key == "account:x")).one()
        assert row.failures == results.count(0)


def test_clear_starts_again_and_address_failures_are_forgotten(database):
    now = utcnow()
    ladder = throttle.Ladder(free=0, cap=timedelta(minutes=5), forget_after=timedelta(minutes=15))
    with session_scope() as s:
        throttle.record_failure(s, "ip:1", ladder, now)
        throttle.record_failure(s, "ip:1", ladder, now)
    with session_scope() as s:
        assert throttle.wait_seconds(s, "ip:1", ladder, now) == 2
        assert throttle.wait_seconds(s, "ip:1", ladder, now + timedelta(minutes=16)) == 0
    with session_scope() as s:
        throttle.claim(s, "account:y", LADDER, now)
        throttle.clear(s, "account:y")
        assert throttle.wait_seconds(s, "account:y", LADDER, now) == 0
