"""Waking the worker: a queued message wakes it when its transaction commits, never on a rollback."""

from __future__ import annotations

import threading
import time

import pytest

from careconnect_app.db import session_scope
from careconnect_app.messaging import wakeup
from careconnect_app.messaging.wakeup import Waiter
from tests.fakes.data import make_family, notify
from tests.support.sql import statements_sent


class Rollback(Exception):
    pass


@pytest.fixture
def waiter(database):
    waiter = Waiter(poll_seconds=5)
    waiter.wait(timeout=0.05)  # opens the LISTEN connection (PostgreSQL) and forgets earlier wake-ups
    yield waiter
    waiter.close()


def _queue_in_thread(delay: float, *, roll_back: bool = False) -> threading.Thread:
    def run():
        time.sleep(delay)
        try:
            with session_scope() as s:
                notify(s, make_family(s))
                if roll_back:
                    raise Rollback
        except Rollback:
            pass

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_committed_message_wakes_the_waiting_worker_at_once(waiter):
    thread = _queue_in_thread(0.3)
    started = time.monotonic()
    assert waiter.wait(timeout=10) is True
    assert time.monotonic() - started < 5  # woken, not the 10 s poll
    thread.join()


def test_a_rolled_back_message_does_not_wake_it(waiter):
    thread = _queue_in_thread(0.1, roll_back=True)
    assert waiter.wait(timeout=1.5) is False
    thread.join()


def test_with_nothing_queued_the_worker_sleeps_the_poll_interval(waiter):
    started = time.monotonic()
    assert waiter.wait(timeout=0.4) is False
    assert time.monotonic() - started >= 0.35


def test_a_worker_on_another_machine_is_woken_by_postgresql_and_polls_on_sqlite(waiter, database, monkeypatch):
    # Another machine: this process's in-memory wake-up does not reach it; only NOTIFY can.
    monkeypatch.setattr(wakeup, "_wake_here", lambda _session: None)
    thread = _queue_in_thread(0.2)
    assert waiter.wait(timeout=2) is (database.kind == "postgres")
    thread.join()


def test_a_message_queued_elsewhere_before_the_first_wait_is_not_missed(database, monkeypatch):
    """The worker listens before its first claim (`listen`): a message another machine queues while
    that claim runs still wakes it on PostgreSQL, instead of waiting a whole poll interval."""
    monkeypatch.setattr(wakeup, "_wake_here", lambda _session: None)
    waiter = Waiter(poll_seconds=5)
    try:
        waiter.listen()
        with session_scope() as s:
            notify(s, make_family(s))  # committed while the worker was claiming
        assert waiter.wait(timeout=1) is (database.kind == "postgres")
    finally:
        waiter.close()


def test_a_slot_freed_for_messages_with_files_also_wakes_it(waiter):
    """`also`: the worker waits for a queued message or, when messages with files have all their
    slots, for one of those slots (looked at every 0.2 s), not for the whole poll interval."""
    freed = threading.Event()
    threading.Timer(0.3, freed.set).start()
    started = time.monotonic()
    assert waiter.wait(timeout=5, also=freed.is_set) is True
    assert time.monotonic() - started < 2



def test_one_notify_per_transaction_and_each_transaction_wakes_the_other_machines(waiter, database, monkeypatch):
    """Signing queues four messages in one transaction: one NOTIFY for it (each is a round trip);
    the next transaction of the same session notifies again. SQLite has no NOTIFY (its worker is
    in the process)."""
    postgres = database.kind == "postgres"
    monkeypatch.setattr(wakeup, "_wake_here", lambda _session: None)  # only NOTIFY reaches the waiter
    def notifies(sent: list[str]) -> int:
        return sum(1 for statement in sent if "NOTIFY" in statement)

    with session_scope() as s:
        family = make_family(s)
        s.commit()
        with statements_sent(s.connection().engine) as sent:
            for _ in range(4):
                notify(s, family)
            s.commit()
            assert notifies(sent) == (1 if postgres else 0)
            assert waiter.wait(timeout=2 if postgres else 0.3) is postgres
            notify(s, family)
            s.commit()
            assert notifies(sent) == (2 if postgres else 0)
            assert waiter.wait(timeout=2 if postgres else 0.3) is postgres


def test_a_savepoint_rolled_back_does_not_swallow_the_wake_up_of_what_follows(waiter, database, monkeypatch):
    """A NOTIFY inside a savepoint that is rolled back is gone with it: a message queued after it in
    the same transaction notifies again (PostgreSQL; SQLite's worker is in the process)."""
    monkeypatch.setattr(wakeup, "_wake_here", lambda _session: None)  # only NOTIFY reaches the waiter
    with session_scope() as s:
        family = make_family(s)
        s.commit()
        try:
            with s.begin_nested():
                notify(s, family)
                raise Rollback
        except Rollback:
            pass
        notify(s, family)
    assert waiter.wait(timeout=2 if database.kind == "postgres" else 0.3) is (database.kind == "postgres")
