"""News that a verification code went out (or could not), for the page waiting on it, so that the
page need not keep reading the message's row to find out.

The transaction that marks a code sent or failed also says so (`announce`):
- on PostgreSQL with `NOTIFY careconnect_sent`, which PostgreSQL delivers when that transaction
  commits (never on a rollback) to every web process listening on that database, on any machine;
- on SQLite, in this process once it commits (the delivery worker runs inside the web process).
Each web process listens on one connection, on a daemon thread started when a page first waits and
stopped once nobody has waited for a while, and wakes the tasks waiting on those messages.
News can be missed (the connection drops while PostgreSQL restarts; on SQLite another process may
be the one sending): a waiter only relies on it while the LISTEN connection it registered under
still holds (`Waiting.trusted`), and the page still looks at the row now and then
(pages/sign/recovery.code_progress).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Iterator

import psycopg
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from careconnect_app.config import get_settings
from careconnect_app.statuses import MessageKind, MessageStatus

log = logging.getLogger(__name__)
CHANNEL = "careconnect_sent"
WATCHED_KINDS = frozenset({MessageKind.VERIFICATION_CODE})
SENT, FAILED = "sent", "failed"  # what a page is told
_NEWS_OF = {MessageStatus.SENT: SENT, MessageStatus.DELIVERED: SENT, MessageStatus.FAILED: FAILED}
PAYLOAD_LIMIT = 7000  # characters per NOTIFY (PostgreSQL's limit is 8000 bytes)
IDLE_SECONDS = 120.0  # the listening thread stops once nobody has waited this long
RETRY_SECONDS = 2.0  # between attempts to listen again after the connection dropped
_PENDING = "careconnect_sent_news"  # session.info: SQLite's news, told once the transaction commits


def announce(session: Session, outcomes: dict[int, tuple[str, str]]) -> None:
    """Call in the transaction that moved messages on: {message id: (kind, new status)}. Only the
    kinds a page waits on, and only final news (sent, failed), is told."""
    news = {message_id: said for message_id, (kind, status) in outcomes.items()
            if kind in WATCHED_KINDS and (said := news_of(status))}
    if not news:
        return
    if get_settings().is_postgres:
        for payload in _payloads(news):
            session.connection().execute(text("SELECT pg_notify(:channel, :payload)"),
                                         {"channel": CHANNEL, "payload": payload})
        return
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = {}
        event.listen(session, "after_commit", _tell_pending)
        event.listen(session, "after_rollback", _drop_pending)
    pending.update(news)


def news_of(status: str) -> str | None:
    """What a page is told of a message in `status`: "sent", "failed", or None (not final yet)."""
    return _NEWS_OF.get(status)


def _payloads(news: dict[int, str]) -> Iterator[str]:
    parts: list[str] = []
    length = 0
    for message_id, said in news.items():
        part = f"{message_id}:{said}"
        if parts and length + len(part) > PAYLOAD_LIMIT:
            yield ",".join(parts)
            parts, length = [], 0
        parts.append(part)
        length += len(part) + 1
    yield ",".join(parts)


def parse(payload: str) -> dict[int, str]:
    """"12:sent,13:failed" -> {12: "sent", 13: "failed"} (anything malformed is left out)."""
    news = {}
    for part in payload.split(","):
        message_id, _, said = part.partition(":")
        if message_id.isdigit() and said in (SENT, FAILED):
            news[int(message_id)] = said
    return news


def _tell_pending(session: Session) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        listener().heard(dict(pending))
        pending.clear()


def _drop_pending(session: Session) -> None:
    session.info.get(_PENDING, {}).clear()


class Waiting:
    """One task's wait for news of one message (see Listener.waiting)."""

    def __init__(self, listener: Listener, future: asyncio.Future, generation: int | None):
        self._listener = listener
        self._future = future
        self._generation = generation  # the listening connection it registered under (None: none)

    @property
    def trusted(self) -> bool:
        """No news can have been missed: registered while listening, on the connection still listening."""
        return self._generation is not None and self._listener.generation == self._generation

    async def heard(self, timeout: float) -> str | None:
        """"sent" or "failed" once news came (at once if it came already), None after `timeout` seconds."""
        try:
            return await asyncio.wait_for(asyncio.shield(self._future), timeout)
        except TimeoutError:
            return None


class Listener:
    """The tasks of this process waiting on messages, and the thread that hears about them."""

    def __init__(self, database_url: str, over_postgres: bool):
        self.database_url = database_url
        self.over_postgres = over_postgres
        # Bumped for each connection that holds a LISTEN; None while none does. On SQLite never set:
        # news comes only from a worker in this process, and another process (a second web worker,
        # a separate worker) may be the one sending, so the page keeps looking on its schedule.
        self.generation: int | None = None
        self._connections = 0
        self._waiting: dict[int, list[tuple[asyncio.AbstractEventLoop, asyncio.Future]]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._last_wait = time.monotonic()
        self._stopped = False
        self._warned = False

    @contextlib.contextmanager
    def waiting(self, message_id: int) -> Iterator[Waiting]:
        """Wait for news of `message_id` from now on (register before looking at its row: nothing
        that happens after the look is missed)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._lock:
            self._waiting.setdefault(message_id, []).append((loop, future))
            self._last_wait = time.monotonic()
            if self.over_postgres and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._listen, name="sent-news", daemon=True)
                self._thread.start()
            generation = self.generation
        try:
            yield Waiting(self, future, generation)
        finally:
            with self._lock:
                waiters = self._waiting.get(message_id, [])
                if (loop, future) in waiters:
                    waiters.remove((loop, future))
                if not waiters:
                    self._waiting.pop(message_id, None)
                self._last_wait = time.monotonic()
            future.cancel()

    def heard(self, news: dict[int, str]) -> None:
        """Wake the tasks waiting on these messages (from any thread)."""
        with self._lock:
            woken = [(loop, future, news[message_id]) for message_id in news
                     for loop, future in self._waiting.get(message_id, [])]
        for loop, future, said in woken:
            with contextlib.suppress(RuntimeError):  # that task's loop has closed
                loop.call_soon_threadsafe(_settle, future, said)

    def _wanted(self) -> bool:
        with self._lock:
            if not self._stopped and (self._waiting or time.monotonic() - self._last_wait < IDLE_SECONDS):
                return True
            self._thread = None  # the next wait starts a new thread
            return False

    def stop(self) -> None:
        """Stop listening (its database is going away); waits for the thread, at most a few seconds."""
        with self._lock:
            self._stopped, thread = True, self._thread
        if thread is not None:
            thread.join(timeout=5)

    def _listen(self) -> None:
        url = make_url(self.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        while self._wanted():
            try:
                with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._connections += 1
                    self.generation, self._warned = self._connections, False
                    while self._wanted():
                        for note in connection.notifies(timeout=1.0):
                            self.heard(parse(note.payload))
                    return  # nobody waits any more (a later wait starts a new thread)
            except psycopg.Error as exc:
                if not self._warned:  # once per outage (a restart retries every 2 s)
                    log.warning("not listening for sent codes (%s); pages look at the outbox meanwhile", exc)
                self._warned = True
                time.sleep(RETRY_SECONDS)
            finally:
                self.generation = None


def _settle(future: asyncio.Future, said: str) -> None:
    if not future.done():
        future.set_result(said)


_listeners: dict[str, Listener] = {}
_listeners_lock = threading.Lock()


def listener() -> Listener:
    """This process's listener for the configured database."""
    settings = get_settings()
    with _listeners_lock:
        found = _listeners.get(settings.database_url)
        if found is None:
            found = _listeners[settings.database_url] = Listener(settings.database_url, settings.is_postgres)
        return found


def forget() -> None:
    """Stop every listener of this process (tests, before their database is dropped)."""
    with _listeners_lock:
        stopping = list(_listeners.values())
        _listeners.clear()
    for each in stopping:
        each.stop()
