"""The provider portal for daily use, in Chromium at 390x844 and 1280 wide, in English and Spanish.

- a month entered fast: typed times ("745a", "4p"), "same as previous day", a weekly schedule that
  keeps the exceptions, the grid validating in place, 44 px inputs, the days with no record named
  before submit; the sheet page's height at 390 px (printed, and under 12,000 px);
- times in the agency's zone (no "...Z"), audit and messages collapsed, recall asks first;
- overdue deadlines flagged; the agency admin reads sheets only (the page and the handlers);
- staff logins: invite by email, the one-time link, deactivate (signed out at once);
- children edited, deactivated, reactivated, a guardian unlinked, each in the audit trail;
- axe: no serious or critical violations on every portal page, both languages, both widths;
- a misconfigured start lists its problems and stops before "App running".
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import time as dtime
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from careconnect_app.demo import DEMO_ADMIN_TOTP_SECRET
from tests.support.totp import fresh_code

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("PORTAL_SHOTS", "/tmp/portal-shots"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SPROUTS = ("provider@littlesprouts.example", "sprouts-demo-2026")  # Valley agency, monthly, owner
# Agency admins sign in with an authenticator code too (the demo admin's key).
ADMIN = ("admin@valley-subsidy.example", "valley-admin-2026", DEMO_ADMIN_TOTP_SECRET)
CASES = [("en", "phone"), ("es", "desktop")]
TR = {loc: json.loads((ROOT / "translations" / loc / "portal.json").read_text(encoding="utf-8")) for loc in ("en", "es")}
ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z")


def shot(page, name: str) -> None:
    """A full-page screenshot to look at (an artifact: a slow capture on a busy machine is not a failure)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, timeout=60_000)
    except Exception as exc:  # noqa: BLE001
        print(f"screenshot {name} not taken: {exc}")


def browser_page(new_context, viewport: str, locale: str):
    size = PHONE if viewport == "phone" else DESKTOP
    phone = viewport == "phone"
    ctx = new_context(viewport=size, is_mobile=phone, has_touch=phone, locale="es-MX" if locale == "es" else "en-US",
                      accept_downloads=True)
    return ctx.new_page()


def login(page, who: tuple[str, ...], locale: str) -> None:
    page.goto("/portal/login")
    page.locator("#email").wait_for()
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.click("#login-submit")
    if len(who) > 2:  # the authenticator app's code after the password
        page.wait_for_url(re.compile(r".*/portal/login/code$"))
        page.fill("#two-step-code", fresh_code(who[2]))
        page.click("#two-step-submit")
    page.wait_for_url(re.compile(r".*/portal$"))
    page.locator("#counts").wait_for()
    if locale == "es" and page.locator("html [lang='es']").count() == 0:
        page.click("#portal-language")
    expect(page.locator(f"html [lang='{locale}']").first).to_be_attached()


def language(page, locale: str) -> None:
    """Switch the page to `locale` if it is in the other one."""
    if page.locator(f"html [lang='{locale}']").count() == 0:
        page.click("#portal-language")
        # The roster re-reads every family the suite made so far: give it more than the default 5 s.
        expect(page.locator(f"html [lang='{locale}']").first).to_be_attached(timeout=15_000)


def typed(page, selector: str, value: str) -> None:
    page.fill(selector, value)
    page.press(selector, "Tab")


def family(server, *, months_back: int = 1, submit: bool = False, fill: bool = True):
    """A child of the demo provider with a guardian and a sheet for a past month: (sheet id, child, guardian id, url).

    The provider is found by the SPROUTS login, not by name: `fresh_link` adds providers of the same name."""
    from sqlmodel import select

    from careconnect_app.common.formatting import local_today
    from careconnect_app.models import (
        Agency,
        AttendanceEntry,
        AttendanceSheet,
        Child,
        ChildGuardian,
        Guardian,
        PortalUser,
        Provider,
    )
    from careconnect_app.portal import submission

    uid = secrets.token_hex(3)
    with server.server_db() as s:
        login = s.exec(select(PortalUser).where(PortalUser.email == SPROUTS[0])).one()
        prov = s.get(Provider, login.provider_id)
        kid = Child(provider_id=prov.id, first_name="Lucía", last_name=f"Daily{uid}")
        parent = Guardian(provider_id=prov.id, first_name="Rosa", last_name=f"Daily{uid}", email=f"rosa-{uid}@example.com",
                          phone=f"+1555{secrets.randbelow(10**7):07d}", notify_email=True, notify_sms=True)
        s.add_all([kid, parent])
        s.flush()
        s.add(ChildGuardian(child_id=kid.id, guardian_id=parent.id))
        # Months on the agency's calendar, as the dashboard counts them (UTC is a day ahead of Los
        # Angeles in the evening: on the 1st, "last month" in UTC is the dashboard's current month).
        today = local_today(s.get(Agency, prov.agency_id).timezone)
        end = today.replace(day=1) - timedelta(days=1)
        for _ in range(months_back - 1):
            end = end.replace(day=1) - timedelta(days=1)
        sheet = AttendanceSheet(child_id=kid.id, provider_id=prov.id, period_start=end.replace(day=1), period_end=end)
        s.add(sheet)
        s.flush()
        day = sheet.period_start
        while fill and day <= end:
            if day.weekday() < 5:
                s.add(AttendanceEntry(sheet_id=sheet.id, day=day, check_in=dtime(7, 45), check_out=dtime(16)))
            day += timedelta(days=1)
        s.flush()
        url = submission.submit_sheet(s, sheet)[0].url if submit else ""
        return sheet.id, kid.full_name, parent.id, url


def open_sheet(new_context, viewport: str, locale: str, sheet_id: int, ready: str):
    """A provider of Little Sprouts on one sheet, in `locale`, once `ready` is on the page."""
    page = browser_page(new_context, viewport, locale)
    login(page, SPROUTS, locale)
    page.goto(f"/portal/sheets/{sheet_id}")
    page.locator(ready).wait_for()
    language(page, locale)
    return page


def page_height(page) -> int:
    page.wait_for_timeout(800)
    return page.evaluate("document.documentElement.scrollHeight")


# --- entering a month fast ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale,viewport", CASES)
def test_a_month_entered_fast_and_checked_before_submit(app_server, demo, new_context, locale, viewport):
    t = TR[locale]
    sheet_id, _child, _guardian, _url = family(app_server, fill=False)
    page = open_sheet(new_context, viewport, locale, sheet_id, "#in-0-0")
    days = page.locator(".pt-day")
    weekdays = [i for i in range(10) if days.nth(i).get_attribute("data-weekend") == "false"]
    weekday_index, second, third, fourth = weekdays[:4]

    # Keyboard entry: "745a" and "4p" are read when the field is left, and shown as the page writes times.
    typed(page, f"#in-{weekday_index}-0", "745a")
    typed(page, f"#out-{weekday_index}-0", "4p")
    expect(page.locator(f"#hours-{weekday_index}")).to_have_text(re.compile(r"8\s*h\s*15\s*min"))
    am = "7:45 AM" if locale == "en" else "7:45 a. m."
    expect(page.locator(f"#in-{weekday_index}-0")).to_have_value(am)
    # The grid validates in place: a bad time stays as typed, marked, with the message beside it.
    typed(page, f"#in-{second}-0", "7:4x")
    expect(page.locator(f"#day-error-{second}")).to_have_text(t["attendance.error.bad_time"])
    expect(page.locator(f"#in-{second}-0")).to_have_attribute("aria-invalid", "true")
    typed(page, f"#in-{second}-0", "")
    expect(page.locator(f"#day-error-{second}")).to_have_count(0)
    # "Same as previous day" copies the nearest earlier day with a record.
    page.click(f"#copy-{second}")
    expect(page.locator(f"#hours-{second}")).to_have_text(re.compile(r"8\s*h\s*15\s*min"))
    expect(page.locator(f"#in-{second}-0")).to_have_value(am)
    # An exception first (absent), then a weekly schedule: the exception is kept.
    page.click(f"#absent-{third}")
    page.locator(f"#reason-{third}").wait_for()
    page.locator("#schedule-section summary").click()
    page.fill("#schedule-in", "8:00")
    page.fill("#schedule-out", "15:30")
    page.click("#apply-schedule")
    expect(page.locator("#schedule-info")).to_be_visible()
    expect(page.locator(f"#absent-{third}")).to_have_attribute("data-state", "checked")
    expect(page.locator(f"#hours-{weekday_index}")).to_have_text(re.compile(r"8\s*h\s*15\s*min"))  # entered before: kept
    expect(page.locator(f"#hours-{fourth}")).to_have_text(re.compile(r"7\s*h\s*30\s*min"))
    if viewport == "phone":
        # The field's box (Radix draws the border around the <input>), the buttons themselves.
        for selector in (f"#in-{fourth}-0 >> xpath=..", f"#copy-{fourth}", f"#add-pair-{fourth}", "#apply-schedule",
                         "#schedule-in >> xpath=.."):
            box = page.locator(selector).bounding_box()
            assert box["height"] >= 44, (selector, box)
    shot(page, f"sheet-draft-{viewport}-{locale}")
    height = page_height(page)
    print(f"\nSHEET_HEIGHT draft month {viewport} {locale}: {height} px")
    if viewport == "phone":
        assert height < 12000, height

    # The weekend days have no record: named before submit, in the notice and in the dialog.
    notice = page.locator("#missing-days")
    expect(notice).to_contain_text(t["submit.missing_weekends"])
    page.click("#certify")
    page.click("#submit-sheet")
    dialog = page.locator("#submit-sheet-dialog")
    expect(dialog).to_contain_text(t["submit.missing_confirm"])
    shot(page, f"sheet-missing-dialog-{viewport}-{locale}")
    page.click("#submit-sheet-dialog-cancel")
    expect(page.locator("#recall")).to_have_count(0)  # cancelled: nothing was submitted
    page.click("#submit-sheet")
    page.click("#submit-sheet-dialog-confirm")
    expect(page.locator("#sheet-message")).to_be_visible()
    # Submitted: a compact read-only table ("—" for the days with no record).
    expect(page.locator("#grid-readonly")).to_contain_text("—")
    height = page_height(page)
    print(f"SHEET_HEIGHT submitted month {viewport} {locale}: {height} px")


# --- local times, collapsed sections, recall asks first -----------------------------------------------


@pytest.mark.parametrize("locale,viewport", CASES)
def test_signed_sheet_in_local_time_collapsed_and_short(app_server, demo, new_context, wizard, locale, viewport):
    sheet_id, _child, _g, url = family(app_server, submit=True)
    parent_page = new_context().new_page()
    link = _as_link(app_server, url, sheet_id)
    wizard.to_sign(parent_page, link)
    wizard.sign_and_submit(parent_page, link)
    page = open_sheet(new_context, viewport, locale, sheet_id, "#signed-heading")
    main = page.locator("main").inner_text()
    assert not ISO_UTC.search(main), ISO_UTC.search(main)
    assert re.search(r"\bP[SD]T\b", main)  # the agency's zone (America/Los_Angeles), said with each time
    # The audit trail and the messages are closed; opened, they show local times too.
    expect(page.locator("#audit-trail")).not_to_be_visible()
    expect(page.locator("#message-states")).not_to_be_visible()
    height = page_height(page)
    print(f"\nSHEET_HEIGHT signed month {viewport} {locale}: {height} px")
    if viewport == "phone":
        assert height < 12000, height
    shot(page, f"sheet-signed-{viewport}-{locale}")
    page.locator("#audit-section summary").click()
    expect(page.locator("#audit-trail")).to_be_visible()
    trail = page.locator("#audit-trail").inner_text()
    assert re.search(r"\bP[SD]T\b", trail) and not ISO_UTC.search(trail)
    page.locator("#messages-section summary").click()
    expect(page.locator("#message-states")).to_be_visible()


def _as_link(server, url: str, sheet_id: int):
    """The conftest's Link for a signing URL of a family made here (the parent's phone: sms)."""
    from sqlmodel import select

    from careconnect_app.models import Guardian, SigningRequest

    token = url.rsplit("/", 1)[-1]
    with server.server_db() as s:
        request = s.exec(select(SigningRequest).where(SigningRequest.sheet_id == sheet_id)).first()
        guardian = s.get(Guardian, request.guardian_id)
        link_type = next(m.Link for m in list(sys.modules.values()) if hasattr(m, "ParentFlow"))
        return link_type(url=url, token=token, request_id=request.id, sheet_id=sheet_id, child="", guardian="",
                         email=guardian.email, phone=guardian.phone, provider="", provider_email="", agency="",
                         locale="en", verification_required=request.requires_verification)


@pytest.mark.parametrize("locale,viewport", CASES)
def test_recall_asks_first_and_says_what_happens_to_the_link(app_server, demo, new_context, locale, viewport):
    t = TR[locale]
    sheet_id, _child, _g, url = family(app_server, submit=True)
    page = open_sheet(new_context, viewport, locale, sheet_id, "#recall")
    sent = page.locator("main table").first.inner_text()
    assert re.search(r"\bP[SD]T\b", sent) and not ISO_UTC.search(sent)
    page.click("#recall")
    dialog = page.locator("#recall-dialog")
    expect(dialog).to_contain_text(t["recall.confirm_body"])
    shot(page, f"sheet-recall-dialog-{viewport}-{locale}")
    page.keyboard.press("Escape")  # closed without recalling
    expect(dialog).to_have_count(0)
    parent = new_context().new_page()
    parent.goto(url)
    parent.locator("#start").wait_for()  # the link still works
    page.click("#recall")
    page.click("#recall-dialog-confirm")
    expect(page.locator("#sheet-message")).to_have_text(t["sheet.recalled"])
    parent.reload()
    expect(parent.locator("#main h1").first).not_to_have_text("")
    expect(parent.locator("#start")).to_have_count(0)


# --- overdue, and the agency's read-only view --------------------------------------------------------


@pytest.mark.parametrize("locale,viewport", CASES)
def test_overdue_periods_and_rows_are_flagged(app_server, demo, new_context, locale, viewport):
    t = TR[locale]
    _sheet_id, child, _g, _url = family(app_server, months_back=2)  # due a month ago at the latest
    page = browser_page(new_context, viewport, locale)
    login(page, SPROUTS, locale)
    periods = page.locator("#overdue-periods")
    expect(periods).to_be_visible()
    periods.locator(".overdue-period").first.click()
    page.fill("#search", child)
    row = page.locator(f'tr[data-child="{child}"]')
    expect(row).to_contain_text(t["dashboard.overdue"])
    expect(page.locator("#due-label")).to_contain_text(t["dashboard.overdue_count"])
    shot(page, f"dashboard-overdue-{viewport}-{locale}")


@pytest.mark.parametrize("locale,viewport", CASES)
def test_agency_admin_sees_sheets_read_only(app_server, demo, new_context, locale, viewport):
    draft_id, child, _g, _url = family(app_server)
    ready_id, _c, _g2, _u = family(app_server, submit=True)
    page = browser_page(new_context, viewport, locale)
    login(page, ADMIN, locale)
    expect(page.locator("#dashboard-read-only")).to_be_visible()
    expect(page.locator("#submit-selected")).to_have_count(0)
    expect(page.locator("#bulk-certify")).to_have_count(0)
    expect(page.locator("#export-csv")).to_be_visible()
    for sheet_id in (draft_id, ready_id):
        page.goto(f"/portal/sheets/{sheet_id}")
        page.locator("#grid-readonly").wait_for()
        expect(page.locator("#sheet-read-only")).to_be_visible()
        for control in ("#in-0-0", "#certify", "#submit-sheet", "#recall", "[id^=resend-]", "[id^=in-person-]",
                        "#schedule-section"):
            expect(page.locator(control)).to_have_count(0)
    shot(page, f"sheet-admin-{viewport}-{locale}")


def test_the_handlers_refuse_the_agency_admin_too(app_server, demo):
    """Any client may send any event: the admin's session sending provider actions changes nothing."""
    from careconnect_app.models import AttendanceEntry, AttendanceSheet
    from careconnect_app.pages.portal.base_state import SESSION_COOKIE
    from careconnect_app.pages.portal.dashboard import DashboardState
    from careconnect_app.pages.portal.sheet.grid import SheetGridState
    from careconnect_app.pages.portal.sheet.header import SheetState
    from careconnect_app.pages.portal.sheet.links import SheetLinksState
    from careconnect_app.portal import accounts
    from tests.support.event_client import EventClient

    draft_id, _child, _g, _u = family(app_server)
    ready_id, _c, _g2, _u2 = family(app_server, submit=True)
    code = fresh_code(ADMIN[2])  # may wait for the clock: not while holding the database's write lock
    with app_server.server_db() as s:
        step = accounts.login(s, ADMIN[0], ADMIN[1])
        token = accounts.second_factor(s, step.token, code).token
        entries_before = len(list(s.exec(AttendanceEntry.__table__.select().where(AttendanceEntry.sheet_id == draft_id))))
    # The browser sends the HttpOnly session cookie with the event channel's handshake.
    cookie = {"Cookie": f"{SESSION_COOKIE}={token}"}

    async def attack() -> tuple[str, str, str]:
        client = EventClient(app_server.base_url, headers=cookie)
        await client.open(f"/portal/sheets/{draft_id}")
        assert client.var(SheetState, "read_only") is True
        await client.send(SheetGridState, "set_time", {"index": 0, "pair": 0, "which": "in", "value": "9:00"})
        await client.send(SheetGridState, "set_certify", {"value": True})
        await client.send(SheetGridState, "submit", {"in_person": False, "confirmed_missing": True})
        await client.until(SheetState, "error", bool)  # a slow handler answers in more than one part
        refused = client.var(SheetState, "error")
        await client.close()
        client = EventClient(app_server.base_url, headers=cookie)
        await client.open(f"/portal/sheets/{ready_id}")
        assert await client.until(SheetState, "loaded", True)  # the page has loaded its sheet
        await client.send(SheetLinksState, "recall")
        await client.until(SheetState, "error", bool)
        recall_refused = client.var(SheetState, "error")
        await client.close()
        client = EventClient(app_server.base_url, headers=cookie)
        await client.open("/portal")
        rows = client.var(DashboardState, "rows") or []
        child_id = rows[0]["child_id"] if rows else "1"
        await client.send(DashboardState, "start_sheet", {"child_id": child_id})
        await client.until(DashboardState, "error", bool)
        start_refused = client.var(DashboardState, "error")
        await client.close()
        return refused, recall_refused, start_refused

    # Playwright's sync API holds this thread's event loop: the socket client runs in its own thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        refused, recall_refused, start_refused = pool.submit(asyncio.run, attack()).result(timeout=120)
    assert refused == TR["en"]["sheet.error.read_only"]
    assert recall_refused == TR["en"]["sheet.error.read_only"]
    assert start_refused == TR["en"]["error.read_only"]
    with app_server.server_db() as s:
        assert s.get(AttendanceSheet, draft_id).status == "draft"
        assert s.get(AttendanceSheet, ready_id).status == "ready_for_parent"
        assert len(list(s.exec(AttendanceEntry.__table__.select().where(AttendanceEntry.sheet_id == draft_id)))) == entries_before


# --- account care -------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale,viewport", CASES)
def test_owner_invites_a_login_that_sets_its_password_then_is_deactivated(app_server, demo, new_context, locale,
                                                                          viewport):
    t = TR[locale]
    email = f"jo-{secrets.token_hex(3)}@littlesprouts.example"
    page = browser_page(new_context, viewport, locale)
    login(page, SPROUTS, locale)
    page.goto("/portal/staff")
    page.locator("#staff-name").wait_for()
    language(page, locale)
    page.fill("#staff-name", "Jo Helper")
    page.fill("#staff-email", "not-an-email")
    page.click("#send-invite")
    expect(page.locator("#staff-email-error")).to_be_visible()
    page.fill("#staff-email", email)
    page.click("#send-invite")
    expect(page.locator("#staff-info")).to_contain_text(email)
    row = page.locator(f'tr[data-email="{email}"]')
    expect(row).to_contain_text(t["staff.status.invited"])
    shot(page, f"staff-{viewport}-{locale}")
    message = app_server.wait_outbox("staff_invite", email)[-1]
    invite_url = re.search(r"https?://\S+/portal/invite/[A-Za-z0-9_\-]+", message["text"]).group(0)

    newcomer = browser_page(new_context, viewport, locale)
    newcomer.goto(invite_url)
    newcomer.locator("#invite-password").wait_for()
    expect(newcomer.locator("#invite-email")).to_have_text(email)
    newcomer.fill("#invite-password", "helper-pass-2026")
    newcomer.fill("#invite-repeat", "helper-pass-2027")
    newcomer.click("#invite-submit")
    expect(newcomer.locator("#invite-repeat-error")).to_be_visible()
    newcomer.fill("#invite-repeat", "helper-pass-2026")
    newcomer.click("#invite-submit")
    expect(newcomer.locator("#invite-done")).to_be_visible()
    shot(newcomer, f"invite-done-{viewport}-{locale}")
    newcomer.goto(invite_url)  # the link worked once
    expect(newcomer.locator("#invite-invalid")).to_be_visible()
    login(newcomer, (email, "helper-pass-2026"), locale)

    page.reload()
    row = page.locator(f'tr[data-email="{email}"]')
    expect(row).to_contain_text(t["staff.status.active"])
    row.locator("[id^=deactivate-]").first.click()
    page.locator("[id^=deactivate-dialog-][id$=-confirm]").click()
    expect(page.locator("#staff-info")).to_be_visible()
    expect(row).to_contain_text(t["staff.status.deactivated"])
    activity = page.locator("#staff-activity").inner_text()
    for event in ("event.staff_invited", "event.staff_invite_accepted", "event.staff_deactivated"):
        assert t[event] in activity, (event, activity)
    newcomer.goto("/portal")
    newcomer.wait_for_url(re.compile(r".*/portal/login$"))  # signed out at once


@pytest.mark.parametrize("locale,viewport", CASES)
def test_children_edited_deactivated_and_guardians_unlinked_are_audited(app_server, demo, new_context, locale,
                                                                        viewport):
    t = TR[locale]
    _sheet_id, child, guardian_id, _url = family(app_server, fill=False)
    page = browser_page(new_context, viewport, locale)
    login(page, SPROUTS, locale)
    page.goto("/portal/children")
    card = page.locator(f'[data-child="{child}"]')
    card.wait_for()
    language(page, locale)
    card.locator("[id^=edit-child-]").click()
    page.locator("#edit-first").fill("Luz")
    page.locator("#edit-dob").fill("2022-05-06")
    page.click("#save-child")
    expect(page.locator("#child-change-info")).to_be_visible()
    renamed = child.replace("Lucía", "Luz")
    card = page.locator(f'[data-child="{renamed}"]')
    expect(card).to_contain_text("2022-05-06")
    card.locator("[id^=unlink-]").first.click()
    page.locator("[id^=unlink-dialog-][id$=-confirm]").click()
    expect(card).to_contain_text(t["roster.no_guardian"])
    card.locator("[id^=deactivate-child-]").click()
    page.locator("[id^=deactivate-dialog-][id$=-confirm]").click()
    inactive = page.locator("#inactive-children")
    expect(inactive).to_contain_text(renamed)
    shot(page, f"children-{viewport}-{locale}")
    inactive.get_by_role("button").last.click()
    expect(page.locator(f'[data-child="{renamed}"]')).to_be_visible()
    page.goto("/portal/staff")
    activity = page.locator("#staff-activity")
    for event in ("event.child_updated", "event.guardian_unlinked", "event.child_deactivated",
                  "event.child_reactivated"):
        expect(activity).to_contain_text(t[event])
    assert guardian_id


# --- accessibility ------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("locale", ["en", "es"])
def test_portal_pages_have_no_serious_axe_violations(app_server, demo, new_context, locale, viewport):
    from axe_playwright_python.sync_playwright import Axe

    draft_id, _child, _g, _url = family(app_server)
    signed_id, _c, _g2, url = family(app_server, submit=True)
    axe, problems = Axe(), []

    def audit(page, name: str) -> None:
        page.wait_for_timeout(400)
        for v in axe.run(page).response["violations"]:
            if v["impact"] in ("serious", "critical"):
                problems.append((name, v["id"], [n["target"] for n in v["nodes"]][:4]))

    page = browser_page(new_context, viewport, locale)
    login(page, SPROUTS, locale)
    audit(page, "dashboard")
    for path, ready in ((f"/portal/sheets/{draft_id}", "#in-0-0"), (f"/portal/sheets/{signed_id}", "#recall"),
                        ("/portal/children", "#child-first"), ("/portal/staff", "#staff-name")):
        page.goto(path)
        page.locator(ready).wait_for()
        language(page, locale)
        if ready == "#in-0-0":
            page.locator("#schedule-section summary").click()
        audit(page, path)
        shot(page, f"page{path.replace('/', '-')}-{viewport}-{locale}")
    page.goto(f"/portal/sheets/{signed_id}")
    page.click("#recall")
    page.locator("#recall-dialog").wait_for()
    audit(page, "recall dialog")
    admin = browser_page(new_context, viewport, locale)
    login(admin, ADMIN, locale)
    audit(admin, "admin dashboard")
    shot(admin, f"dashboard-admin-{viewport}-{locale}")
    admin.goto(f"/portal/sheets/{draft_id}")
    admin.locator("#grid-readonly").wait_for()
    audit(admin, "admin sheet")
    admin.goto("/portal/invite/" + secrets.token_urlsafe(32))
    admin.locator("#invite-invalid").wait_for()
    audit(admin, "invite link")
    assert not problems, problems


# --- start-up ----------------------------------------------------------------------------------------


def test_a_misconfigured_start_lists_every_problem_before_app_running(app_server):
    env = {**os.environ, **app_server.env, "CARECONNECT_EMAIL_BACKEND": "carrier-pigeon", "CARECONNECT_ALLOW_DEV_DELIVERY": "",
           "PYTHONUNBUFFERED": "1"}
    reflex = Path(sys.executable).with_name("reflex")
    port = str(app_server.port + 1)
    out = subprocess.run([str(reflex), "run", "--env", "prod", "--frontend-port", port, "--backend-port", port],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    text = out.stdout + out.stderr
    assert out.returncode != 0, text[-3000:]
    assert "CareConnect cannot start" in text
    assert "CARECONNECT_EMAIL_BACKEND='carrier-pigeon' is unknown" in text
    assert "CARECONNECT_SMS_BACKEND=file in production" in text
    assert "App running" not in text
