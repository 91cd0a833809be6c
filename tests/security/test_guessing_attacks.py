"""Brute force spread over tabs and workers: every counter lives in the database, so neither a new
tab (a new Reflex state) nor another worker process starts it again."""

from __future__ import annotations

import secrets
import threading

from careconnect_app.db import session_scope
from careconnect_app.models import ParentSession
from careconnect_app.pages.sign.state import SignState
from careconnect_app.signing import links, verification
from tests.security.conftest import run


def test_code_guessing_spread_over_tabs_kills_the_code(live, fresh_link):
    """One wrong guess per tab, each tab a fresh state: after five the real code no longer works."""
    link = fresh_link(verification=True)

    async def attack():
        sender = await live.open_link(link)
        await sender.send(SignState, "start")
        await sender.send(SignState, "choose_channel", {"channel": "sms"})
        await sender.send(SignState, "send_code")
        code = live.server.latest_code(link.phone)
        await sender.close()
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(verification.MAX_TRIES_PER_CODE):
            tab = await live.open_link(link)
            await tab.send(SignState, "start")
            await tab.send(SignState, "submit_code", {"form_data": {"code": wrong}})
            await tab.close()
        last = await live.open_link(link)
        await last.send(SignState, "start")
        await last.send(SignState, "submit_code", {"form_data": {"code": code}})
        await last.until(SignState, "verify_error", lambda value: bool(value), timeout=5)
        step = last.var(SignState, "step")
        await last.close()
        return step

    assert run(attack()) == "verify"
    assert live.rows(ParentSession, ParentSession.signing_request_id == link.request_id) == []


def test_link_guessing_from_parallel_workers_is_counted(database):
    """Eight workers guessing at once from one address: the limit holds across their sessions."""
    guesser = "203.0.113.77"
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker():
        for _ in range(6):
            with session_scope() as session:
                status = links.check(session, secrets.token_urlsafe(32), ip=guesser).status
            with lock:
                outcomes.append(status)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("rate_limited") > 0
    # A burst of simultaneous misses may each see the count just under the limit, never much more.
    assert outcomes.count("unknown") <= links.UNKNOWN_TOKEN_LIMIT + len(threads)
    with session_scope() as session:
        assert links.check(session, secrets.token_urlsafe(32), ip=guesser).status == "rate_limited"
