"""The signature step: a blank or too simple signature is refused; SUBMIT signs exactly once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_blank_signature_is_refused_and_a_straight_line_is_too_simple(page, fresh_link, wizard, app_server):
    link = fresh_link(verification=False)
    wizard.to_sign(page, link)
    submit = page.locator("#submit-signature")
    expect(submit).to_be_disabled()
    wizard.check_boxes(page)
    # Both boxes checked but nothing drawn: still disabled, and the hint says why.
    expect(submit).to_be_disabled()
    expect(page.locator("#submit-hint")).to_have_text(wizard.t("sign.need_all"))
    wizard.draw_line(page)
    expect(submit).to_be_enabled()
    submit.click()
    expect(page.locator("#sign-error")).to_have_text(wizard.t("signature.error.too_simple"))
    wizard.expect_heading(page, "sign.title")
    assert app_server.signature_count(link.request_id) == 0
    # Clear empties the pad again: SUBMIT goes back to disabled.
    page.locator("#signature-pad").get_by_role("button", name=wizard.t("sign.clear")).click()
    expect(submit).to_be_disabled()
    # A real signature then goes through.
    wizard.draw_touch(page)
    expect(submit).to_be_enabled()
    submit.click()
    wizard.expect_heading(page, "done.title")
    assert app_server.signature_count(link.request_id) == 1


def test_double_click_on_submit_signs_once(page, fresh_link, wizard, app_server):
    link = fresh_link(verification=True)
    wizard.to_sign(page, link, channel="sms")
    wizard.draw_mouse(page)
    wizard.check_boxes(page)
    page.locator("#submit-signature").dblclick()
    wizard.expect_heading(page, "done.title")
    page.wait_for_timeout(1500)  # let any second submit land
    assert app_server.signature_count(link.request_id) == 1
    expect(page.locator("#sign-error")).to_have_count(0)


def test_two_tabs_submitting_at_once_sign_once(context, fresh_link, wizard, app_server):
    link = fresh_link(verification=True)
    tab1 = context.new_page()
    wizard.to_sign(tab1, link, channel="email")
    tab2 = context.new_page()  # same phone, the link opened again from the message
    wizard.open(tab2, link, expect_key="sign.title")
    for tab in (tab1, tab2):
        wizard.draw_mouse(tab)
        wizard.check_boxes(tab)
        expect(tab.locator("#submit-signature")).to_be_enabled()
    # Both SUBMITs fire without waiting for either answer.
    tab1.evaluate("document.getElementById('submit-signature').click()")
    tab2.evaluate("document.getElementById('submit-signature').click()")
    signed = re.compile("^(%s|%s)$" % (re.escape(wizard.t("done.title")), re.escape(wizard.t("status.signed.title"))))
    for tab in (tab1, tab2):
        expect(tab.locator("#main h1").first).to_have_text(signed)
        expect(tab.locator("#signature-pad")).to_have_count(0)
    assert app_server.signature_count(link.request_id) == 1
    reference = app_server.request_row(link.request_id).reference
    for tab in (tab1, tab2):
        expect(tab.locator("#reference")).to_have_text(reference)
