"""What every page state shares: who is calling, and running blocking work off the event loop.

Reflex serves every browser tab of a worker from one asyncio event loop. Database queries,
argon2, PDF and PNG rendering block that loop, freezing every other parent and provider on the
worker while they run. Handlers therefore `await in_session(...)` / `await off_loop(...)`: the
work runs in a thread and the loop keeps serving others. Reflex processes one event at a time
per tab, so the awaiting handler still has its own state to itself.

Two pools, sized on purpose rather than asyncio's default (min(32, CPUs + 4) threads shared by
everything): database work gets as many threads as the engine has connections, so a burst of
parents waits in line for a connection instead of piling up threads that wait inside the pool;
CPU work (PDFs) gets a couple of threads, so fifty downloads at once cannot crowd out the
database work of everyone else.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import types
import typing
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import reflex as rx
from sqlmodel import Session

from careconnect_app import i18n
from careconnect_app.common import cookie_tickets
from careconnect_app.common.client_address import client_address
from careconnect_app.config import get_settings
from careconnect_app.db import DatabaseUnavailable, run_in_session

T = TypeVar("T")
CPU_THREADS = 2
_pools: dict[str, ThreadPoolExecutor] = {}


def _pool(name: str, size: int) -> ThreadPoolExecutor:
    """One pool per purpose and process (created on first use: after Reflex forked its workers)."""
    pool = _pools.get(name)
    if pool is None:
        pool = _pools[name] = ThreadPoolExecutor(max_workers=size, thread_name_prefix=f"careconnect-{name}")
    return pool


async def _run(pool: ThreadPoolExecutor, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(pool, functools.partial(fn, *args, **kwargs))


async def off_loop(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run blocking CPU work (hashing, rendering) in a worker thread."""
    return await _run(_pool("cpu", CPU_THREADS), fn, *args, **kwargs)


async def in_session(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run `fn(session, *args, **kwargs)` in one database transaction on a database thread.

    Commits when `fn` returns, rolls back when it raises, runs it again while the database
    restarts (db.run_in_session) and raises DatabaseUnavailable when it stays away. Keep `fn` to
    database work and plain data; assign the results to state vars back in the handler.
    """
    return await _run(_pool("db", get_settings().db_pool_size), run_in_session, fn, *args, **kwargs)


RESTORED = "restored"  # query parameter of a page reloaded because its state was lost


class KnownSockets:
    """The websockets (Reflex session ids) of this process on which a page's loads ran, and those
    on which someone signed in.

    Reflex queues a page's loads behind whatever the page sent before they were queued (a tap as
    the page arrived), so a handler can run before its page's loads on a brand-new state; it can
    also meet one made from nothing because Redis lost the tab's state (restarted empty). Only on a
    socket known here is it the latter. Kept per process: a websocket's events are all handled by
    the process holding it. Bounded, oldest forgotten first: a forgotten socket is taken for a new
    one (after Redis lost its state, the page goes on as a new page would).
    """

    def __init__(self, kept: int = 50_000):
        self.kept = kept
        self._signed_in: OrderedDict[str, bool] = OrderedDict()

    def note(self, socket_id: str, signed_in: bool | None = None) -> None:
        """A page's loads ran on `socket_id` (or someone signed in or out on it: `signed_in`)."""
        if not socket_id:
            return
        was = self._signed_in.pop(socket_id, False)
        self._signed_in[socket_id] = was if signed_in is None else signed_in
        while len(self._signed_in) > self.kept:
            self._signed_in.popitem(last=False)

    def known(self, socket_id: str) -> bool:
        return socket_id in self._signed_in

    def signed_in(self, socket_id: str) -> bool:
        return self._signed_in.get(socket_id, False)


def take_language(state: rx.State, locale: str) -> bool:
    """A page's language button was pressed: show `state` in `locale`, and keep it over the browser's.

    The button sends the language it offered, not "the other one": a tap made while the page was
    still loading (and showing English) must mean what it said. False (nothing changes) for
    anything but a language of the app: the payload comes from the browser.
    """
    if i18n.chosen_locale(locale) is None:
        return False
    state.locale, state._locale_chosen = locale, True
    return True


READ_AGAIN = "\u200b"  # a zero-width space: changes a live region's text without changing what it shows


def said_again(shown: str, text: str) -> str:
    """`text` for a live region (role=status or alert) whose page shows `shown`.

    A screen reader reads a region when its text changes, so the same words twice in a row (the
    same wrong password again) would go unsaid: they get a zero-width space added, or removed.
    """
    if not text or text.rstrip(READ_AGAIN) != shown.rstrip(READ_AGAIN):
        return text
    words = text.rstrip(READ_AGAIN)
    return words if shown.endswith(READ_AGAIN) else words + READ_AGAIN


def vars_filled_by(*parts: type) -> type[rx.State]:
    """A state mixin with one var per field of the given dataclasses: same name, type and default.

    A page whose answers are read as plain dataclasses off the loop declares its vars once, there,
    and copies a part in field by field (see pages/sign/state.SignState._show).
    """
    annotations: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for part in parts:
        hints = typing.get_type_hints(part)
        for field in dataclasses.fields(part):
            annotations[field.name] = hints[field.name]
            no_default = field.default is dataclasses.MISSING
            defaults[field.name] = field.default_factory() if no_default else field.default  # type: ignore[misc]
    name = "".join(part.__name__ for part in parts) + "Vars"
    body = {"__annotations__": annotations, "__module__": __name__, "__qualname__": name, **defaults}
    return types.new_class(name, (rx.State,), {"mixin": True}, lambda namespace: namespace.update(body))


class CallerMixin(rx.State, mixin=True):
    """The caller's address and browser, for the audit trail and the rate limits."""

    def _client(self) -> tuple[str, str]:
        headers = self.router.headers.raw_headers
        # Reflex records the websocket's TCP peer as "asgi-scope-client"; the trusted proxy hops
        # decide whether X-Forwarded-For is believed (the same rule as the plain HTTP routes).
        peer = headers.get("asgi-scope-client", "") or self.router.session.client_ip or ""
        ip = client_address(peer, headers.get("x-forwarded-for", ""))
        user_agent = self.router.headers.user_agent or ""
        return ip, user_agent[:512]


class SessionCookieMixin(rx.State, mixin=True):
    """A session secret the page's scripts never see: an HttpOnly cookie sent to the event channel.

    The handler that makes a session keeps its secret in a backend-only var for this tab and
    hands it to the browser through a one-time ticket (common/cookie_tickets.py): the page's
    `session_cookie` component posts the ticket to /_session/cookie, which sets the cookie. A new
    tab or a reload reads it back from the websocket handshake's Cookie header. A step that makes
    the session on its worker thread may issue the ticket in that transaction and set
    `cookie_ticket` itself (the wizard's code check: pages/sign/actions.check_code).
    """

    # A one-time, two-minute ticket (not the secret): the page trades it for the cookie at once.
    cookie_ticket: str = ""

    def _cookie(self, name: str) -> str:
        """A cookie the browser sent with this connection's websocket handshake."""
        return cookie_tickets.cookie_value(self.router.headers.cookie, name)

    async def _hand_over_cookie(self, name: str, value: str, max_age_seconds: int) -> None:
        """Have the browser store (or, with "", delete) an HttpOnly session cookie."""
        self.cookie_ticket = await in_session(cookie_tickets.issue, name, value, max_age_seconds)

    @rx.event
    def cookie_stored(self, ok: bool):
        """The page traded its ticket (or could not): the ticket is spent either way."""
        self.cookie_ticket = ""


__all__ = ["CallerMixin", "DatabaseUnavailable", "KnownSockets", "Session", "SessionCookieMixin", "in_session",
           "off_loop"]
