"""What every page state shares: who is calling, and running blocking work off the event loop.

Reflex serves every browser tab of a worker from one asyncio event loop. Database queries,
argon2, PDF and PNG rendering block that loop, freezing every other parent and provider on the
worker while they run. Handlers therefore `await in_session(...)` / `await off_loop(...)`: the
work runs in a thread and the loop keeps serving others. Reflex processes one event at a time
per tab, so the awaiting handler still has its own state to itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx
from sqlmodel import Session

from careconnect_app.db import session_scope

T = TypeVar("T")


async def off_loop(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run blocking work (hashing, rendering) in a worker thread."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def in_session(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run `fn(session, *args, **kwargs)` in one database session on a worker thread.

    Commits when `fn` returns, rolls back when it raises. Keep `fn` to database work and plain
    data; assign the results to state vars back in the handler.
    """

    def work() -> T:
        with session_scope() as session:
            return fn(session, *args, **kwargs)

    return await asyncio.to_thread(work)


class CallerMixin(rx.State, mixin=True):
    """The caller's address and browser, for the audit trail and the rate limits."""

    def _client(self) -> tuple[str, str]:
        ip = self.router.session.client_ip or ""
        user_agent = self.router.headers.user_agent or ""
        return ip[:64], user_agent[:512]


__all__ = ["CallerMixin", "Session", "in_session", "off_loop"]
