"""Verification codes as the parent meets them: a wrong code, then the right one; resend; reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_wrong_code_then_right_code(page, fresh_link, wizard, app_server):
    link = fresh_link(verification=True)
    wizard.open(page, link)
    wizard.start(page, link)
    code = wizard.send_code(page, link, "sms")
    wizard.enter_code(page, _wrong(code))
    error = page.locator("#verify-error")
    expect(error).to_have_text(wizard.t("verify.error.wrong#other").format(tries=4))
    # Said once, by the page's one live region (the message itself is no second alert).
    expect(page.locator("#announcer")).to_have_text(wizard.t("verify.error.wrong#other").format(tries=4))
    wizard.expect_heading(page, "verify.title")
    wizard.enter_code(page, _wrong(_wrong(code)))
    expect(error).to_have_text(wizard.t("verify.error.wrong#other").format(tries=3))
    wizard.enter_code(page, code)
    wizard.expect_heading(page, "review.title")
    expect(error).to_have_count(0)
    assert app_server.request_row(link.request_id).verified_at is not None


def test_verification_belongs_to_the_browser_that_verified(new_context, fresh_link, wizard):
    link = fresh_link(verification=True)
    first = new_context().new_page()
    wizard.to_review(first, link, channel="email")
    code = wizard.server.latest_code(link.email)
    # Another phone opens the forwarded link: it is not verified there, and the spent code fails.
    second = new_context().new_page()
    wizard.open(second, link, expect_key="verify.title")
    expect(second.locator("#go-sign")).to_have_count(0)
    expect(second.locator("#send-code")).to_be_visible()
    assert code


def test_resend_and_change_channel(page, fresh_link, wizard, app_server):
    link = fresh_link(verification=True)
    wizard.open(page, link)
    wizard.start(page, link)
    wizard.send_code(page, link, "email")
    expect(page.get_by_role("status").filter(has_text=re.compile(r"@"))).to_be_visible()
    page.locator("#resend-code").click()  # within the 30 s cooldown: told to wait
    expect(page.locator("#verify-error")).to_contain_text(re.compile(r"\d+"))
    assert len(app_server.read_outbox("verification_code", link.email)) == 1  # no second code sent
    page.locator("#change-channel").click()  # back to the channel choice
    expect(page.locator("#channel-sms")).to_be_visible()
    expect(page.locator("#send-code")).to_be_visible()


def test_reload_resumes_at_the_right_step(page, fresh_link, wizard):
    link = fresh_link(verification=True)
    wizard.open(page, link)
    wizard.start(page, link)
    code = wizard.send_code(page, link, "sms")
    page.reload()  # code sent: the code entry comes back
    wizard.expect_heading(page, "verify.title")
    expect(page.locator("#verification-code")).to_be_visible()
    wizard.enter_code(page, code)
    wizard.expect_heading(page, "review.title")
    page.reload()  # after verify -> review
    wizard.expect_heading(page, "review.title")
    wizard.go_sign(page, link)
    page.reload()  # after Sign & Submit -> sign step
    wizard.expect_heading(page, "sign.title")
    expect(page.locator("#signature-pad canvas")).to_be_visible()
    wizard.sign_and_submit(page, link)
