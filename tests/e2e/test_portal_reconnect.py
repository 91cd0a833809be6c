"""A dropped connection in the portal loses nothing the provider typed or was told.

Reflex runs a page's on_load again on every reconnect of its websocket (a phone changing networks,
a proxy restarting). The portal's loads clear forms and notices only when a page is opened, so a
guardian form half filled in, the notice of a save and a sheet's ticked certification stay;
opening the page again still starts clean. The connection is dropped for real (tests/e2e/connection.py).
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.connection import PageLoads, drop_and_reload, keep_sockets
from tests.e2e.test_portal_journey import (  # noqa: F401 (portal_app, server_log_clean: fixtures)
    RUN,
    SUNRISE,
    _add_child_with_guardian,
    _login,
    _new_page,
    _record_week,
    _submit_anyway,
    portal_app,
    server_log_clean,
)


def _signed_in_page(browser, base: str):
    """A desktop tab of the Sunrise provider whose sockets the test can drop, and its loads counter."""
    ctx, page = _new_page(browser, "desktop", [])
    keep_sockets(ctx)
    loads = PageLoads(page)
    _login(page, base, SUNRISE)
    return ctx, page, loads


def test_a_reconnect_keeps_the_half_typed_guardian_form_and_the_saved_notice(portal_app, browser):
    base, _outbox, _db = portal_app
    ctx, page, loads = _signed_in_page(browser, base)
    page.goto(base + "/portal/children")
    page.locator("#child-first").wait_for()
    page.fill("#child-first", "Ana")
    page.fill("#child-last", "Reconnect" + RUN)
    page.click("#add-child")
    page.locator("#guardian-form").wait_for()
    page.fill("#g-first", "Rosa")
    page.fill("#g-last", "Reconnect" + RUN)
    page.fill("#g-email", f"rosa.reconnect{RUN}@example.com")
    page.locator("#g-phone").focus()  # the email is sent when its field is left

    drop_and_reload(page, loads)
    assert page.locator("#guardian-form").is_visible(), "the reconnect closed the form being filled in"
    assert page.input_value("#g-first") == "Rosa"
    assert page.input_value("#g-email") == f"rosa.reconnect{RUN}@example.com"

    page.fill("#g-phone", "(555) 201-0123")
    page.click("#save-guardian")
    info = page.locator("#guardian-info")
    info.filter(has_text="Rosa").wait_for()
    drop_and_reload(page, loads)
    assert info.is_visible() and "Rosa" in info.inner_text(), "the reconnect took away the notice of the save"
    card = page.locator(f'[data-child="Ana Reconnect{RUN}"]')
    assert f"rosa.reconnect{RUN}@example.com" in card.inner_text()

    # Opening the page again (away and back through the menu) starts clean.
    page.get_by_role("link", name="Dashboard").click()
    page.locator("#counts").wait_for()
    page.get_by_role("link", name="Children").click()
    page.locator("#child-first").wait_for()
    page.locator(f'[data-child="Ana Reconnect{RUN}"]').wait_for()
    page.locator("#guardian-info").filter(has_text="Rosa").wait_for(state="detached")
    ctx.close()


def test_a_reconnect_on_a_sheet_keeps_the_ticked_certification(portal_app, browser):
    base, _outbox, _db = portal_app
    ctx, page, loads = _signed_in_page(browser, base)
    child = "Ana Certify" + RUN
    _add_child_with_guardian(page, base, "Ana", "Certify" + RUN, f"rosa.certify{RUN}@example.com")
    _record_week(page, base, child)
    _submit_anyway(page, "#submit-sheet")
    page.locator("#sheet-error").wait_for()  # certification is required
    page.click("#certify")
    expect(page.locator("#certify")).to_be_checked()

    drop_and_reload(page, loads)
    expect(page.locator("#certify")).to_be_checked()
    _submit_anyway(page, "#submit-sheet")  # no second tick needed
    page.locator("#sheet-message").wait_for()
    page.locator("#recall").wait_for()
    ctx.close()
