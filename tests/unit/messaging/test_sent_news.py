"""News of a sent code: told to the waiting page when the worker's transaction commits (never on a
rollback, never for other messages), so the verify step reads the code's row once, not every poll."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from careconnect_app.db import session_scope
from careconnect_app.messaging import outbox, sent_news
from careconnect_app.pages.sign import recovery
from careconnect_app.signing import verification
from careconnect_app.statuses import MessageKind, MessageStatus
from tests.fakes.data import make_family


class Rollback(Exception):
    pass


def _queued_code() -> int:
    with session_scope() as s:
        family = make_family(s)
        sent = verification.send_code(s, family.request, family.guardian, "email")
        assert sent.ok
        return sent.message_id


async def _listening() -> sent_news.Listener:
    """The process's listener, once it hears (PostgreSQL: its LISTEN connection is up; SQLite: news
    from this process, at once)."""
    news = sent_news.listener()
    if not news.over_postgres:
        return news
    with news.waiting(0):
        for _ in range(100):
            if news.generation is not None:
                return news
            await asyncio.sleep(0.05)
    raise AssertionError("the listener never listened")


def _later(delay: float, work) -> threading.Thread:
    def run():
        time.sleep(delay)
        work()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _announce(message_id: int, kind: str, status: str, *, roll_back: bool = False) -> None:
    try:
        with session_scope() as s:
            sent_news.announce(s, {message_id: (kind, status)})
            if roll_back:
                raise Rollback
    except Rollback:
        pass


def test_news_comes_when_the_transaction_commits_and_only_then(database):
    async def scenario():
        news = await _listening()
        with news.waiting(41) as committed, news.waiting(42) as rolled_back, news.waiting(43) as other_kind:
            assert committed.trusted is (database.kind == "postgres")  # SQLite: another process may send
            threads = [_later(0.2, lambda: _announce(41, MessageKind.VERIFICATION_CODE, MessageStatus.SENT)),
                       _later(0.2, lambda: _announce(42, MessageKind.VERIFICATION_CODE, MessageStatus.FAILED,
                                                     roll_back=True)),
                       _later(0.2, lambda: _announce(43, MessageKind.READY_TO_SIGN, MessageStatus.SENT))]
            started = time.monotonic()
            assert await committed.heard(10) == "sent"
            assert time.monotonic() - started < 5  # told, not a timeout
            assert await rolled_back.heard(1.0) is None
            assert await other_kind.heard(0.2) is None
        for thread in threads:
            thread.join()

    asyncio.run(scenario())


def test_a_failed_code_is_told_as_failed(database):
    async def scenario():
        news = await _listening()
        with news.waiting(7) as waiting:
            thread = _later(0.1, lambda: _announce(7, MessageKind.VERIFICATION_CODE, MessageStatus.FAILED))
            assert await waiting.heard(10) == "failed"
        thread.join()

    asyncio.run(scenario())


def test_payloads_stay_under_postgres_limit_and_parse_back():
    news = {n: "sent" if n % 2 else "failed" for n in range(1, 3000)}
    payloads = list(sent_news._payloads(news))
    assert len(payloads) > 1 and all(len(p) <= sent_news.PAYLOAD_LIMIT for p in payloads)
    heard = {}
    for payload in payloads:
        heard.update(sent_news.parse(payload))
    assert heard == news
    assert sent_news.parse("12:sent,x:sent,13:bogus,14:failed,") == {12: "sent", 14: "failed"}


@pytest.fixture
def looks(monkeypatch):
    """The verify step's looks at the code's row."""
    seen: list[str] = []
    status_of = outbox.status_of

    def looking(session, message_id):
        seen.append(status := status_of(session, message_id))
        return status

    monkeypatch.setattr(outbox, "status_of", looking)
    return seen


async def _progress(message_id: int) -> list[str]:
    return [said async for said in recovery.code_progress(message_id)]


def test_the_verify_step_looks_once_and_is_told_when_the_worker_sent_the_code(database, looks):
    """Before: a look at 0.15 s, 0.4 s, 0.8 s ... until the code went out. Now: one look (it may
    have gone already), then the worker's news."""
    message_id = _queued_code()

    async def scenario():
        await _listening()
        worker = _later(1.2, outbox.deliver_due)  # past four of the old schedule's looks
        started = time.monotonic()
        said = await _progress(message_id)
        elapsed = time.monotonic() - started
        worker.join()
        return said, elapsed

    said, elapsed = asyncio.run(scenario())
    assert said == ["sent"]
    assert elapsed < recovery.CODE_SLOW_AFTER
    if database.kind == "postgres":
        assert looks == [MessageStatus.QUEUED]
    else:  # still on its schedule (another process may send), but told by this one before finding it
        assert looks and all(status == MessageStatus.QUEUED for status in looks)


def test_a_code_sent_before_the_page_watched_is_found_by_the_first_look(database, looks):
    message_id = _queued_code()
    outbox.deliver_due()

    async def scenario():
        await _listening()
        return await _progress(message_id)

    assert asyncio.run(scenario()) == ["sent"]
    assert looks == [MessageStatus.SENT]


def test_without_news_the_verify_step_looks_on_its_schedule(database, looks, monkeypatch):
    """A listener that hears nothing (PostgreSQL's LISTEN down, or a worker in another process on
    SQLite): the row is looked at on the CODE_CHECKS schedule, as before."""
    message_id = _queued_code()
    deaf = sent_news.Listener(database.url, over_postgres=False)
    monkeypatch.setattr(deaf, "heard", lambda news: None)
    monkeypatch.setattr(sent_news, "listener", lambda: deaf)
    monkeypatch.setattr(recovery, "CODE_CHECKS", (0.1,) * 50)

    async def scenario():
        worker = _later(0.45, outbox.deliver_due)
        said = await _progress(message_id)
        worker.join()
        return said

    assert asyncio.run(scenario()) == ["sent"]
    assert looks[0] == MessageStatus.QUEUED and sent_news.news_of(looks[-1]) == "sent" and len(looks) >= 4
