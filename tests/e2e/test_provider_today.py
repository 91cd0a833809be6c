"""The provider's phone: today's board in Chromium with a phone context, online and offline.

A new provider per test (three children with a guardian each, a staff login, an agency in Los
Angeles, weekly periods); the phone runs on the agency's clock. The journey checks three children
in and out (two pairs in one day for one of them) as the minutes pass, goes offline, taps, reloads
the page offline (the shell opens from the service worker), taps again, comes back online, and
checks that every tap was recorded once with its original time, that the period's sheet shows the
same times, and that submitting it sends the parent's link as before.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.support.event_client import EventClient

PASSWORD = "door-password-2026"
CHILDREN = [("Mateo", "García"), ("Olivia", "Johnson"), ("Sofía", "Hernández")]
LABEL = {"check_in": "Check in", "check_out": "Check out"}
ZONE = "America/Los_Angeles"


def _provider(server) -> dict:
    """A provider of its own with three children, their guardians and a staff login."""
    from careconnect_app.models import Agency, Child, ChildGuardian, Guardian, Provider
    from careconnect_app.portal import accounts

    uid = uuid.uuid4().hex[:8]
    with server.server_db() as s:
        agency = Agency(name=f"Door Agency {uid}", requires_verification=False, period_type="weekly", timezone=ZONE)
        s.add(agency)
        s.flush()
        provider = Provider(agency_id=agency.id, name=f"Door Provider {uid}", email=f"door-{uid}@example.com")
        s.add(provider)
        s.flush()
        children, emails = {}, {}
        for first, last in CHILDREN:
            child = Child(provider_id=provider.id, first_name=first, last_name=last)
            parent = Guardian(provider_id=provider.id, first_name="Pat", last_name=last, notify_sms=False,
                              email=f"pat-{first.lower()}-{uid}@example.com")
            s.add_all([child, parent])
            s.flush()
            s.add(ChildGuardian(child_id=child.id, guardian_id=parent.id))
            children[f"{first} {last}"], emails[f"{first} {last}"] = child.id, parent.email
        user = accounts.create_user(s, email=f"staff-{uid}@example.com", name="Door staff", password=PASSWORD,
                                    role="provider", agency_id=agency.id, provider_id=provider.id)
        return {"provider": provider.id, "children": children, "emails": emails, "login": user.email,
                "user": user.id}


def _login(page, email: str) -> None:
    page.goto("/portal/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/portal")


def _open_board(page) -> None:
    page.goto("/portal/today")
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "online", timeout=30_000)
    expect(page.locator("#board li.tb-card")).to_have_count(3)


def _at_the_door(server, new_context):
    """A new provider, and its staff signed in on a phone showing today's board: (door, context, page)."""
    door = _provider(server)
    context = new_context(timezone_id=ZONE)
    page = context.new_page()
    _login(page, door["login"])
    _open_board(page)
    return door, context, page


def _tap(page, child: str, action: str) -> None:
    card = page.locator(f'li[data-child="{child}"]')
    button = card.get_by_role("button", name=f"{LABEL[action]} {child}", exact=True)
    expect(button).not_to_have_attribute("aria-disabled", "true")  # a double tap is one tap
    button.click()
    after = "check_out" if action == "check_in" else "check_in"
    expect(card.get_by_role("button", name=f"{LABEL[after]} {child}", exact=True)).to_be_visible()


def _all_sent(page) -> None:
    status = page.locator("#sync-status")
    expect(status).to_have_attribute("data-state", "online", timeout=30_000)
    expect(status).to_have_attribute("data-waiting", "0", timeout=30_000)
    expect(status).to_have_text("Connected. Every tap is saved.")


def _next_minute() -> None:
    """Wait until the clock has passed into the next minute (a pair needs its out after its in)."""
    time.sleep(60.5 - time.time() % 60)


def _clear_of_midnight(minutes: float) -> None:
    """When the agency's midnight is less than `minutes` away, wait for the new day: the board starts
    a new day (and on Sunday night a new week's sheet) at midnight in Los Angeles."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo(ZONE))
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    left = midnight.timestamp() - now.timestamp()
    if left < minutes * 60:
        time.sleep(left + 2)


def _taps(server, provider_id: int) -> list:
    from sqlmodel import select

    from careconnect_app.models import AttendanceTap

    with server.server_db() as s:
        return list(s.exec(select(AttendanceTap).where(AttendanceTap.provider_id == provider_id)
                           .order_by(AttendanceTap.id)))


def test_a_day_at_the_door_online_and_offline(app_server, new_context):
    from careconnect_app.clock import utcnow

    _clear_of_midnight(minutes=6)  # the journey (up to 4 minutes) on one day of the board
    door, context, page = _at_the_door(app_server, new_context)
    mateo, olivia, sofia = (f"{first} {last}" for first, last in CHILDREN)

    # Three children in and out; Mateo twice (his second pair starts the minute his first ends).
    for child in (mateo, olivia, sofia):
        _tap(page, child, "check_in")
    _next_minute()
    _tap(page, mateo, "check_out")
    _tap(page, olivia, "check_out")
    _tap(page, mateo, "check_in")
    _next_minute()
    _tap(page, mateo, "check_out")
    _tap(page, sofia, "check_out")
    _all_sent(page)
    assert len(_taps(app_server, door["provider"])) == 8

    # Offline: a tap, a reload (the shell opens from the service worker), another tap on the copy.
    context.set_offline(True)
    before_offline_tap = utcnow()
    _tap(page, olivia, "check_in")
    after_offline_tap = utcnow()
    expect(page.locator("#sync-status")).to_have_attribute("data-waiting", "1")
    page.reload()
    expect(page.locator("#page-heading")).to_have_text("Today")
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "offline")
    expect(page.locator("#sync-status")).to_contain_text("1 tap(s) waiting")
    card = page.locator(f'li[data-child="{olivia}"]')
    expect(card.locator(".tb-waiting")).to_contain_text("saved on this device, not sent yet")
    _next_minute()
    before_second = utcnow()
    _tap(page, olivia, "check_out")
    after_second = utcnow()
    expect(page.locator("#sync-status")).to_contain_text("2 tap(s) waiting")
    time.sleep(3)  # they wait a while on the device
    assert len(_taps(app_server, door["provider"])) == 8
    context.set_offline(False)
    _all_sent(page)

    # Every tap once, the offline ones at their own time and marked so.
    taps = _taps(app_server, door["provider"])
    assert len(taps) == 10 and len({t.idempotency_key for t in taps}) == 10
    assert all(t.outcome == "recorded" for t in taps)
    offline = [t for t in taps if t.offline]
    assert [(t.child_id, t.action) for t in offline] == [(door["children"][olivia], "check_in"),
                                                          (door["children"][olivia], "check_out")]
    slack = timedelta(seconds=2)
    # A waiting tap counts at its arrival minus its wait on the phone: later than the tap by the time
    # the batch took to reach the server and be handled (seconds on a busy machine), never earlier.
    transit = timedelta(seconds=10)
    first, second = sorted(offline, key=lambda t: t.tapped_at)
    assert before_offline_tap - slack <= first.tapped_at <= after_offline_tap + slack + transit
    assert before_second - slack <= second.tapped_at <= after_second + slack + transit
    assert all(t.received_at - t.tapped_at >= timedelta(seconds=3) for t in offline)
    assert all(not t.offline and t.received_at == t.tapped_at for t in taps if t not in offline)
    _audit_marks_offline_taps(app_server, taps)

    # The week's sheet shows the same times; submitting it sends the parent's link as before.
    _sheet_shows_the_taps(page, app_server, [t for t in taps if t.child_id == door["children"][mateo]])
    page.click("#certify")
    page.click("#submit-sheet")
    page.click("#submit-sheet-dialog-confirm")  # the week's other days have no record: submit anyway
    page.locator("#sheet-message").wait_for()
    message = app_server.wait_outbox("ready_to_sign", door["emails"][mateo])[-1]
    assert "/sign/" in message["text"]

    # The submitted week's days cannot be tapped any more, and the board says so.
    _open_board(page)
    card = page.locator(f'li[data-child="{mateo}"]')
    expect(card.locator(".tb-locked")).to_contain_text("This period's sheet was submitted")
    expect(card.get_by_role("button", name=f"Check in {mateo}")).to_have_count(0)


def _audit_marks_offline_taps(server, taps) -> None:
    from careconnect_app.common import audit

    with server.server_db() as s:
        events = [e for sheet_id in {t.sheet_id for t in taps} for e in audit.events_for_sheet(s, sheet_id)]
    tapped = [json.loads(e.detail) for e in events if e.event == "attendance_tapped"]
    assert len(tapped) == len(taps)
    assert sorted(d["tap"] for d in tapped if d["offline"]) == sorted(t.idempotency_key for t in taps if t.offline)


def _sheet_shows_the_taps(page, server, taps) -> None:
    from careconnect_app.common.formatting import NBSP, format_time

    day = taps[0].day.isoformat()
    page.goto(f"/portal/sheets/{taps[0].sheet_id}")
    row = page.locator(f'[data-day="{day}"]')
    expect(row.locator("input").first).not_to_have_value("")
    shown = row.locator("input[id^='in-'], input[id^='out-']").evaluate_all("els => els.map(e => e.value)")
    by_time = sorted(taps, key=lambda t: t.tapped_at)
    expected = [format_time(t.local_time, "en").replace(NBSP, " ") for t in by_time]
    assert shown == expected, (shown, expected)


def test_a_mistaken_tap_is_corrected_with_a_reason(app_server, new_context):
    _clear_of_midnight(minutes=4)  # the tap in before 23:58, the time the correction sets, on one day
    door, _context, page = _at_the_door(app_server, new_context)
    child = "Sofía Hernández"
    _tap(page, child, "check_in")
    _tap(page, child, "check_out")
    _all_sent(page)
    card = page.locator(f'li[data-child="{child}"]')
    card.get_by_role("button", name="Correct", exact=False).first.click()
    expect(page.locator("#fix-dialog")).to_be_visible()
    page.fill("#fix-out", "23:58")
    page.fill("#fix-reason", "Tapped out by mistake")
    page.click("#fix-save")
    expect(page.locator("#board-info")).to_have_text("Correction saved.")
    expect(card.locator(".tb-times")).to_contain_text("Out 11:58")
    from sqlmodel import select

    from careconnect_app.models import AuditEvent

    taps = _taps(app_server, door["provider"])
    with app_server.server_db() as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.sheet_id == taps[0].sheet_id,
                                                AuditEvent.event == "attendance_corrected")).one()
    detail = json.loads(event.detail)
    assert detail["reason"] == "Tapped out by mistake" and detail["via"] == "board"
    assert detail["after"].endswith("23:58") and event.user_id == door["user"]


def test_a_tap_whose_session_ended_offline_waits_for_a_sign_in(app_server, new_context):
    from sqlmodel import update

    from careconnect_app.clock import utcnow
    from careconnect_app.models import PortalSession

    door, context, page = _at_the_door(app_server, new_context)
    context.set_offline(True)
    _tap(page, "Mateo García", "check_in")
    with app_server.server_db() as s:  # the session ends while the phone is offline
        s.exec(update(PortalSession).where(PortalSession.user_id == door["user"]).values(revoked_at=utcnow()))
    context.set_offline(False)
    status = page.locator("#sync-status")
    expect(status).to_contain_text("Your session has ended. 1 tap(s) are waiting", timeout=30_000)
    assert _taps(app_server, door["provider"]) == []
    page.locator("#sign-in-to-send").click()
    page.fill("#email", door["login"])
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/portal")
    page.goto("/portal/today")
    _all_sent(page)
    taps = _taps(app_server, door["provider"])
    assert [(t.action, t.offline, t.outcome) for t in taps] == [("check_in", True, "recorded")]


def _manifest_is_complete(server) -> None:
    import urllib.request

    with urllib.request.urlopen(server.base_url + "/manifest.webmanifest") as answer:  # noqa: S310
        manifest = json.loads(answer.read())
    assert manifest["start_url"] == "/portal/today" and manifest["scope"] == "/portal/"
    assert manifest["display"] == "standalone" and manifest["name"] and manifest["short_name"]
    assert manifest["theme_color"] and manifest["background_color"]
    sizes = set()
    for icon in manifest["icons"]:
        with urllib.request.urlopen(server.base_url + icon["src"]) as answer:  # noqa: S310
            body = answer.read()
        assert answer.headers["Content-Type"] == "image/png" and body.startswith(b"\x89PNG")
        width, height = int.from_bytes(body[16:20], "big"), int.from_bytes(body[20:24], "big")
        assert f"{width}x{height}" == icon["sizes"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes and any(i.get("purpose") == "maskable" for i in manifest["icons"])


@pytest.fixture
def installed_profile(_playwright, app_server, tmp_path):
    """A phone with a real browser profile: Chromium never offers to install in a private window,
    which is what a test's ordinary context is."""
    from tests.e2e.conftest import PHONE
    from tests.support.live_app import CHROMIUM, CHROMIUM_ARGS

    context = _playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
        base_url=app_server.base_url, timezone_id=ZONE, **PHONE)
    errors: list[str] = []
    context.on("page", lambda page: page.on("pageerror", lambda exc: errors.append(str(exc))))
    yield context
    context.close()
    assert not errors, errors


def test_the_portal_is_installable_and_its_worker_keeps_no_personal_data(app_server, installed_profile,
                                                                          fresh_link):
    _manifest_is_complete(app_server)
    door = _provider(app_server)
    context = installed_profile
    page = context.new_page()
    _login(page, door["login"])
    _open_board(page)
    # The browser offers to install: the hint shows its "Install" button (until dismissed).
    expect(page.locator("#install-app")).to_have_text("Install", timeout=20_000)
    expect(page.locator("#install-hint")).to_contain_text("Install CareConnect Sign on this phone")
    expect(page.locator("#install-hint")).to_contain_text("Open today's board from your home screen")
    page.click("#install-dismiss")
    expect(page.locator("#install-hint")).to_have_count(0)
    page.evaluate("async () => { await navigator.serviceWorker.ready; return true; }")
    page.reload()
    _open_board(page)
    worker = page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        return {scope: registration.scope, script: registration.active.scriptURL,
                controller: navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL};
    }""")
    assert worker == {"scope": app_server.base_url + "/portal/", "script": app_server.base_url + "/sw.js",
                      "controller": app_server.base_url + "/sw.js"}
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    assert cdp.send("Page.getAppManifest")["errors"] == []
    cdp.detach()

    # start_url answers offline from the cache.
    context.set_offline(True)
    answer = page.goto("/portal/today")
    assert answer.ok and answer.from_service_worker
    expect(page.locator("#page-heading")).to_have_text("Today")
    context.set_offline(False)

    # The worker kept only the build's files and the board's empty shell: no names, no answers.
    kept = page.evaluate("""async () => {
        const paths = [];
        for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
        }
        const shell = await (await caches.match('/portal/today')).text();
        return {paths, shell};
    }""")
    assert "/portal/today" in kept["paths"]
    for path in kept["paths"]:
        assert path == "/portal/today" or path.startswith(("/assets/", "/icons/")) or path in (
            "/careconnect.css", "/favicon.ico", "/manifest.webmanifest"), path
    for name in ("Mateo", "García", door["login"]):
        assert name not in kept["shell"]

    # The parents' signing pages are outside the worker's scope.
    link = fresh_link(verification=False)
    page.goto(link.url)
    expect(page.locator("#main h1").first).to_be_visible()
    assert page.evaluate("() => navigator.serviceWorker.controller") is None


def test_the_event_channel_refuses_taps_without_a_session_or_for_other_children(app_server):
    from careconnect_app.pages.portal.today import TodayState

    door = _provider(app_server)
    child_id = next(iter(door["children"].values()))
    tap = {"key": str(uuid.uuid4()), "child_id": child_id, "action": "check_in",
           "tapped_at": int(time.time() * 1000), "sent_at": int(time.time() * 1000), "offline": False}

    async def attempt():
        client = EventClient(app_server.base_url)
        try:
            await client.open("/portal/today")
            assert client.var(TodayState, "board_status") == "signed_out"
            await client.send(TodayState, "sync", {"taps_sent": [tap, {"key": "junk"}, "x"]})
            await client.send(TodayState, "sync", {"taps_sent": "not a list"})
            await client.send(TodayState, "open_correction", {"entry_id": "1"})
            return client.var(TodayState, "acks"), client.var(TodayState, "cards")
        finally:
            await client.close()

    # Its own thread: Playwright's sync API already runs an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        acks, cards = pool.submit(asyncio.run, attempt()).result()
    assert acks in (None, []) and cards in (None, [])
    assert _taps(app_server, door["provider"]) == []



@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_board_is_accessible_on_a_phone_and_at_200_percent(app_server, new_context, locale):
    from tests.e2e.test_accessibility import serious_axe_violations, unnamed_controls

    door, context, page = _at_the_door(app_server, new_context)
    _tap(page, "Mateo García", "check_in")
    _all_sent(page)
    if locale == "es":
        page.click("#portal-language")
        expect(page.locator("#page-heading")).to_have_text("Hoy")
    # A tap waiting offline and the absence form open: every state of a card on screen at once.
    context.set_offline(True)
    page.locator('li[data-child="Olivia Johnson"] button.tb-main').click()
    page.locator('li[data-child="Sofía Hernández"] [data-action="absent"]').click()
    expect(page.locator(".tb-absent")).to_be_visible()
    checked_in = {"en": "Check out Mateo García", "es": "Registrar salida de Mateo García"}[locale]
    expect(page.get_by_role("button", name=checked_in, exact=True)).to_be_visible()
    problems, unnamed = serious_axe_violations(page), unnamed_controls(page)
    assert not problems and not unnamed, (problems, unnamed)
    small = [box for box in page.locator("#board button").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [e.innerText, r.width, r.height]; })")
        if box[1] < 44 or box[2] < 44]
    assert not small, small
    # 200 % zoom on the phone: 195 CSS px, nothing scrolls sideways.
    page.set_viewport_size({"width": 195, "height": 422})
    page.wait_for_timeout(300)
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1] + 1, width
    context.set_offline(False)
