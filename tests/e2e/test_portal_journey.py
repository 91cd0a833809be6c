"""The provider portal end to end in Chromium against the real app (prod build), desktop and phone.

One journey per viewport: log in, add a child and a guardian, record a week with an absence and a
split day, submit; the parent's message lands in the outbox; the parent signs through the link;
the sheet shows signed with the audit trail and both PDFs download. Also: recall kills the old
link, and another provider's sheet id in the URL shows "not found".

The app is the shared prod server of tests/e2e/conftest.py (`app_server`, with the `demo` data and
portal logins), unless CARECONNECT_E2E_URL points at a running app (then CARECONNECT_E2E_OUTBOX and
CARECONNECT_E2E_DB must point at its outbox file and database).
"""

from __future__ import annotations

import json
import os
import random
import re
import string
import time
from pathlib import Path

import pytest

from careconnect_app.demo import DEMO_ADMIN_TOTP_SECRET
from tests.support.totp import fresh_code

playwright_sync = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SUNRISE = ("provider@sunrise-learning.example", "sunrise-demo-2026")  # weekly, no verification
SPROUTS = ("provider@littlesprouts.example", "sprouts-demo-2026")
# Unique names per run, so the journey also runs against a long-lived development app.
RUN = "".join(random.choice(string.ascii_lowercase) for _ in range(5))

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("server_log_clean"),
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium")]


@pytest.fixture(scope="module")
def portal_app(request):
    """(base URL, outbox path, database URL) of a running app with the demo data and logins.

    The shared `app_server` + `demo` fixtures (tests/e2e/conftest.py) start the prod build once
    per session. CARECONNECT_E2E_URL (+ _OUTBOX, _DB) points the tests at an app already running.
    """
    if os.environ.get("CARECONNECT_E2E_URL"):
        return (os.environ["CARECONNECT_E2E_URL"].rstrip("/"), Path(os.environ["CARECONNECT_E2E_OUTBOX"]),
                os.environ["CARECONNECT_E2E_DB"])
    server = request.getfixturevalue("app_server")
    demo = request.getfixturevalue("demo")
    assert {login["email"] for login in demo["logins"]} >= {SUNRISE[0], SPROUTS[0]}
    return server.base_url, server.outbox, server.db_url


@pytest.fixture
def server_log_clean(request):
    """Fails the test when the server logged a Traceback while it ran (shared server only)."""
    if os.environ.get("CARECONNECT_E2E_URL"):
        yield
        return
    server = request.getfixturevalue("app_server")
    offset = server.log_size()
    yield
    assert "Traceback" not in server.log_since(offset), server.log_since(offset)[-4000:]


def _new_page(browser, viewport: str, errors: list[str]):
    ctx = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    page = ctx.new_page()
    page.set_default_timeout(20000)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return ctx, page


def _login(page, base: str, who: tuple[str, ...]) -> None:
    """Email and password, then (for a login with an authenticator key) the app's current code."""
    page.goto(base + "/portal/login")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.click("#login-submit")
    if len(who) > 2:
        page.wait_for_url(base + "/portal/login/code")
        page.fill("#two-step-code", fresh_code(who[2]))
        page.click("#two-step-submit")
    page.wait_for_url(base + "/portal")
    page.locator("#counts").wait_for()


def _search(page, text: str) -> None:
    """Type into the dashboard search once the page has its state (a late hydrate can reset it)."""
    page.locator("#counts").wait_for()
    search = page.locator("#search")
    for _ in range(5):
        search.fill(text)
        page.wait_for_timeout(800)  # the input is debounced (300 ms)
        if search.input_value() == text:
            page.wait_for_timeout(400)
            if search.input_value() == text:
                return
    raise AssertionError(f"search box kept resetting, wanted {text!r}")


def _outbox(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _wait_message(path: Path, to: str, seen: int = 0, timeout: float = 20) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [m for m in _outbox(path) if m["to"] == to and m["kind"] == "ready_to_sign"]
        if len(found) > seen:
            return found[-1]
        time.sleep(0.3)
    raise AssertionError(f"no message to {to} in the outbox")


def _link_in(message: dict) -> str:
    match = re.search(r"https?://\S+/sign/[A-Za-z0-9_\-]+", message["text"])
    assert match, message["text"]
    return match.group(0)


def _type_time(page, selector: str, value: str) -> None:
    """Type a time and leave the field, as a provider does with Tab (the grid reads it then)."""
    page.fill(selector, value)
    page.press(selector, "Tab")


def _submit_anyway(page, button: str) -> None:
    """Click a submit button; days with no record (the weekend) open a dialog: submit anyway."""
    page.click(button)
    page.click(f"{button}-dialog-confirm")


def _recall(page) -> None:
    """Recall to correct, confirmed in its dialog."""
    page.click("#recall")
    page.locator("#recall-dialog").get_by_text("new link").wait_for()
    page.click("#recall-dialog-confirm")


def _add_child_with_guardian(page, base: str, first: str, last: str, email: str) -> None:
    page.goto(base + "/portal/children")
    page.locator("#child-first").wait_for()
    page.fill("#child-first", first)
    page.fill("#child-last", last)
    page.click("#add-child")
    page.locator("#guardian-form").wait_for()
    # Bad contacts are refused in place.
    page.fill("#g-first", "Rosa")
    page.fill("#g-last", last)
    page.fill("#g-email", "not-an-email")
    page.click("#save-guardian")
    page.locator("#g-email-error").wait_for()
    page.fill("#g-email", email)
    page.fill("#g-phone", "(555) 201-0123")
    page.click("#g-notify-sms")
    page.click("#save-guardian")
    page.locator("#guardian-info").wait_for()
    card = page.locator(f'[data-child="{first} {last}"]')
    assert "(555) 201-0123" in card.inner_text()


def _record_week(page, base: str, child: str) -> str:
    """From the dashboard: start the child's sheet for the default (last) week and fill it in."""
    page.goto(base + "/portal")
    _search(page, child)
    row = page.locator(f'tr[data-child="{child}"]')
    row.wait_for()
    row.get_by_role("button").last.click()
    page.wait_for_url(re.compile(r".*/portal/sheets/\d+$"))
    sheet_id = page.url.rsplit("/", 1)[-1]
    page.locator("#page-heading").filter(has_text=child).wait_for()
    page.locator("#in-0-0").wait_for()
    # Monday 8:00-16:30, Tuesday split day, Wednesday absent (sick), Thursday bad order, then fixed.
    _type_time(page, "#in-0-0", "08:00")
    _type_time(page, "#out-0-0", "16:30")
    page.locator("#hours-0").filter(has_text="8\u00a0h\u00a030\u00a0min").wait_for()
    _type_time(page, "#in-1-0", "07:45")
    _type_time(page, "#out-1-0", "11:30")
    page.click("#add-pair-1")
    page.locator("#in-1-1").wait_for()
    _type_time(page, "#in-1-1", "13:00")
    _type_time(page, "#out-1-1", "17:15")
    page.locator("#hours-1").filter(has_text="8\u00a0h").wait_for()
    page.click("#absent-2")
    page.locator("#reason-2").wait_for()
    page.fill("#reason-2", "Sick")
    page.locator("#reason-2").blur()
    _type_time(page, "#in-3-0", "15:00")
    _type_time(page, "#out-3-0", "09:00")
    page.locator("#day-error-3").filter(has_text="Check-out must be after check-in").wait_for()
    _type_time(page, "#out-3-0", "17:00")
    page.locator("#day-error-3").wait_for(state="detached")
    _type_time(page, "#in-4-0", "08:00")
    _type_time(page, "#out-4-0", "12:00")
    page.locator("#total-hours").filter(has_text="22\u00a0h\u00a030\u00a0min").wait_for()
    assert page.locator("#days-absent").inner_text() == "1"
    # Drafts survive a reload.
    page.reload()
    page.locator("#total-hours").filter(has_text="22\u00a0h\u00a030\u00a0min").wait_for()
    playwright_sync.expect(page.locator("#reason-2")).to_have_value("Sick")
    return sheet_id


def _submit(page) -> None:
    _submit_anyway(page, "#submit-sheet")
    page.locator("#sheet-error").wait_for()  # certification is required
    page.click("#certify")
    _submit_anyway(page, "#submit-sheet")
    page.locator("#sheet-message").wait_for()
    page.locator("#recall").wait_for()


def _parent_signs(browser, viewport: str, url: str, errors: list[str]) -> str:
    ctx, page = _new_page(browser, viewport, errors)
    page.goto(url)
    page.click("#start")
    page.click("#go-sign")
    pad = page.locator("#signature-pad canvas").first
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.6)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 20 + i * (box["width"] - 40) / 11,
                        box["y"] + box["height"] * (0.3 + 0.4 * (i % 2)), steps=3)
    page.mouse.up()
    page.click("#consent")
    page.click("#certify")
    page.click("#submit-signature")
    reference = page.locator("#reference").inner_text(timeout=30000)
    ctx.close()
    return reference.strip()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_provider_to_signed_sheet(portal_app, browser, viewport):
    base, outbox, _db = portal_app
    errors: list[str] = []
    ctx, page = _new_page(browser, viewport, errors)
    _login(page, base, SUNRISE)
    suffix = ("Desk" if viewport == "desktop" else "Phone") + RUN
    child, email = f"Ana {suffix}", f"rosa.{suffix.lower()}@example.com"
    _add_child_with_guardian(page, base, "Ana", suffix, email)
    sheet_id = _record_week(page, base, child)
    _submit(page)

    message = _wait_message(outbox, email)
    link = _link_in(message)
    assert link.startswith(base + "/sign/")
    reference = _parent_signs(browser, viewport, link, errors)
    assert re.fullmatch(r"CC-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)

    page.goto(f"{base}/portal/sheets/{sheet_id}")
    page.locator("#signed-heading").wait_for()
    assert page.locator("#signed-reference").inner_text() == reference
    assert re.fullmatch(r"[0-9a-f]{64}", page.locator("#document-hash").inner_text())
    page.locator("#audit-section summary").click()  # closed by default (long on a phone)
    trail = page.locator("#audit-trail").inner_text()
    assert "Submitted by the provider" in trail and "Document signed" in trail
    assert page.locator("#signature-image").get_attribute("src").startswith("data:image/png;base64,")
    # The provider sees each message's delivery state, with the contact masked.
    page.locator("#messages-section summary").click()
    states = page.locator("#message-states").inner_text()
    assert "Signing link" in states and "Sent" in states and email not in states
    assert email[0] + "***@example.com" in states
    for button in ("#download-signed", "#download-certificate"):
        with page.expect_download() as info:
            page.click(button)
        data = Path(info.value.path()).read_bytes()
        assert data.startswith(b"%PDF")

    page.goto(base + "/portal")
    _search(page, child)
    row = page.locator(f'tr[data-child="{child}"]')
    row.wait_for()
    assert "Signed" in row.inner_text()
    with page.expect_download() as info:
        page.click("#export-csv")
    exported = Path(info.value.path()).read_text(encoding="utf-8")
    assert exported.startswith("child,guardian,period_start")
    assert any(child in line and reference in line for line in exported.splitlines())
    page.screenshot(path=str(Path(os.environ.get("PORTAL_SHOTS", "/tmp")) / f"portal-e2e-{viewport}.png"),
                    full_page=True)
    ctx.close()
    assert not errors, errors


def test_recall_kills_old_link_and_resubmit_sends_new(portal_app, browser):
    base, outbox, _db = portal_app
    errors: list[str] = []
    ctx, page = _new_page(browser, "desktop", errors)
    _login(page, base, SUNRISE)
    email = f"rosa.recall{RUN}@example.com"
    _add_child_with_guardian(page, base, "Ana", "Recall" + RUN, email)
    sheet_id = _record_week(page, base, "Ana Recall" + RUN)
    _submit(page)
    old_link = _link_in(_wait_message(outbox, email))

    # Resend right after submitting is refused (10-minute cooldown per link).
    page.locator("[id^=resend-]").first.click()
    page.locator("#sheet-error").filter(has_text="less than 10 minutes").wait_for()
    # In person on the provider's device for a sheet already sent: the wizard opens with its banner.
    page.locator("[id^=in-person-]").first.click()
    page.wait_for_url(re.compile(r".*/sign/[A-Za-z0-9_\-]+$"))
    page.get_by_text("In-person signing on the provider's device").first.wait_for()
    page.goto(f"{base}/portal/sheets/{sheet_id}")
    page.locator("#recall").wait_for()

    _recall(page)
    page.locator("#sheet-message").wait_for()
    parent = ctx.new_page()
    parent.goto(old_link)
    parent.get_by_text(re.compile("recalled|withdrawn|took back", re.I)).first.wait_for()
    parent.close()

    # Correct and submit again: a new link goes out, the old one stays dead.
    page.goto(f"{base}/portal/sheets/{sheet_id}")
    _type_time(page, "#out-4-0", "12:30")
    page.locator("#total-hours").filter(has_text="23\u00a0h").wait_for()
    page.click("#certify")
    _submit_anyway(page, "#submit-sheet")
    page.locator("#recall").wait_for()
    new_link = _link_in(_wait_message(outbox, email, seen=1))
    assert new_link != old_link
    ctx.close()
    assert not errors, errors


def test_provider_cannot_open_another_providers_sheet(portal_app, browser):
    base, _outbox, db_url = portal_app
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        sunrise_sheet = conn.execute(text(
            "select s.id from attendancesheet s join provider p on p.id = s.provider_id "
            "where p.name = 'Sunrise Learning Center' order by s.id limit 1")).scalar_one()
        sunrise_child = conn.execute(text(
            "select c.first_name || ' ' || c.last_name from attendancesheet s join child c on c.id = s.child_id "
            "where s.id = :id"), {"id": sunrise_sheet}).scalar_one()
    engine.dispose()
    errors: list[str] = []
    ctx, page = _new_page(browser, "desktop", errors)
    _login(page, base, SPROUTS)
    page.goto(f"{base}/portal/sheets/{sunrise_sheet}")
    page.locator("#sheet-not-found").wait_for()
    assert sunrise_child not in page.content()
    # Logged out: the portal sends you to the login page, and the old cookie no longer works.
    cookie = next(c for c in ctx.cookies() if c["name"] == "cc_portal_session")
    page.goto(base + "/portal")
    page.click("#logout")
    page.wait_for_url(base + "/portal/login")
    ctx.add_cookies([{**cookie}])
    page.goto(base + "/portal")
    page.wait_for_url(base + "/portal/login")
    ctx.close()
    assert not errors, errors


def _draw_and_submit(page) -> str:
    """On the wizard's sign step: draw, tick both boxes, submit; returns the reference."""
    pad = page.locator("#signature-pad canvas").first
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.6)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 20 + i * (box["width"] - 40) / 11,
                        box["y"] + box["height"] * (0.3 + 0.4 * (i % 2)), steps=3)
    page.mouse.up()
    page.click("#consent")
    page.click("#certify")
    page.click("#submit-signature")
    return page.locator("#reference").inner_text(timeout=30000).strip()


def _latest(path: Path, to: str, kind: str, timeout: float = 20) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [m for m in _outbox(path) if m["to"] == to and m["kind"] == kind]
        if found:
            return found[-1]
        time.sleep(0.3)
    raise AssertionError(f"no {kind} message to {to} in the outbox")


def test_in_person_signing_on_the_providers_device_needs_the_parents_code(portal_app, browser):
    base, outbox, _db = portal_app
    errors: list[str] = []
    ctx, page = _new_page(browser, "phone", errors)
    _login(page, base, SUNRISE)  # Harbor allows in-person signing (demo data); its links need no code
    email = f"rosa.inperson{RUN}@example.com"
    _add_child_with_guardian(page, base, "Ana", "Inperson" + RUN, email)
    sheet_id = _record_week(page, base, "Ana Inperson" + RUN)
    page.click("#certify")
    _submit_anyway(page, "#submit-in-person")
    page.wait_for_url(re.compile(r".*/sign/[A-Za-z0-9_\-]+$"))
    page.get_by_text("In-person signing on the provider's device").first.wait_for()
    page.click("#start")
    # Even here the parent proves who they are: the code goes to their own email on file.
    page.locator("#send-code").wait_for()
    assert page.locator("#go-sign").count() == 0 and page.locator("#attendance-days").count() == 0
    page.click("#channel-email")
    page.click("#send-code")
    code = re.search(r"\b(\d{6})\b", _latest(outbox, email, "verification_code")["text"]).group(1)
    page.fill("#verification-code", code)
    page.click("#verify-code")
    page.click("#go-sign")
    reference = _draw_and_submit(page)
    assert re.fullmatch(r"CC-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    assert not [m for m in _outbox(outbox) if m["to"] == email and m["kind"] == "ready_to_sign"]
    # The guardian is told, on the email and the phone on file, that it was signed in person.
    notice = _latest(outbox, email, "signed_notice")
    assert reference in notice["text"] and "in person" in notice["text"]
    assert any(m["kind"] == "signed_notice" and reference in m["text"] for m in _outbox(outbox)
               if m["channel"] == "sms")
    page.goto(f"{base}/portal/sheets/{sheet_id}")
    page.locator("#signed-heading").wait_for()
    page.locator("#provider-assisted").wait_for()
    assert "Provider-assisted" in page.locator("main").inner_text()
    page.screenshot(path=str(Path(os.environ.get("PORTAL_SHOTS", "/tmp")) / "portal-e2e-in-person.png"),
                    full_page=True)
    ctx.close()
    assert not errors, errors


def test_select_all_submits_many_and_problem_report_reaches_provider(portal_app, browser):
    base, outbox, _db = portal_app
    errors: list[str] = []
    ctx, page = _new_page(browser, "desktop", errors)
    _login(page, base, SUNRISE)
    last = "Bulk" + RUN
    emails = {}
    for first in ("Ben", "Eva"):
        emails[first] = f"{first.lower()}.{last.lower()}@example.com"
        _add_child_with_guardian(page, base, first, last, emails[first])
        page.goto(base + "/portal")
        _search(page, f"{first} {last}")
        row = page.locator(f'tr[data-child="{first} {last}"]')
        row.wait_for()
        row.get_by_role("button").last.click()
        page.wait_for_url(re.compile(r".*/portal/sheets/\d+$"))
        page.locator("#page-heading").filter(has_text=f"{first} {last}").wait_for()
        _type_time(page, "#in-0-0", "08:00")
        _type_time(page, "#out-0-0", "15:00")
        page.locator("#total-hours").filter(has_text="7\u00a0h").wait_for()
    page.goto(base + "/portal")
    _search(page, last)
    page.locator(f'tr[data-child="Eva {last}"]').wait_for()
    page.locator(f'tr[data-child="Ben {last}"]').wait_for()
    page.click("#select-all")
    _submit_anyway(page, "#submit-selected")
    page.get_by_text("Tick the certification box first.").wait_for()
    page.click("#bulk-certify")
    page.click("#select-all") if page.locator("#select-all").get_attribute("data-state") != "checked" else None
    _submit_anyway(page, "#submit-selected")
    page.locator("#bulk-info").filter(has_text="2 sheet(s) submitted").wait_for()
    for first in ("Ben", "Eva"):
        assert "Ready for parent" in page.locator(f'tr[data-child="{first} {last}"]').inner_text()
    link = _link_in(_wait_message(outbox, emails["Eva"]))
    _wait_message(outbox, emails["Ben"])

    # The parent reports a problem: the provider sees the text on the dashboard and the sheet.
    parent_ctx, parent = _new_page(browser, "phone", errors)
    parent.goto(link)
    parent.click("#start")
    parent.click("#report-problem")
    parent.fill("#problem-text", "She left at 2 pm on Monday")
    parent.click("#send-problem")
    parent.get_by_text("Your problem report was sent").wait_for()
    parent_ctx.close()
    page.reload()
    _search(page, f"Eva {last}")
    row = page.locator(f'tr[data-child="Eva {last}"]')
    row.filter(has_text="Problem reported").wait_for()
    assert "She left at 2 pm on Monday" in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/portal/sheets/\d+$"))
    page.get_by_text("Problem reported by the parent").wait_for()
    _recall(page)
    page.locator("#sheet-message").wait_for()
    _type_time(page, "#out-0-0", "14:00")
    page.locator("#total-hours").filter(has_text="6\u00a0h").wait_for()
    page.click("#certify")
    _submit_anyway(page, "#submit-sheet")
    page.locator("#recall").wait_for()
    new_link = _link_in(_wait_message(outbox, emails["Eva"], seen=1))
    assert new_link != link
    ctx.close()
    assert not errors, errors


# Valley agency: Little Sprouts only. Agency admins sign in with an authenticator code (the demo's key).
ADMIN = ("admin@valley-subsidy.example", "valley-admin-2026", DEMO_ADMIN_TOTP_SECRET)


def test_agency_admin_settings_and_scope(portal_app, browser):
    base, _outbox, db_url = portal_app
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        sunrise_sheet = conn.execute(text(
            "select s.id from attendancesheet s join provider p on p.id = s.provider_id "
            "where p.name = 'Sunrise Learning Center' order by s.id limit 1")).scalar_one()
    engine.dispose()
    errors: list[str] = []
    ctx, page = _new_page(browser, "phone", errors)
    _login(page, base, ADMIN)
    page.locator("#sheets-table").get_by_text("Little Sprouts Family Child Care").first.wait_for()
    assert "Sunrise" not in page.locator("#sheets-table").inner_text()
    page.goto(f"{base}/portal/sheets/{sunrise_sheet}")
    page.locator("#sheet-not-found").wait_for()
    page.goto(base + "/portal/settings")
    page.locator("#link-lifetime").wait_for()
    page.fill("#link-lifetime", "90")
    page.click("#save-settings")
    page.locator("#link-lifetime-error").wait_for()
    page.fill("#link-lifetime", "21")
    page.click("#save-settings")
    page.locator("#settings-info").wait_for()
    page.reload()
    playwright_sync.expect(page.locator("#link-lifetime")).to_have_value("21")
    ctx.close()
    # Provider staff have no settings page.
    ctx, page = _new_page(browser, "desktop", errors)
    _login(page, base, SPROUTS)
    page.goto(base + "/portal/settings")
    page.wait_for_url(base + "/portal")
    ctx.close()
    assert not errors, errors


def test_portal_pages_pass_axe(portal_app, browser):
    """No serious or critical axe-core violations on the portal pages (phone width)."""
    from axe_playwright_python.sync_playwright import Axe

    base, _outbox, db_url = portal_app
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        sheet = conn.execute(text(
            "select s.id from attendancesheet s join provider p on p.id = s.provider_id "
            "where p.name = 'Little Sprouts Family Child Care' order by s.id limit 1")).scalar_one()
    engine.dispose()
    axe = Axe()
    errors: list[str] = []
    ctx, page = _new_page(browser, "phone", errors)
    problems = []
    page.goto(base + "/portal/login")
    page.locator("#email").wait_for()
    for path in ("/portal/login", "/portal", "/portal/children", "/portal/settings", f"/portal/sheets/{sheet}",
                 "/portal/account"):
        if path != "/portal/login":
            page.goto(base + path)
            page.locator("#page-heading").wait_for()
            page.wait_for_timeout(500)
        for v in axe.run(page).response["violations"]:
            if v["impact"] in ("serious", "critical"):
                problems.append((path, v["id"], v["nodes"][0]["html"][:120]))
        if path == "/portal/login":
            page.fill("#email", ADMIN[0])
            page.fill("#password", ADMIN[1])
            page.click("#login-submit")
            page.wait_for_url(base + "/portal/login/code")
            for v in axe.run(page).response["violations"]:
                if v["impact"] in ("serious", "critical"):
                    problems.append(("/portal/login/code", v["id"], v["nodes"][0]["html"][:120]))
            page.fill("#two-step-code", fresh_code(ADMIN[2]))
            page.click("#two-step-submit")
            page.wait_for_url(base + "/portal")
    ctx.close()
    assert not problems, problems
    assert not errors, errors


def test_login_page_follows_the_browser_language(portal_app, browser):
    base, _outbox, _db = portal_app
    ctx = browser.new_context(locale="es-MX", viewport=VIEWPORTS["phone"])
    page = ctx.new_page()
    page.goto(base + "/portal/login")
    page.locator("#page-heading").filter(has_text="Iniciar sesión").wait_for()
    page.fill("#email", SUNRISE[0])
    page.fill("#password", "wrong-password")
    page.click("#login-submit")
    page.locator("#login-error").filter(has_text="no son correctos").wait_for()
    page.click("#portal-language")
    page.locator("#page-heading").filter(has_text="Sign in").wait_for()
    page.locator("#login-error").filter(has_text="not correct").wait_for()
    ctx.close()


def test_the_same_login_error_twice_is_read_twice(portal_app, browser):
    """A screen reader reads a live region when its text changes: the second identical error
    must still change it (by a zero-width space), and look the same."""
    base, _outbox, _db = portal_app
    ctx = browser.new_context(viewport=VIEWPORTS["phone"])
    page = ctx.new_page()
    page.goto(base + "/portal/login")
    page.fill("#email", SUNRISE[0])
    page.fill("#password", "wrong-password")
    page.click("#login-submit")
    error = page.locator("#login-error")
    error.filter(has_text="not correct").wait_for()
    first = error.text_content()
    assert error.get_attribute("role") == "alert"
    page.click("#login-submit")
    page.wait_for_function("t => document.querySelector('#login-error').textContent !== t", arg=first)
    second = error.text_content()
    assert second.replace("\u200b", "") == first.replace("\u200b", "") and second != first
    ctx.close()
