"""Shared end-to-end fixtures: the prod server's helpers and a phone browser.

The server itself (``app_server``, ``demo``) and Chromium (``browser``) are session fixtures of
tests/support/live_app.py, registered for every folder by tests/conftest.py, so a run that collects
both the e2e and the security suites builds and starts the app once. Fixture names are a stable
interface (the portal tests reuse them):

``read_outbox(kind=None, to=None)``
    Messages the app "sent" (JSON lines: channel, to, subject, text, html, locale, kind, created_at).
``latest_code(to, previous=None, timeout=20)``
    The 6-digit code of the newest ``verification_code`` message to that address, read the way a
    parent reads their phone. Pass ``previous`` (an older code) to wait for a new one.
``fresh_link(...)``
    A NEW family (agency, provider, child, guardian, a week of attendance) submitted through
    ``submission.submit_sheet``: an isolated signing link per test. Returns a :class:`Link`.
``backdate(url_or_link)``
    Makes that link expired.
``server_db()``
    Context manager: a sqlmodel Session on the server's database (the test process's env, settings
    cache and engine are switched for the duration and restored afterwards).
``new_context(**overrides)`` (factory), ``context``, ``page``
    Contexts are a phone: 390x844, touch, mobile. Any ``pageerror`` in any page of a context made by
    these fixtures, or a ``Traceback`` in the server log written during the test, fails the test
    (reported at teardown).

All tests here are marked ``e2e``.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.live_app import CHROMIUM, CHROMIUM_ARGS, CODE_RE, REPO_ROOT, AppServer, Link  # noqa: F401 (the e2e tests import them here)

# In CI the browser suites share two cores with the unit suite, so a page's answer can take longer
# than Playwright's 5 s default for assertions (actions already wait 20 s).
expect.set_options(timeout=15_000)

PHONE = dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2,
             locale="en-US")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def read_outbox(app_server):
    return app_server.read_outbox


@pytest.fixture
def latest_code(app_server):
    return app_server.latest_code


@pytest.fixture
def fresh_link(app_server):
    return app_server.fresh_link


@pytest.fixture
def backdate(app_server):
    return app_server.backdate


@pytest.fixture
def server_db(app_server):
    return app_server.server_db


# --- browser ----------------------------------------------------------------------------------


@pytest.fixture
def new_context(browser, app_server, request):
    """Factory: a phone-sized browser context watched for page errors (closed after the test)."""
    contexts = []
    errors: list[str] = []
    log_offset = app_server.log_size()

    def watch(page):
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))

    def make(**overrides):
        ctx = browser.new_context(**{**PHONE, "base_url": app_server.base_url, **overrides})
        ctx.set_default_timeout(20_000)
        ctx.on("page", watch)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        with contextlib.suppress(Exception):
            ctx.close()
    problems = []
    if errors:
        problems.append("page errors:\n" + "\n".join(errors))
    new_log = app_server.log_since(log_offset)
    if "Traceback" in new_log:
        problems.append("server log has a Traceback:\n" + new_log[-6000:])
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


# --- the parent wizard, driven like a parent ---------------------------------------------------


def translations(locale: str) -> dict[str, str]:
    """translations/<locale>/parent.json (flat keys such as "landing.title")."""
    return json.loads((REPO_ROOT / "translations" / locale / "parent.json").read_text(encoding="utf-8"))


def _curvy_strokes() -> list[list[tuple[float, float]]]:
    """Three strokes of a cursive-looking name, as fractions of the pad (x, y)."""
    import math

    first = []  # a looping capital and a wave, left to right
    for i in range(60):
        t = i / 59
        first.append((0.08 + 0.38 * t + 0.05 * math.sin(t * 4 * math.pi),
                      0.52 - 0.22 * math.sin(t * 3 * math.pi) + 0.06 * math.cos(t * 9 * math.pi)))
    second = []  # a second word: a smaller wave with a loop
    for i in range(45):
        t = i / 44
        second.append((0.52 + 0.34 * t + 0.03 * math.cos(t * 6 * math.pi),
                       0.55 - 0.15 * math.sin(t * 5 * math.pi)))
    third = [(0.30 + 0.02 * i, 0.28 + 0.01 * i * (1 - i / 30)) for i in range(15)]  # a t-bar
    return [first, second, third]


class ParentFlow:
    """Drives /sign/<token> as a parent on a phone. Available as the `wizard` fixture."""

    def __init__(self, server: AppServer):
        self.server = server
        self.tr = {"en": translations("en"), "es": translations("es")}

    # --- reading the page ----------------------------------------------------------------
    def t(self, key: str, locale: str = "en") -> str:
        return self.tr[locale][key]

    def heading(self, page):
        return page.locator("#main h1")  # the app's own heading, not the first-paint preview

    def expect_heading(self, page, key: str, locale: str = "en", timeout: float = 20_000):
        from playwright.sync_api import expect

        expect(page.locator("#main h1").first).to_have_text(self.t(key, locale), timeout=timeout)

    # --- steps ---------------------------------------------------------------------------
    def open(self, page, link_or_url, expect_key: str | None = "landing.title", locale: str | None = None):
        url = link_or_url.url if isinstance(link_or_url, Link) else link_or_url
        page.goto(url)
        if expect_key:
            loc = locale or (link_or_url.locale if isinstance(link_or_url, Link) else "en")
            self.expect_heading(page, expect_key, loc)

    def start(self, page, link: Link, locale: str | None = None):
        loc = locale or link.locale
        page.locator("#start").click()
        self.expect_heading(page, "verify.title" if link.verification_required else "review.title", loc)

    def send_code(self, page, link: Link, channel: str = "sms", locale: str | None = None) -> str:
        """Choose the channel, SEND, and read the code from the phone/mailbox."""
        from playwright.sync_api import expect

        radio = page.locator(f"#channel-{channel}")
        radio.click()
        expect(radio).to_have_attribute("aria-checked", "true")
        page.locator("#send-code").click()
        expect(page.locator("#verification-code")).to_be_visible()
        return self.server.latest_code(link.phone if channel == "sms" else link.email)

    def enter_code(self, page, code: str):
        page.locator("#verification-code").fill(code)
        page.locator("#verify-code").click()

    def to_review(self, page, link: Link, channel: str = "sms", locale: str | None = None):
        loc = locale or link.locale
        self.open(page, link, locale=loc)
        self.start(page, link, loc)
        if link.verification_required:
            code = self.send_code(page, link, channel, loc)
            self.enter_code(page, code)
            self.expect_heading(page, "review.title", loc)

    def go_sign(self, page, link: Link, locale: str | None = None):
        from playwright.sync_api import expect

        page.locator("#go-sign").click()
        self.expect_heading(page, "sign.title", locale or link.locale)
        expect(page.locator("#signature-pad canvas")).to_be_visible()

    def to_sign(self, page, link: Link, channel: str = "sms", locale: str | None = None):
        self.to_review(page, link, channel, locale)
        self.go_sign(page, link, locale)

    # --- the pad ---------------------------------------------------------------------------
    def _pad_box(self, page):
        # A person draws on the tab in front of them; a tab behind another gets its timers and
        # pointer events throttled by Chromium (one stroke of the two-tab test took minutes).
        page.bring_to_front()
        canvas = page.locator("#signature-pad canvas")
        canvas.scroll_into_view_if_needed()
        page.wait_for_timeout(250)  # the pad sizes its backing store after layout (debounced)
        box = canvas.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50, box
        return box

    def draw_mouse(self, page, strokes=None):
        """A realistic signature drawn with the mouse (several curvy strokes)."""
        box = self._pad_box(page)
        for stroke in strokes or _curvy_strokes():
            x0, y0 = stroke[0]
            page.mouse.move(box["x"] + x0 * box["width"], box["y"] + y0 * box["height"])
            page.mouse.down()
            for x, y in stroke[1:]:
                page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=2)
                page.wait_for_timeout(8)
            page.mouse.up()
            page.wait_for_timeout(60)
        page.wait_for_timeout(300)

    def draw_touch(self, page, strokes=None):
        """The same signature drawn with a finger (CDP touch events: touchStart/Move/End)."""
        box = self._pad_box(page)
        cdp = page.context.new_cdp_session(page)
        try:
            for stroke in strokes or _curvy_strokes():
                pts = [{"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"],
                        "radiusX": 4, "radiusY": 4, "force": 0.5, "id": 1} for x, y in stroke]
                cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [pts[0]]})
                for p in pts[1:]:
                    page.wait_for_timeout(17)
                    cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [p]})
                cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
                page.wait_for_timeout(60)
        finally:
            cdp.detach()
        page.wait_for_timeout(300)

    def draw_line(self, page):
        """A straight horizontal line: not a signature."""
        self.draw_mouse(page, [[(0.1 + 0.8 * i / 30, 0.5) for i in range(31)]])

    def tick(self, page, selector: str) -> None:
        """Leave a box ticked, whether or not it was (a page that reloaded itself may have kept a tap)."""
        from playwright.sync_api import expect

        box = page.locator(selector)
        if box.get_attribute("aria-checked") != "true":
            box.click()
        expect(box).to_have_attribute("aria-checked", "true")

    def check_boxes(self, page):
        from playwright.sync_api import expect

        for sel in ("#consent", "#certify"):
            box = page.locator(sel)
            box.click()
            expect(box).to_have_attribute("aria-checked", "true")

    def sign_and_submit(self, page, link: Link, touch: bool = False, locale: str | None = None):
        from playwright.sync_api import expect

        (self.draw_touch if touch else self.draw_mouse)(page)
        self.check_boxes(page)
        submit = page.locator("#submit-signature")
        expect(submit).to_be_enabled()
        submit.click()
        self.expect_heading(page, "done.title", locale or link.locale)
        expect(page.locator("#reference")).to_have_text(re.compile(r"\S{6,}"))


@pytest.fixture
def wizard(app_server):
    return ParentFlow(app_server)
