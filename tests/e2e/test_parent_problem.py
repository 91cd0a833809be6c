"""Report a problem: the link waits for a corrected sheet and the provider gets the parent's words."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.connection import PageLoads, drop_and_reload, keep_sockets

pytestmark = pytest.mark.e2e

PROBLEM = "Wednesday he was not absent: he came 8:00 to 16:30."


def test_report_a_problem(page, fresh_link, wizard, app_server):
    link = fresh_link(verification=True)
    wizard.to_review(page, link, channel="sms")
    page.locator("#report-problem").click()
    page.locator("#send-problem").click()  # empty: told to write a few words
    expect(page.locator("#problem-error")).to_have_text(wizard.t("review.problem_too_short"))
    page.locator("#problem-text").fill(PROBLEM)
    page.locator("#send-problem").click()
    wizard.expect_heading(page, "status.disputed.title")
    expect(page.get_by_text(PROBLEM)).to_be_visible()
    mails = app_server.wait_outbox("problem_reported", link.provider_email)
    assert PROBLEM in mails[-1]["text"] and mails[-1]["channel"] == "email"
    row = app_server.request_row(link.request_id)
    assert row.status == "disputed" and row.dispute_text == PROBLEM
    # Opening the link again shows the report, never the pad.
    page.reload()
    wizard.expect_heading(page, "status.disputed.title")
    expect(page.locator("#signature-pad")).to_have_count(0)
    expect(page.locator("#go-sign")).to_have_count(0)
    assert app_server.signature_count(link.request_id) == 0


def test_a_dropped_connection_keeps_the_problem_being_written(new_context, fresh_link, wizard, app_server):
    """A phone changing networks while the parent writes: the form stays open with their words."""
    context = new_context()
    keep_sockets(context)
    page = context.new_page()
    loads = PageLoads(page)
    link = fresh_link(verification=True)
    wizard.to_review(page, link, channel="sms")
    page.locator("#report-problem").click()
    page.locator("#problem-text").fill(PROBLEM)
    drop_and_reload(page, loads)
    expect(page.locator("#problem-text")).to_have_value(PROBLEM)
    page.locator("#send-problem").click()
    wizard.expect_heading(page, "status.disputed.title")
    assert app_server.request_row(link.request_id).dispute_text == PROBLEM
