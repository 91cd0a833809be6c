"""Running at scale, and what happens when parts of it stop (deploy/, README "Running at scale").

Caddy (deploy/Caddyfile) in front of two app instances (`reflex run --env prod --backend-only`,
separate processes on separate ports, as if on two machines) sharing a private PostgreSQL and
Redis, and two delivery workers (`python -m careconnect_app worker`, each with its own outbox as
on its own machine). The frontend is built by deploy/build-frontend.sh for Caddy's address.

- The instance holding a parent's socket is killed mid-journey: the tab reconnects through Caddy
  to the other one and signs without verifying again and without drawing again.
- PostgreSQL stops for longer than a handler waits: the parent is told plainly and nothing is
  lost; a quick restart is not even noticed.
- Redis is down: a tap is answered with a plain message. It comes back empty: the page reloads
  itself from the database and says so; the parent redraws (the drawing lived only in the lost
  state) and signs.
- Redis comes back empty under a provider's portal page: the page loads afresh, still signed in,
  at a tap or at a click on the portal's menu; under the sign-in page, signing in opens the portal.
- Two workers never send a message twice.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from sqlmodel import func, select

from careconnect_app import i18n
from tests.e2e.conftest import PHONE, REPO_ROOT, AppServer, ParentFlow
from tests.e2e.connection import PageLoads
from tests.e2e.test_portal_journey import SUNRISE, _login
from tests.support.cluster import Cluster, wait_for

STROKES_BEFORE = 3  # strokes drawn before the failure (the helper's signature)


class ClusterServer(AppServer):
    """AppServer's helpers (fresh_link, server_db, latest_code ...) on the cluster's database,
    reading the messages every worker sent."""

    cluster: Cluster | None = None

    def read_outbox(self, kind: str | None = None, to: str | None = None) -> list[dict]:
        sent = sorted(self.cluster.messages_sent(), key=lambda m: m["id"])
        return [m for m in sent if (not kind or m["kind"] == kind) and (not to or m["to"] == to)]


@pytest.fixture(scope="module")
def cluster():
    folder = Path(tempfile.mkdtemp(prefix="cc-cluster-"))
    running = Cluster(folder, instances=2, workers=2)
    try:
        running.start()
    except BaseException:
        running.stop()
        raise
    yield running
    running.stop()


@pytest.fixture(scope="module")
def server(cluster) -> ClusterServer:
    env = {k: cluster.env[k] for k in ("DATABASE_URL", "REDIS_URL", "CARECONNECT_BASE_URL", "CARECONNECT_SECRET_KEY",
                                       "CARECONNECT_ENV", "CARECONNECT_OUTBOX", "CARECONNECT_ALLOW_DEV_DELIVERY")}
    server = ClusterServer(base_url=cluster.base_url, port=cluster.proxy_port, outbox=cluster.outbox(0),
                           db_url=env["DATABASE_URL"], env=env, log_path=cluster.folder / "app0.log",
                           tmp=cluster.folder, redis_url=env["REDIS_URL"])
    server.cluster = cluster
    return server


@pytest.fixture
def phone(browser, cluster):
    """A phone's browser tab on the public address (Caddy)."""
    context = browser.new_context(**{**PHONE, "base_url": cluster.base_url})
    context.set_default_timeout(30_000)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture
def wizard(server) -> ParentFlow:
    return ParentFlow(server)


def _served_elsewhere(cluster: Cluster, token: str, victim) -> bool:
    serving = cluster.app_serving(token)
    return serving is not None and serving is not victim


def _token(page) -> str:
    return page.evaluate("() => window.sessionStorage.getItem('token')")


def _signatures(server, request_id: int) -> list:
    from careconnect_app.models import Signature

    with server.server_db() as s:
        return list(s.exec(select(Signature).where(Signature.signing_request_id == request_id)))


def _events(server, request_id: int, event: str) -> int:
    from careconnect_app.models import AuditEvent

    with server.server_db() as s:
        return s.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.signing_request_id == request_id, AuditEvent.event == event)).one()


def _submit(page, wizard, link) -> None:
    submit = page.locator("#submit-signature")
    expect(submit).to_have_attribute("aria-disabled", "false")  # a signature and both boxes
    submit.click()
    wizard.expect_heading(page, "done.title", timeout=30_000)
    expect(page.locator("#reference")).to_have_text(re.compile(r"\S{6,}"))


def _assert_every_message_once(cluster: Cluster, server: ClusterServer) -> None:
    from careconnect_app.models import OutgoingMessage

    def marked_sent() -> set[int]:
        with server.server_db() as s:
            return set(s.exec(select(OutgoingMessage.id).where(OutgoingMessage.status == "sent")))

    sent = Counter(m["id"] for m in cluster.messages_sent())
    assert sent and max(sent.values()) == 1, [i for i, n in sent.items() if n > 1]
    # A worker writes its outbox line first and records "sent" in its next group commit: a message
    # sent a moment ago may not be marked yet. Every message sent must be marked, none twice.
    with contextlib.suppress(RuntimeError):  # not within 15 s: the assertion below says which
        wait_for(lambda: marked_sent() >= set(sent), 15, "every sent message marked sent")
    marked = marked_sent()
    now = Counter(m["id"] for m in cluster.messages_sent())  # read after: a marked message has its line
    assert max(now.values()) == 1, [i for i, n in now.items() if n > 1]
    assert set(sent) <= marked <= set(now), (set(sent) - marked, marked - set(now))


def test_parent_continues_on_the_other_instance_when_theirs_is_killed(cluster, server, phone, wizard):
    link = server.fresh_link(verification=True)
    wizard.to_sign(phone, link)
    wizard.draw_mouse(phone)
    phone.locator("#consent").click()
    expect(phone.locator("#consent")).to_have_attribute("aria-checked", "true")

    token = _token(phone)
    victim = cluster.app_serving(token)
    victim.kill()  # as a machine dies: no goodbye to the browser, its records stay in Redis

    # The tab reconnects through Caddy to the other instance, with its token (and so its state).
    wait_for(lambda: _served_elsewhere(cluster, token, victim), 45, "the tab's reconnection")
    assert _token(phone) == token
    phone.locator("#certify").click()
    expect(phone.locator("#certify")).to_have_attribute("aria-checked", "true")
    wizard.expect_heading(phone, "sign.title")  # not sent back to verify
    expect(phone.locator("#consent")).to_have_attribute("aria-checked", "true")
    _submit(phone, wizard, link)  # ready: the drawing from before the failure is still there

    (signature,) = _signatures(server, link.request_id)
    assert len(json.loads(signature.strokes_json)["strokes"]) == STROKES_BEFORE
    assert _events(server, link.request_id, "verified") == 1  # verified once, before the failure
    cluster.apps[cluster.apps.index(victim)] = restarted = cluster.restart_app(victim)
    assert restarted.proc.poll() is None
    _assert_every_message_once(cluster, server)


def test_postgres_away_then_restarted_the_parent_is_told_and_loses_nothing(cluster, server, phone, wizard):
    link = server.fresh_link(verification=True)
    wizard.to_review(phone, link)

    cluster.postgres.stop()  # longer than a handler waits for it
    phone.locator("#go-sign").click()
    expect(phone.locator("#notice")).to_have_text(wizard.t("error.unavailable"), timeout=30_000)
    wizard.expect_heading(phone, "review.title")
    cluster.postgres.start()

    wizard.go_sign(phone, link)  # the same step again: it works now
    expect(phone.locator("#notice")).to_have_count(0)
    wizard.draw_mouse(phone)
    wizard.check_boxes(phone)
    cluster.postgres.restart()  # quick: the handler's retry rides it out unseen
    _submit(phone, wizard, link)
    assert len(_signatures(server, link.request_id)) == 1
    assert _events(server, link.request_id, "verified") == 1
    _assert_every_message_once(cluster, server)


def test_redis_away_the_parent_is_told_then_back_empty_the_page_recovers(cluster, server, phone, wizard):
    refused: list[str] = []  # a message sent through eval: the CSP refuses it, the parent sees nothing
    phone.on("console", lambda message: refused.append(message.text) if "EvalError" in message.text else None)
    link = server.fresh_link(verification=True)
    wizard.to_sign(phone, link)
    wizard.draw_mouse(phone)
    wizard.tick(phone, "#consent")

    cluster.redis.stop()
    phone.locator("#certify").click()  # no state to run on: the page says so, in both languages
    for locale in ("en", "es"):
        expect(phone.locator("#service-notice")).to_contain_text(i18n.t("portal.error.unavailable", locale),
                                                                 timeout=30_000)
    phone.locator("#service-notice-ok").click()  # read: OK puts it away, with no server to answer
    expect(phone.locator("#service-notice")).to_be_empty()
    expect(phone.locator("#service-notice-ok")).to_be_hidden()
    cluster.redis.start()  # empty: every tab's state is gone
    wizard.expect_heading(phone, "sign.title")

    # The next tap runs on an empty state. Reflex rebuilds it on this old websocket, which lacks the
    # session cookie set after it opened: the page reloads, and the new socket carries the cookie.
    phone.locator("#certify").click()
    expect(phone.locator("#notice")).to_have_text(wizard.t("error.restored_redraw"), timeout=45_000)
    wizard.expect_heading(phone, "sign.title")  # still verified, review kept
    expect(phone.locator("#service-notice")).to_be_empty()  # a new page: the outage notice is gone
    # The drawing was in the lost state: SUBMIT says it is not ready.
    expect(phone.locator("#submit-signature")).to_have_attribute("aria-disabled", "true")
    wizard.draw_mouse(phone)
    wizard.tick(phone, "#consent")
    wizard.tick(phone, "#certify")  # the tap above may have reached the reloaded page
    _submit(phone, wizard, link)
    assert len(_signatures(server, link.request_id)) == 1
    assert _events(server, link.request_id, "verified") == 1
    assert not refused, refused
    _assert_every_message_once(cluster, server)


def test_redis_restarted_under_a_tap_in_flight_the_page_comes_back_verified(cluster, server, phone, wizard):
    """The tap's event meets Redis going down; the first event after it (whichever it is) rebuilds
    the state on the old websocket, without the session cookie: the page must not ask for a code."""
    link = server.fresh_link(verification=True)
    wizard.to_sign(phone, link)
    wizard.draw_mouse(phone)
    phone.locator("#consent").click()
    cluster.redis.restart()
    phone.wait_for_timeout(2_000)
    phone.locator("#certify").click()
    expect(phone.locator("#notice")).to_have_text(wizard.t("error.restored_redraw"), timeout=45_000)
    wizard.expect_heading(phone, "sign.title")
    assert _events(server, link.request_id, "verified") == 1


def _provider_desktop(cluster: Cluster, browser):
    """The demo data afresh, and a new desktop browser for the provider."""
    demo = subprocess.run([sys.executable, "-m", "careconnect_app", "demo", "--json", "--force"], cwd=REPO_ROOT,
                          env=cluster.env, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr
    context = browser.new_context(base_url=cluster.base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    return context, context.new_page()


def _provider_on_children(cluster: Cluster, browser):
    """A provider signed in on the demo data, moved to the Children page without a page load: the
    tab's websocket is the one they signed in on, so it never carried the session cookie."""
    context, page = _provider_desktop(cluster, browser)
    _login(page, cluster.base_url, SUNRISE)
    page.get_by_role("link", name="Children").click()
    return context, page


def test_redis_restarted_empty_the_provider_is_still_signed_in(cluster, server, browser):
    """Signing in happens on the tab's websocket, which therefore lacks the session cookie: a
    state rebuilt from nothing on it would send the provider to sign in again. The page loads
    afresh instead, and its new websocket carries the cookie."""
    context, page = _provider_on_children(cluster, browser)
    page.locator("#child-first").wait_for()

    def restored_load(request) -> bool:
        return request.resource_type == "document" and request.url.endswith("/portal/children?restored=1")

    # The page's next event (a tap, or anything the page sends by itself) meets a state made from
    # nothing and the page loads afresh; the tap may land before or after that load. A tap whose
    # event was in flight across the restart is lost with its lock (Reflex's LockExpiredError, seen
    # once in CI), so the provider taps again, as a person would when nothing happened.
    for attempt in range(3):
        try:
            with page.expect_request(restored_load, timeout=20_000):
                if attempt == 0:
                    cluster.redis.restart()
                with contextlib.suppress(PlaywrightError):
                    page.locator("#add-child").click(timeout=10_000)
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    expect(page).to_have_url(re.compile(r".*/portal/children$"))  # the flag is said once, then dropped
    # What was tapped may not have run: the provider is told to check.
    expect(page.locator("#service-notice")).to_have_text(i18n.t("portal.error.restored", "en"))
    page.fill("#child-first", "Ana")
    page.fill("#child-last", "Restored")
    page.click("#add-child")  # signed in: the child is added and its guardian form opens
    page.locator("#guardian-form").wait_for()
    assert page.url.endswith("/portal/children")
    context.close()


def test_redis_restarted_empty_a_link_in_the_portal_keeps_the_provider_signed_in(cluster, server, browser):
    """A click on the portal's menu after Redis came back empty: Reflex rebuilds the state and runs
    the new page's loads on the old websocket, which never carried the session cookie (signing in
    happened on it). The page loads afresh instead of asking the provider to sign in again."""
    context, page = _provider_on_children(cluster, browser)
    # The page's loads have answered (a load still running across the restart reloads the page
    # by itself, test_redis_restarted_empty_the_provider_is_still_signed_in).
    page.locator("[id^=add-guardian-]").first.wait_for()
    cluster.redis.restart()  # empty

    with page.expect_request(lambda r: r.resource_type == "document" and r.url.endswith("/portal?restored=1")):
        page.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r".*/portal$"))
    page.locator("#counts").wait_for()  # signed in: the dashboard, not the sign-in page
    expect(page.locator("#service-notice")).to_have_text(i18n.t("portal.error.restored", "en"))
    context.close()


def test_redis_restarted_empty_under_the_sign_in_page_signing_in_opens_the_portal(cluster, server, browser):
    """The sign-in meets a state made from nothing: Reflex sends the page afresh and queues its loads
    behind the sign-in, so they run on a state someone just signed in on, not on a lost one (the
    same order as a sign-in tapped while the page's first loads are still queued, seen in CI: the
    login page then reloaded itself over the portal just opened)."""
    context, page = _provider_desktop(cluster, browser)
    loads, reloads = PageLoads(page), []
    page.on("request", lambda r: reloads.append(r.url) if r.resource_type == "document" and "restored" in r.url
            else None)
    page.goto("/portal/login")
    loads.wait(1)  # the sign-in page's
    cluster.redis.restart()  # empty
    page.fill("#email", SUNRISE[0])
    page.fill("#password", SUNRISE[1])
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/portal$"))
    loads.wait(3)  # the sign-in page's again (queued behind the sign-in), and the dashboard's
    page.locator("#counts").wait_for()  # signed in: the dashboard
    assert reloads == [] and page.url.endswith("/portal"), (reloads, page.url)
    context.close()


def test_two_workers_on_two_machines_send_every_message_once(cluster, server):
    from careconnect_app.messaging import compose

    before = len(cluster.messages_sent())
    links = [server.fresh_link(verification=False) for _ in range(3)]
    with server.server_db() as s:
        from careconnect_app.models import SigningRequest

        for link in links:
            request = s.get(SigningRequest, link.request_id)
            for _ in range(40):
                compose.queue_ready_to_sign(s, request)
    expected = before + 3 * 2 + 3 * 40 * 2  # each submission's email and SMS, then 240 more
    server.wait_outbox(count=expected, timeout=120)
    per_worker = [len(json.loads(f"[{','.join(cluster.outbox(n).read_text().splitlines())}]"))
                  for n in (1, 2)]
    assert all(n > 0 for n in per_worker), per_worker  # both took a share
    _assert_every_message_once(cluster, server)


def test_pages_caddy_serves_from_the_build_carry_the_apps_security_headers(cluster):
    """Behind Caddy the portal and guide pages never pass through the app: the CSP must still hold."""
    import urllib.request

    for path in ("/", "/portal/login", "/guide"):
        with urllib.request.urlopen(cluster.base_url + path, timeout=10) as response:
            policy = response.headers.get("Content-Security-Policy", "")
            assert "script-src 'self' 'sha256-" in policy and "'unsafe-eval'" not in policy, path
            assert "frame-ancestors 'none'" in policy, path
            assert response.headers.get("Referrer-Policy") == "no-referrer", path
            assert response.headers.get("Server") is None, path
    # The signing link's first paint comes from an instance: the same scripts are allowed either way.
    with urllib.request.urlopen(cluster.base_url + "/sign/not-a-real-token", timeout=10) as response:
        signing_policy = response.headers.get("Content-Security-Policy", "")

    def scripts(csp: str) -> str:
        return next(part for part in csp.split("; ") if part.startswith("script-src"))

    assert scripts(signing_policy) == scripts(policy)
