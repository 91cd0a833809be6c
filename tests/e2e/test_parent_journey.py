"""The parent's whole journey from the message link to the signed copy and the notice after it, on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from careconnect_app.signing import links
from tests.fakes.rows import NOT_ME_LINK, SIGN_LINK, tokens_in

pytestmark = pytest.mark.e2e


def _short(name: str) -> str:
    """How the landing names the child: first name and last initial."""
    first, last = name.split()[0], name.split()[-1]
    return f"{first} {last[0]}."


def test_journey_with_sms_code_touch_signature(page, fresh_link, wizard, app_server, read_outbox, server_db):
    link = fresh_link(verification=True)
    # The parent got the link by SMS and by email, each message with a link of its own to the same request.
    sms = app_server.wait_outbox("ready_to_sign", link.phone)[-1]
    mail = app_server.wait_outbox("ready_to_sign", link.email)[-1]
    (sms_token,), (mail_token,) = tokens_in(sms["text"], SIGN_LINK), set(tokens_in(mail["text"], SIGN_LINK))
    assert sms["channel"] == "sms" and sms_token != mail_token != link.token
    with server_db() as s:
        assert links.find(s, sms_token).id == links.find(s, mail_token).id == link.request_id
    wizard.open(page, SIGN_LINK.search(sms["text"]).group(0), locale=link.locale)  # the link in the SMS
    expect(page.get_by_text(_short(link.child))).to_be_visible()
    expect(page.get_by_text(link.child)).to_have_count(0)  # the full name waits for the code
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

    # After the signature the guardian is told on every channel on file, with a "this was not me" link.
    notices = [app_server.wait_outbox("signed_notice", to)[-1] for to in (link.phone, link.email)]
    assert all(row.reference in n["text"] and tokens_in(n["text"], NOT_ME_LINK) for n in notices)
    assert not [n for n in notices if tokens_in(n["text"] + n["html"], SIGN_LINK)]


def test_the_guardian_who_did_not_sign_tells_the_agency_from_the_notice(page, fresh_link, wizard, app_server):
    link = fresh_link(verification=False)
    wizard.to_sign(page, link)
    wizard.sign_and_submit(page, link)
    reference = app_server.request_row(link.request_id).reference
    notice = app_server.wait_outbox("signed_notice", link.email)[-1]
    not_me = page.context.new_page()
    not_me.goto(NOT_ME_LINK.search(notice["text"]).group(0))
    wizard.expect_heading(not_me, "not_me.title")
    expect(not_me.get_by_text(reference).first).to_be_visible()
    expect(not_me.locator("#attendance-days")).to_have_count(0)
    not_me.locator("#not-me-details").fill("I was at work that week; someone else signed.")
    not_me.locator("#report-not-me").click()
    expect(not_me.locator("#main h1").first).to_have_text(re.compile(re.escape(link.agency)))
    row = app_server.request_row(link.request_id)
    assert row.signature_disputed_at and "someone else signed" in row.signature_dispute_text
    told = app_server.wait_outbox("signature_disputed", link.provider_email)
    assert reference in told[-1]["subject"]
    # The same link again: already reported, nothing more to do.
    not_me.reload()
    wizard.expect_heading(not_me, "not_me.already_reported.title")


def test_journey_with_email_code_mouse_signature_and_download(page, fresh_link, wizard, app_server, read_outbox):
    link = fresh_link(verification=True)
    wizard.to_review(page, link, channel="email")
    mail = read_outbox("verification_code", link.email)
    assert mail and mail[-1]["channel"] == "email" and mail[-1]["subject"]
    assert not read_outbox("verification_code", link.phone)
    # Every day of the week, the weekend without a record included (the signed copy lists the same days).
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
        expect(page.get_by_text(entry["child"].split()[0]).first).to_be_visible()
