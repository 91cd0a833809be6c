"""The app as it runs in production, for the test suites that drive it from outside (e2e, security).

Session fixtures, registered for every test folder by tests/conftest.py so one server (and one
Chromium) serves a whole run, whichever suites it collects:

``app_server``
    Starts ``reflex run --env prod`` on one free port P from the repository root with a private
    temp dir: ``DATABASE_URL=sqlite:///<tmp>/e2e.db``, ``CARECONNECT_OUTBOX=<tmp>/outbox.jsonl``,
    ``CARECONNECT_BASE_URL=http://localhost:P``, a random ``CARECONNECT_SECRET_KEY``,
    ``CARECONNECT_DEMO_ON_EMPTY=false``, ``CARECONNECT_ALLOW_DEV_DELIVERY=true`` (file outbox and http
    links in a prod build), Reflex state in a private Redis, one trusted proxy hop (a request without
    X-Forwarded-For is its own client; the security suite plays the proxy) and the fake Twilio and
    SendGrid webhook keys (tests/fakes/webhooks.py). Waits for ``/ping`` (10 min budget: the prod
    build is slow on 2 cores). Yields an :class:`AppServer`; the process group is terminated after
    the session; the server log is printed if start-up fails.
``demo``
    ``python -m careconnect_app demo --json --force`` run with the server's env, parsed.
``browser``
    Debian's Chromium (/usr/bin/chromium) through Playwright.

See tests/e2e/conftest.py for the AppServer helpers (outbox, codes, fresh links, the database).
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

from tests.fakes.webhooks import WEBHOOK_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
START_TIMEOUT = float(os.environ.get("E2E_START_TIMEOUT", 600))
CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


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
        from careconnect_app.common.formatting import local_today
        from careconnect_app.models import (
            Agency,
            AttendanceEntry,
            AttendanceSheet,
            Child,
            ChildGuardian,
            Guardian,
            Provider,
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
            # Last week on the agency's calendar, as its dashboard counts weeks (on Sunday evening in
            # California it is already Monday in UTC: UTC's last week is the agency's current one).
            today = local_today(agency.timezone)
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

    def forget_link_misses(self) -> None:
        """The browser's address starts with no unknown links counted against it. Browser tests
        share one server and one address: their junk links together would reach the guessing
        limit (20 in 10 minutes) on a quick machine and get "too many attempts" instead."""
        from careconnect_app.common import rate_limit

        with self.server_db() as s:
            for address in ("127.0.0.1", "::1"):
                rate_limit.forget(s, f"link-miss:{address}")

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
        # Portal pages ask for their session's idle time every 2 s (60 s in real use), so the
        # idle test sees a backdated session quickly.
        "CARECONNECT_PORTAL_IDLE_POLL_SECONDS": "2",
        # The security suite plays a reverse proxy (X-Forwarded-For); without one the peer is the client.
        "CARECONNECT_TRUSTED_PROXY_HOPS": "1",
        **WEBHOOK_ENV,  # the fake Twilio account and SendGrid signer may post webhooks
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

