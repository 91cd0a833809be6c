"""Link states a parent can meet: unknown, expired, already signed (never the pad again; the copy
after a fresh code)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from careconnect_app.models import VerificationCode

pytestmark = pytest.mark.e2e


def test_unknown_token_page(page, app_server, wizard):
    app_server.forget_link_misses()
    page.goto(f"{app_server.base_url}/sign/{secrets.token_urlsafe(32)}")
    wizard.expect_heading(page, "status.unknown.title")
    expect(page.get_by_text(wizard.t("status.unknown.body"))).to_be_visible()
    expect(page.locator("#start")).to_have_count(0)


def test_expired_link_page(page, fresh_link, backdate, wizard):
    link = fresh_link()
    backdate(link)
    wizard.open(page, link, expect_key="status.expired.title")
    expect(page.get_by_text(link.provider).first).to_be_visible()  # "ask <provider> for a new one"
    expect(page.locator("#start")).to_have_count(0)
    expect(page.locator("#signature-pad")).to_have_count(0)


def test_replaced_link_says_so(page, fresh_link, server_db, wizard):
    """The provider re-sent the link: the old one says it was replaced, never the wizard."""
    from careconnect_app.models import SigningRequest
    from careconnect_app.statuses import RequestStatus

    link = fresh_link(verification=False)
    with server_db() as session:
        request = session.get(SigningRequest, link.request_id)
        request.status = RequestStatus.SUPERSEDED
        session.add(request)
    wizard.open(page, link, expect_key="status.superseded.title")
    expect(page.get_by_text(wizard.t("status.superseded.body"))).to_be_visible()
    expect(page.locator("#start")).to_have_count(0)


def test_link_expiring_mid_flow_stops_signing(page, fresh_link, backdate, wizard, app_server):
    link = fresh_link(verification=False)
    wizard.to_sign(page, link)
    backdate(link)
    wizard.draw_mouse(page)
    wizard.check_boxes(page)
    page.locator("#submit-signature").click()
    wizard.expect_heading(page, "status.expired.title")
    assert app_server.signature_count(link.request_id) == 0


def test_signed_link_opened_again_shows_signed_state_never_the_pad(new_context, fresh_link, wizard, server_db,
                                                                   app_server):
    link = fresh_link(verification=True)
    ctx = new_context()
    page = ctx.new_page()
    wizard.to_sign(page, link, channel="email")
    wizard.sign_and_submit(page, link)
    reference = page.locator("#reference").inner_text()

    # The same phone opens the link from the message again (new tab, verified cookie).
    again = ctx.new_page()
    wizard.open(again, link, expect_key="status.signed.title")
    expect(again.locator("#reference")).to_have_text(reference)
    expect(again.locator("#signature-pad")).to_have_count(0)
    expect(again.locator("#start")).to_have_count(0)
    with again.expect_download() as info:
        again.locator("#download-copy").click()
    with open(info.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"

    # Reload in the tab that signed.
    page.reload()
    expect(page.locator("#reference")).to_have_text(reference)
    expect(page.locator("#signature-pad")).to_have_count(0)

    # Another browser (never verified): the signed state only; no pad, no reference, no download ...
    other = new_context().new_page()
    wizard.open(other, link, expect_key="status.signed.title")
    expect(other.locator("#signature-pad")).to_have_count(0)
    expect(other.locator("#download-copy")).to_have_count(0)
    expect(other.locator("#reference")).to_have_count(0)
    # ... until the parent verifies again there, with a fresh code (a day later: no resend cooldown).
    with server_db() as s:
        for code in s.exec(select(VerificationCode).where(VerificationCode.signing_request_id == link.request_id)):
            code.created_at -= timedelta(days=1)
    previous = app_server.latest_code(link.email)
    other.locator("#verify-for-copy").click()
    wizard.expect_heading(other, "verify.title")
    other.locator("#channel-email").click()
    other.locator("#send-code").click()
    wizard.enter_code(other, app_server.latest_code(link.email, previous=previous))
    expect(other.locator("#reference")).to_have_text(reference)
    with other.expect_download() as info:
        other.locator("#download-copy").click()
    with open(info.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"


def test_first_paint_shows_the_child_before_the_app_loads_then_gives_way(page, fresh_link, wizard):
    """The HTML itself names the child (slow phones see it at once); the wizard then replaces it."""
    import urllib.request

    link = fresh_link(verification=False)
    with urllib.request.urlopen(link.url, timeout=10) as response:  # noqa: S310 (localhost)
        first_html = response.read().decode("utf-8")
        assert response.headers["Cache-Control"] == "no-store"
    first, last = link.child.split()
    assert 'id="cc-preview"' in first_html and f"{first} {last[0]}." in first_html
    assert link.child not in first_html  # the landing's short name: the full name waits for the code
    wizard.open(page, link)
    expect(page.locator("#cc-preview")).to_have_count(0)
    with urllib.request.urlopen(link.url.rsplit("/", 1)[0] + "/" + secrets.token_urlsafe(32), timeout=10) as r:  # noqa: S310
        unknown = r.read().decode("utf-8")
    # Unknown links reveal nothing: the first paint is the header alone (so the page does not jump).
    assert "<header>" in unknown and "<h1>" not in unknown and link.child not in unknown
