"""Waking the delivery worker when a message is queued, instead of it polling the table.

The transaction that queues a message also says so:
- on PostgreSQL with `NOTIFY careconnect_outbox`, which PostgreSQL delivers to every listening
  worker (on any machine) when that transaction commits, and never if it rolls back;
- in this process with a threading.Event set after the commit, for the worker thread that runs
  inside the web process (development, SQLite).
The worker waits for either, and polls anyway (`poll_seconds`): a notification lost while its
listening connection was down (a PostgreSQL restart) costs at most one poll interval.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import psycopg
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from careconnect_app.config import get_settings

log = logging.getLogger(__name__)
CHANNEL = "careconnect_outbox"
_queued_here = threading.Event()


def _wake_here(_session: Session) -> None:
    _queued_here.set()


def message_queued(session: Session) -> None:
    """Call in the transaction that queued a message: the workers wake when it commits."""
    # Once per transaction (PostgreSQL would fold repeats, but each is a round trip: signing
    # queues four messages). The innermost one: a savepoint rolled back takes its NOTIFY with it.
    transaction = session.get_nested_transaction() or session.get_transaction()
    if get_settings().is_postgres and session.info.get("notified_in") is not transaction:
        # On the connection: no autoflush, so messages queued unflushed are still written together.
        session.connection().execute(text(f"NOTIFY {CHANNEL}"))
        session.info["notified_in"] = transaction
    if not session.info.get("wakes_worker"):
        session.info["wakes_worker"] = True
        event.listen(session, "after_commit", _wake_here)


class Waiter:
    """Blocks the worker until a message may be due: a notification, or the poll interval."""

    def __init__(self, poll_seconds: float):
        self.poll_seconds = poll_seconds
        self._listen: psycopg.Connection | None = None
        self._retry_at = 0.0

    def _listening(self) -> psycopg.Connection | None:
        """The LISTEN connection, (re)opened when PostgreSQL is back; None on SQLite."""
        settings = get_settings()
        if not settings.is_postgres:
            return None
        if self._listen is not None and not self._listen.closed:
            return self._listen
        if time.monotonic() < self._retry_at:
            return None
        url = make_url(settings.database_url).set(drivername="postgresql")
        try:
            self._listen = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True,
                                           connect_timeout=5)
            self._listen.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            log.warning("cannot LISTEN for queued messages (%s); polling every %.1f s", exc, self.poll_seconds)
            self._listen, self._retry_at = None, time.monotonic() + self.poll_seconds * 5
        return self._listen

    def listen(self) -> None:
        """Start listening now, before the worker's first claim: a message queued by another
        process between that claim and a later LISTEN would wait a whole poll interval."""
        self._listening()

    def wait(self, timeout: float | None = None, also: Callable[[], bool] | None = None) -> bool:
        """True when woken by a queued message (or `also()` came true, looked at every 0.2 s), False
        when the interval passed."""
        timeout = self.poll_seconds if timeout is None else timeout
        if _queued_here.is_set():
            _queued_here.clear()
            return True
        connection = self._listening()
        if connection is None:
            deadline = time.monotonic() + timeout
            woken = False
            while not woken and (left := deadline - time.monotonic()) > 0:
                woken = _queued_here.wait(min(left, 0.2) if also else left) or bool(also and also())
            _queued_here.clear()
            return woken
        try:
            woken = self._wait_for_notification(connection, timeout, also)
        except psycopg.Error as exc:  # the server went away: poll until it is back
            log.warning("LISTEN connection lost (%s)", exc)
            self.close()
            return False
        _queued_here.clear()
        return woken

    @staticmethod
    def _wait_for_notification(connection: psycopg.Connection, timeout: float,
                               also: Callable[[], bool] | None) -> bool:
        """Wait for a NOTIFY, looking at the in-process event (and `also`) every 0.2 s; drain what else came."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if list(connection.notifies(timeout=min(left, 0.2), stop_after=1)):
                list(connection.notifies(timeout=0.001))  # several commits: one wake-up
                return True
            if _queued_here.is_set() or (also is not None and also()):
                return True
        return False

    def close(self) -> None:
        if self._listen is not None:
            try:
                self._listen.close()
            except psycopg.Error:
                pass
        self._listen = None
