"""The parent's whole journey from the message link to the signed copy, on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_journey_with_sms_code_touch_signature(page, fresh_link, wizard, app_server, read_outbox):
    link = fresh_link(verification=True)
    # The parent got the link by SMS (and email), delivered by the app's worker.
    sms = app_server.wait_outbox("ready_to_sign", link.phone)
    assert link.url in sms[-1]["text"] and sms[-1]["channel"] == "sms"
    assert link.url in app_server.wait_outbox("ready_to_sign", link.email)[-1]["text"]
    wizard.open(page, link)
    expect(page.get_by_text(link.child)).to_be_visible()
    wizard.start(page, link)
    code = wizard.send_code(page, link, "sms")
    # The code went to the phone only, by SMS.
    sms = read_outbox("verification_code", link.phone)
    assert sms and sms[-1]["channel"] == "sms"
    assert not read_outbox("verification_code", link.email)
    wizard.enter_code(page, code)
    wizard.expect_heading(page, "review.title")
    expect(page.locator("#total-hours")).to_have_text(re.compile(r"\d"))
    wizard.go_sign(page, link)
    wizard.sign_and_submit(page, link, touch=True)
    assert app_server.signature_count(link.request_id) == 1
    row = app_server.request_row(link.request_id)
    assert row.status == "signed" and row.reference
    expect(page.locator("#reference")).to_have_text(row.reference)


def test_journey_with_email_code_mouse_signature_and_download(page, fresh_link, wizard, app_server, read_outbox):
    link = fresh_link(verification=True)
    wizard.to_review(page, link, channel="email")
    mail = read_outbox("verification_code", link.email)
    assert mail and mail[-1]["channel"] == "email" and mail[-1]["subject"]
    assert not read_outbox("verification_code", link.phone)
    # Every day of the week: five recorded, the weekend shown as days without a record.
    expect(page.locator("#attendance-days tbody tr")).to_have_count(7)
    expect(page.locator("#attendance-days tbody tr.cc-no-record")).to_have_count(2)
    wizard.go_sign(page, link)
    expect(page.get_by_text(link.guardian)).to_be_visible()  # "Signing as ..."
    wizard.sign_and_submit(page, link)
    assert app_server.signature_count(link.request_id) == 1
    with page.expect_download() as info:
        page.locator("#download-copy").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"


def test_journey_without_verification(page, fresh_link, wizard, app_server, read_outbox):
    link = fresh_link(verification=False)
    wizard.open(page, link)
    wizard.start(page, link)  # straight to review: no code step
    expect(page.locator("#verification-code")).to_have_count(0)
    expect(page.locator("#total-hours")).to_have_text(re.compile(r"\d"))
    wizard.go_sign(page, link)
    wizard.sign_and_submit(page, link)
    assert app_server.signature_count(link.request_id) == 1
    assert not read_outbox("verification_code", link.phone)
    assert not read_outbox("verification_code", link.email)


def test_demo_links_open_with_child_name(page, demo, wizard):
    """The demo data (the same path as a provider's submission) opens in the guardian's language."""
    assert len(demo["links"]) >= 5
    for entry in (demo["links"][0], demo["links"][1]):
        page.goto(entry["url"])
        wizard.expect_heading(page, "landing.title", entry["locale"])
        expect(page.get_by_text(entry["child"]).first).to_be_visible()
