"""Shared end-to-end fixtures: a real prod Reflex server, its outbox and database, and a phone browser.

Fixture names are a stable interface (the portal tests reuse them):

``app_server`` (session)
    Starts ``reflex run --env prod`` on one free port P from the repository root with a private
    temp dir: ``DATABASE_URL=sqlite:///<tmp>/e2e.db``, ``CARECONNECT_OUTBOX=<tmp>/outbox.jsonl``,
    ``CARECONNECT_BASE_URL=http://localhost:P``, a random ``CARECONNECT_SECRET_KEY`` and
    ``CARECONNECT_DEMO_ON_EMPTY=false``, ``CARECONNECT_ALLOW_DEV_DELIVERY=true`` (file outbox and http links in a
    prod build). Waits for ``/ping`` (10 min budget: the prod build is
    slow on 2 cores). Yields an :class:`AppServer` with ``base_url``, ``outbox``, ``db_url``,
    ``env``, ``log_path`` and the helpers below as methods. The process group is terminated after
    the session; the server log is printed if start-up fails.
``demo`` (session)
    ``python -m careconnect_app demo --json`` run with the server's env, parsed
    (``{"links": [...], "logins": [...]}``).
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
``browser`` (session), ``new_context(**overrides)`` (factory), ``context``, ``page``
    Playwright Chromium (/usr/bin/chromium). Contexts are a phone: 390x844, touch, mobile. Any
    ``pageerror`` in any page of a context made by these fixtures, or a ``Traceback`` in the server
    log written during the test, fails the test (reported at teardown).

All tests here are marked ``e2e``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import time as dtime
from datetime import timedelta
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2,
             locale="en-US")
START_TIMEOUT = float(os.environ.get("E2E_START_TIMEOUT", 600))
CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 (localhost only)
            return r.status, r.read()
    except Exception:  # noqa: BLE001
        return 0, b""


@dataclass
class Link:
    """A signing link made for one test."""

    url: str
    token: str
    request_id: int
    sheet_id: int
    child: str
    guardian: str
    email: str
    phone: str
    provider: str
    provider_email: str
    agency: str
    locale: str
    verification_required: bool

    @property
    def path(self) -> str:
        return "/sign/" + self.token


@dataclass
class AppServer:
    base_url: str
    port: int
    outbox: Path
    db_url: str
    env: dict
    log_path: Path
    tmp: Path
    process: subprocess.Popen | None = None
    redis_url: str = ""  # Reflex state lives in Redis, shared by several backend workers
    _counter: list = field(default_factory=lambda: [0])

    # --- server log ------------------------------------------------------------------------
    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset: int) -> str:
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")

    # --- outbox ----------------------------------------------------------------------------
    def read_outbox(self, kind: str | None = None, to: str | None = None) -> list[dict]:
        """Every message written to the outbox file (oldest first), optionally filtered."""
        if not self.outbox.exists():
            return []
        out = []
        for line in self.outbox.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                m = json.loads(line)
            except ValueError:
                continue  # a line being written right now
            if kind and m.get("kind") != kind:
                continue
            if to and m.get("to") != to:
                continue
            out.append(m)
        return out

    def wait_outbox(self, kind: str | None = None, to: str | None = None, count: int = 1,
                    timeout: float = 20) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.read_outbox(kind, to)
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"expected {count} {kind or ''} message(s) to {to}, got {found}"
                return found
            time.sleep(0.2)

    def latest_code(self, to: str, previous: str | None = None, timeout: float = 20) -> str:
        """The code in the newest verification_code message to `to` (a different one than `previous`)."""
        deadline = time.monotonic() + timeout
        while True:
            msgs = self.read_outbox("verification_code", to)
            if msgs:
                match = CODE_RE.search(msgs[-1].get("text") or "")
                if match and match.group(1) != previous:
                    return match.group(1)
            if time.monotonic() > deadline:
                raise AssertionError(f"no new verification code to {to} in the outbox: {msgs}")
            time.sleep(0.2)

    # --- database --------------------------------------------------------------------------
    @contextlib.contextmanager
    def server_db(self):
        """A committed-on-exit Session on the server's database, from the test process."""
        from careconnect_app import config, db

        saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        config.get_settings.cache_clear()
        db.reset_engine()
        try:
            with db.session_scope() as session:
                yield session
        finally:
            db.reset_engine()
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            config.get_settings.cache_clear()

    def fresh_link(self, *, verification: bool = True, locale: str = "en", email: bool = True,
                   phone: bool = True, child: tuple[str, str] | None = None,
                   guardian: tuple[str, str] | None = None) -> Link:
        """A new family with a submitted week of attendance and its own signing link."""
        from careconnect_app.clock import utcnow
        from careconnect_app.models import (
            Agency, AttendanceEntry, AttendanceSheet, Child, ChildGuardian, Guardian, Provider,
        )
        from careconnect_app.portal import submission

        self._counter[0] += 1
        uid = f"{self._counter[0]}{uuid.uuid4().hex[:6]}"
        child = child or ("Mateo", f"Test{uid}")
        guardian = guardian or (("Ana", "García") if locale == "es" else ("Marcus", "Johnson"))
        contact_email = f"parent-{uid}@example.com" if email else ""
        contact_phone = f"+1555{secrets.randbelow(10**7):07d}" if phone else ""
        provider_email = f"provider-{uid}@example.com"
        with self.server_db() as s:
            agency = Agency(name=f"Valley Child Care Subsidy Program {uid}", requires_verification=verification,
                            period_type="weekly", link_lifetime_days=14, contact_phone="+15555550100",
                            contact_email="help@valley-subsidy.example")
            s.add(agency)
            s.flush()
            provider = Provider(agency_id=agency.id, name="Little Sprouts Family Child Care", email=provider_email,
                                phone="+15555550142", address="118 Alder St, Fresno, CA")
            s.add(provider)
            s.flush()
            kid = Child(provider_id=provider.id, first_name=child[0], last_name=child[1])
            parent = Guardian(provider_id=provider.id, first_name=guardian[0], last_name=guardian[1],
                              email=contact_email, phone=contact_phone, preferred_locale=locale,
                              notify_email=bool(email), notify_sms=bool(phone))
            s.add_all([kid, parent])
            s.flush()
            s.add(ChildGuardian(child_id=kid.id, guardian_id=parent.id))
            today = utcnow().date()
            start = today - timedelta(days=today.weekday() + 7)  # Monday of last week
            sheet = AttendanceSheet(child_id=kid.id, provider_id=provider.id, period_start=start,
                                    period_end=start + timedelta(days=6))
            s.add(sheet)
            s.flush()
            for n in range(5):
                day = start + timedelta(days=n)
                if n == 2:
                    s.add(AttendanceEntry(sheet_id=sheet.id, day=day, absent=True, absence_reason="Sick"))
                elif n == 3:
                    s.add(AttendanceEntry(sheet_id=sheet.id, day=day, check_in=dtime(7, 45), check_out=dtime(11, 30)))
                    s.add(AttendanceEntry(sheet_id=sheet.id, day=day, check_in=dtime(13, 0), check_out=dtime(17, 15)))
                else:
                    s.add(AttendanceEntry(sheet_id=sheet.id, day=day, check_in=dtime(8, 0), check_out=dtime(16, 30)))
            s.flush()
            issued = submission.submit_sheet(s, sheet)
            assert len(issued) == 1
            link = issued[0]
            token = link.url.rsplit("/", 1)[-1]
            return Link(url=link.url, token=token, request_id=link.request.id, sheet_id=sheet.id,
                        child=f"{kid.first_name} {kid.last_name}", guardian=f"{guardian[0]} {guardian[1]}",
                        email=contact_email, phone=contact_phone, provider=provider.name,
                        provider_email=provider_email, agency=agency.name, locale=locale,
                        verification_required=verification)

    def backdate(self, url_or_link, *, days: int = 1) -> None:
        """Make the link expired (expires_at in the past)."""
        from careconnect_app.clock import utcnow
        from careconnect_app.signing import links

        url = url_or_link.url if isinstance(url_or_link, Link) else str(url_or_link)
        token = url.rstrip("/").rsplit("/", 1)[-1]
        with self.server_db() as s:
            request = links.find(s, token)
            assert request is not None, f"no signing request for {url}"
            request.expires_at = utcnow() - timedelta(days=days)
            s.add(request)

    def signature_count(self, request_id: int) -> int:
        from sqlmodel import func, select

        from careconnect_app.models import Signature

        with self.server_db() as s:
            return s.exec(select(func.count()).select_from(Signature)
                          .where(Signature.signing_request_id == request_id)).one()

    def request_row(self, request_id: int):
        from careconnect_app.models import SigningRequest

        with self.server_db() as s:
            return s.get(SigningRequest, request_id)


def _start_redis(tmp: Path) -> tuple[subprocess.Popen, str]:
    """A private redis-server on loopback: the app then runs as in production, several workers
    sharing Reflex state through Redis (tests/run.sh installs redis-server)."""
    import shutil

    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (tests/run.sh installs it)")
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return proc, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.2)
    _stop(proc)
    raise RuntimeError("redis-server did not start")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_server():
    """A prod Reflex server of this checkout on one free port, with its own database and outbox."""
    port = _free_port()
    tmp = Path(tempfile.mkdtemp(prefix="cc-e2e-"))
    db_path = tmp / "e2e.db"
    redis_proc, redis_url = _start_redis(tmp)
    from careconnect_app.evidence.keys import write_key_files

    env = {
        **write_key_files(tmp / "keys"),  # production needs its evidence key and seal certificate
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "CARECONNECT_OUTBOX": str(tmp / "outbox.jsonl"),
        "CARECONNECT_BASE_URL": f"http://localhost:{port}",
        "CARECONNECT_SECRET_KEY": secrets.token_urlsafe(48),
        "CARECONNECT_DEMO_ON_EMPTY": "false",
        "CARECONNECT_EMAIL_BACKEND": "file",
        "CARECONNECT_SMS_BACKEND": "file",
        "CARECONNECT_ALLOW_DEV_DELIVERY": "true",  # prod build, file outbox, http links
        "REFLEX_USE_NPM": "true",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }
    server = AppServer(base_url=f"http://localhost:{port}", port=port, outbox=Path(env["CARECONNECT_OUTBOX"]),
                       db_url=env["DATABASE_URL"], env=env, log_path=tmp / "server.log", tmp=tmp,
                       redis_url=redis_url)
    # Migrate first, so fresh_link works even before the server's lifespan task ran.
    from careconnect_app import db

    with server.server_db():
        db.migrate()
    reflex = Path(sys.executable).with_name("reflex")
    cmd = [str(reflex) if reflex.exists() else "reflex", "run", "--env", "prod",
           "--frontend-port", str(port), "--backend-port", str(port)]
    log = open(server.log_path, "wb")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    server.process = proc
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"reflex exited with {proc.returncode}")
            status, body = _get(f"{server.base_url}/ping", timeout=3)
            if status == 200:
                page_status, _ = _get(f"{server.base_url}/sign/warmup", timeout=10)
                if page_status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"no /ping answer on port {port} after {START_TIMEOUT:.0f}s")
            time.sleep(1)
    except BaseException as exc:
        _stop(proc)
        _stop(redis_proc)
        log.close()
        tail = server.log_text()[-8000:]
        print(f"\n===== reflex server log ({server.log_path}) =====\n{tail}\n=====", file=sys.stderr)
        raise RuntimeError(f"app_server failed to start: {exc}\n{tail[-3000:]}") from exc
    yield server
    _stop(proc)
    _stop(redis_proc)
    log.close()


@pytest.fixture(scope="session")
def demo(app_server):
    """The demo families (`python -m careconnect_app demo --json --force`) in the server's database.

    --force: fresh_link may already have added families to the same database."""
    out = subprocess.run([sys.executable, "-m", "careconnect_app", "demo", "--json", "--force"], cwd=REPO_ROOT,
                         env={**os.environ, **app_server.env}, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


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


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(_playwright):
    b = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


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
