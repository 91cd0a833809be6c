"""Markup and spreadsheet formulas in every field a parent or a provider types.

Names (child, guardian, provider), absence reasons and a parent's problem report are shown on
the parent's phone and in the portal, and exported to CSV: they must show as the text typed and
never run (XSS), and never become a formula in a spreadsheet (CSV injection).
"""

from __future__ import annotations

import csv
import io
import secrets

import pytest
from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.models import AttendanceEntry, AttendanceSheet, Child, Guardian, Provider, SigningRequest
from careconnect_app.portal import accounts, export
from careconnect_app.statuses import Role
from tests.fakes.sheets import END, START, submit_and_sign

# Each would set window.__xss if it ever reached the page as markup instead of text.
XSS = [
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload=window.__xss=2>',
    "<script>window.__xss=3</script>",
    "javascript:window.__xss=4//",
    "{{constructor.constructor('window.__xss=5')()}}",
]


def _plant(live, link) -> None:
    """The family's names, the provider's name and an absence reason, as an attacker typed them."""
    with live.server.server_db() as session:
        sheet = session.get(AttendanceSheet, link.sheet_id)
        child = session.get(Child, sheet.child_id)
        child.last_name = XSS[1]
        provider = session.get(Provider, sheet.provider_id)
        provider.name = "Care " + XSS[2]
        entry = session.exec(select(AttendanceEntry).where(AttendanceEntry.sheet_id == sheet.id)
                             .order_by(AttendanceEntry.day)).first()
        entry.absent, entry.check_in, entry.check_out, entry.absence_reason = True, None, None, XSS[0]
        session.add_all([child, provider, entry])


def _no_markup_ran(page) -> None:
    assert page.evaluate("window.__xss === undefined"), "an injected payload ran"
    assert page.locator("#main img[src='x'], #main svg[onload]").count() == 0


def test_markup_typed_by_a_parent_or_provider_shows_as_text_to_the_parent(live, fresh_link, browser):
    link = fresh_link(verification=False, child=(XSS[4], "x"), guardian=(XSS[3], "Doe"))
    _plant(live, link)
    context = browser.new_context(base_url=live.base_url, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(link.path)
        page.locator("#start").wait_for()
        _no_markup_ran(page)
        page.locator("#start").click()
        page.locator("#go-sign").wait_for()
        _no_markup_ran(page)
        assert XSS[0] in page.inner_text("#main")  # the absence reason, as typed
        page.locator("#report-problem").click()
        page.locator("#problem-text").fill(XSS[2] + " " + XSS[0])  # the parent types markup
        page.locator("#send-problem").click()
        page.get_by_text(XSS[2], exact=False).first.wait_for()
        _no_markup_ran(page)
    finally:
        context.close()


def test_markup_typed_by_a_parent_or_provider_shows_as_text_in_the_portal(live, fresh_link, browser):
    link = fresh_link(verification=False, child=(XSS[4], "x"), guardian=(XSS[3], "Doe"))
    _plant(live, link)
    email, password = f"staff-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16)
    with live.server.server_db() as session:
        sheet = session.get(AttendanceSheet, link.sheet_id)
        accounts.create_user(session, email=email, name=XSS[0], password=password, role=Role.PROVIDER,
                             agency_id=session.get(Provider, sheet.provider_id).agency_id,
                             provider_id=sheet.provider_id)
        request = session.get(SigningRequest, link.request_id)
        request.status, request.dispute_text = "disputed", XSS[1] + " " + XSS[2]
        session.add(request)
    context = browser.new_context(base_url=live.base_url, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto("/portal/login")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("#login-submit")
        page.wait_for_url(live.base_url + "/portal")
        page.locator("#counts").wait_for()
        _no_markup_ran(page)
        for path in ("/portal/children", f"/portal/sheets/{link.sheet_id}"):
            page.goto(path)
            page.locator("h1").first.wait_for()
            page.wait_for_timeout(800)
            _no_markup_ran(page)
        assert XSS[2] in page.inner_text("body")  # the parent's problem report, as typed
    finally:
        context.close()


FORMULAS = ["=HYPERLINK(\"https://evil.example\",\"Open\")", "+1+cmd|'/C calc'!A0", "-2+3", "@SUM(1+1)",
            "\t=1+1", "\r=1+1", "\n=1+1", " =1+1"]


@pytest.mark.parametrize("formula", FORMULAS, ids=[repr(f[:6]) for f in FORMULAS])
def test_names_that_are_formulas_export_as_text(weekly_sheet, formula):
    with session_scope() as s:
        child = s.get(Child, weekly_sheet["child"])
        child.first_name, child.last_name = formula, ""
        guardian = s.get(Guardian, weekly_sheet["guardian"])
        guardian.first_name, guardian.last_name = "", formula
        s.add_all([child, guardian])
    submit_and_sign(weekly_sheet)
    with session_scope() as s:
        text = export.signed_sheets_csv(s, [weekly_sheet["p1"]], START, END)
    header, row = list(csv.reader(io.StringIO(text)))
    cells = dict(zip(header, row, strict=True))
    for column in ("child", "guardian"):
        assert cells[column].lstrip(" \t\r\n")[:1] not in ("=", "+", "-", "@"), cells[column]
        assert formula.strip() in cells[column]  # the name itself is kept, as text
