"""The adversarial suite: each test is an attack, and fails if the attack works.

Two kinds of target:

- the real app in production mode (the session `app_server` of tests/support/live_app.py, shared
  with the e2e suite: Redis-backed Reflex state, one trusted proxy hop, SQLite), driven through
  its own event channel by `tests/support/event_client.py` (any handler, any payload, as any page)
  and through plain HTTP, and by Chromium where only a browser can tell (cookies, CSP);
- the HTTP routes and services on a fresh database per test (the `database` fixture of
  tests/conftest.py: SQLite, and PostgreSQL when TEST_POSTGRES_URL is set).

Every test against the live app also fails when the server logged a traceback while it ran:
an attack must be answered, never crash a handler.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from careconnect_app.pages.portal.base_state import PortalState
from careconnect_app.pages.portal.login import LoginState
from careconnect_app.pages.sign.state import SignState
from tests.fakes.sheets import weekly_draft
from tests.support.event_client import EventClient

# In CI the browser suites share two cores with the unit suite, so a page's answer can take longer
# than Playwright's 5 s default for assertions (actions already wait 20 s).
expect.set_options(timeout=15_000)

T = TypeVar("T")
SPROUTS = ("provider@littlesprouts.example", "sprouts-demo-2026")
SUNRISE = ("provider@sunrise-learning.example", "sunrise-demo-2026")
ADMIN = ("admin@valley-subsidy.example", "valley-admin-2026")
CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def pytest_collection_modifyitems(items):
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.security)


def run(coroutine: Awaitable[T]) -> T:
    """Drive an async attack from a plain test, on a loop of its own in a worker thread (Playwright's
    sync API keeps a loop running in the main thread once a browser was started)."""
    outcome: dict[str, Any] = {}

    def drive() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    worker = threading.Thread(target=drive)
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def curvy_strokes() -> dict:
    """A signature the pad would report: three curvy strokes as [x, y, t] points (not a straight line)."""
    strokes = []
    for k in range(3):
        points = []
        for i in range(40):
            t = i / 39
            points.append([round(0.1 + 0.25 * k + 0.2 * t, 4),
                           round(0.5 - 0.2 * math.sin(t * 3 * math.pi + k), 4), i * 16])
        strokes.append(points)
    return {"strokes": strokes, "width": 358, "height": 200}


def verify_in_browser(page, live, link) -> None:
    """In Chromium: open the link, start, have a code sent by SMS, read the phone, enter it."""
    page.goto(link.path)
    page.locator("#start").click()
    page.locator("#channel-sms").click()
    page.locator("#send-code").click()
    page.locator("#verification-code").fill(live.server.latest_code(link.phone))
    page.locator("#verify-code").click()


@dataclass
class Live:
    """The running app, seen from outside."""

    server: Any  # tests.support.live_app.AppServer

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def tab(self, *, client_ip: str = "", cookie: str = "") -> EventClient:
        """A new browser tab; `client_ip` is what our pretend proxy puts in X-Forwarded-For."""
        headers = {"User-Agent": "careconnect-security-suite/1.0"}
        if client_ip:
            headers["X-Forwarded-For"] = client_ip
        if cookie:
            headers["Cookie"] = cookie
        return EventClient(self.base_url, headers=headers, quiet=0.3)

    async def open_link(self, link, **tab_kw) -> EventClient:
        """A tab on the link, once its page has loaded (under load the answers can pause)."""
        client = self.tab(**tab_kw)
        await client.open(link.path)
        await client.until(SignState, "status", lambda status: status not in (None, "loading"))
        return client

    async def verify(self, client: EventClient, link) -> str:
        """Verify a tab by SMS like a parent (start, send, read the phone, submit); returns the code."""
        await client.send(SignState, "start")
        await client.send(SignState, "choose_channel", {"channel": "sms"})
        await client.send(SignState, "send_code")
        code = self.server.latest_code(link.phone)
        await client.send(SignState, "submit_code", {"form_data": {"code": code}})
        await client.until(SignState, "step", "review")
        return code

    async def portal_tab(self, who: tuple[str, str], *, path: str = "/portal/login", **tab_kw) -> EventClient:
        """A portal tab signed in as `who` (through the login form's handler), then on `path`."""
        client = self.tab(**tab_kw)
        await client.open("/portal/login")
        await client.send(LoginState, "submit", {"form_data": {"email": who[0], "password": who[1]}})
        assert await client.until(PortalState, "signed_in", True), f"could not sign in as {who[0]}"
        await client.until(PortalState, "cookie_ticket", lambda value: bool(value))
        if path != "/portal/login":
            await client.navigate(path)
        return client

    def post(self, path: str, body: bytes, headers: dict | None = None) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.base_url + path, data=body, method="POST", headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (localhost)
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, path: str) -> tuple[int, dict, bytes]:
        with urllib.request.urlopen(self.base_url + path, timeout=30) as response:  # noqa: S310 (localhost)
            return response.status, dict(response.headers), response.read()

    def rows(self, model, *where) -> list:
        with self.server.server_db() as session:
            return list(session.exec(select(model).where(*where)))

    def log_mark(self) -> int:
        return self.server.log_size()

    def log_since(self, offset: int) -> str:
        return self.server.log_since(offset)


@pytest.fixture
def live(app_server, demo) -> Live:
    """The shared prod app (with the demo providers and logins); fails the test on a server traceback."""
    offset = app_server.log_size()
    yield Live(app_server)
    new_log = app_server.log_since(offset)
    assert "Traceback" not in new_log, "the server crashed on an attack:\n" + new_log[-4000:]


@pytest.fixture
def fresh_link(app_server):
    return app_server.fresh_link


@pytest.fixture
def weekly_sheet(database) -> dict[str, int]:
    """Two providers on a fresh database; provider 1 has a child with a guardian and a filled draft (ids)."""
    return weekly_draft()


@pytest.fixture
def backdate(app_server):
    return app_server.backdate


def unique_ip() -> str:
    """A client address of the documentation range no other test uses (rate limits are per address)."""
    n = uuid.uuid4().int
    return f"198.51.{n % 200 + 1}.{(n >> 8) % 250 + 1}"


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


AsyncAttack = Callable[..., Awaitable[Any]]
