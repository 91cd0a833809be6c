"""A Spanish-speaking guardian: every step in Spanish, no English left, and the switch flips every word."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _page_text(page, link) -> str:
    """Visible text plus accessible names/placeholders, with the family's own names removed.

    document.title is checked on its own (test_spanish_document_title)."""
    text = page.evaluate("""() => {
        const parts = [document.body.innerText];
        for (const el of document.querySelectorAll('[aria-label],[placeholder],[title],[alt]')) {
            for (const a of ['aria-label', 'placeholder', 'title', 'alt']) {
                if (el.getAttribute(a)) parts.push(el.getAttribute(a));
            }
        }
        return parts.join('\\n');
    }""")
    for name in (link.child, link.guardian, link.provider, link.agency, link.email, link.phone):
        if name:
            text = text.replace(name, " ")
    return text


def leftovers(page, link, other: dict[str, str], current: dict[str, str]) -> list[str]:
    """Strings of the `other` language's parent.json that appear on the page."""
    text = _page_text(page, link)
    found = []
    for key, value in other.items():
        if value == current.get(key):
            continue
        if "{" in value:
            for fragment in _PLACEHOLDER.split(value):
                fragment = fragment.strip(" .,:;")
                if len(fragment) >= 10 and fragment in text:
                    found.append(f"{key}: {fragment!r}")
        elif re.search(r"(?<![\w])" + re.escape(value) + r"(?![\w])", text):
            found.append(f"{key}: {value!r}")
    return found


def check_spanish_and_switch(page, link, wizard, heading_key: str, words: list[str]):
    """On a Spanish step: Spanish heading and words, no English; the switch makes it all English and back."""
    en, es = wizard.tr["en"], wizard.tr["es"]
    wizard.expect_heading(page, heading_key, "es")
    expect(page.locator("html [lang='es']").first).to_be_attached()
    for word in words:
        expect(page.get_by_text(word, exact=False).first).to_be_visible()
    assert leftovers(page, link, en, es) == [], f"English left on the Spanish {heading_key} page"
    switch = page.locator("#language-switch")
    expect(switch).to_have_accessible_name(es["switch_to_label"])
    switch.click()
    wizard.expect_heading(page, heading_key, "en")
    expect(switch).to_have_accessible_name(en["switch_to_label"])
    assert leftovers(page, link, es, en) == [], f"Spanish left after switching {heading_key} to English"
    switch.click()
    wizard.expect_heading(page, heading_key, "es")
    assert leftovers(page, link, en, es) == [], f"English left after switching {heading_key} back"


def test_spanish_journey_and_language_switch(page, fresh_link, wizard, app_server):
    link = fresh_link(verification=True, locale="es")
    es = wizard.tr["es"]
    wizard.open(page, link, locale="es")
    check_spanish_and_switch(page, link, wizard, "landing.title", [es["landing.start"], es["landing.child"]])

    page.locator("#start").click()
    check_spanish_and_switch(page, link, wizard, "verify.title", [es["verify.send"], es["verify.choose"]])

    page.locator("#channel-sms").click()
    page.locator("#send-code").click()
    expect(page.locator("#verification-code")).to_be_visible()
    code = app_server.latest_code(link.phone)
    sms = app_server.read_outbox("verification_code", link.phone)[-1]
    assert sms["locale"] == "es"
    check_spanish_and_switch(page, link, wizard, "verify.title", [es["verify.verify"], es["verify.code_label"]])

    page.locator("#verification-code").fill(f"{(int(code) + 1) % 1_000_000:06d}")
    page.locator("#verify-code").click()
    expect(page.locator("#verify-error")).to_have_text(es["verify.error.wrong#other"].format(tries=4))
    check_spanish_and_switch(page, link, wizard, "verify.title", [es["verify.error.wrong#other"].format(tries=4)])

    page.locator("#verification-code").fill(code)
    page.locator("#verify-code").click()
    check_spanish_and_switch(page, link, wizard, "review.title",
                             [es["review.sign"], es["review.total_hours"], es["review.absent_reason"].format(reason="Sick")])

    page.locator("#go-sign").click()
    check_spanish_and_switch(page, link, wizard, "sign.title", [es["sign.submit"], es["sign.consent"], es["sign.clear"]])

    wizard.draw_touch(page)
    wizard.check_boxes(page)
    page.locator("#submit-signature").click()
    check_spanish_and_switch(page, link, wizard, "done.title", [es["done.reference"], es["done.download"]])
    assert app_server.signature_count(link.request_id) == 1


@pytest.mark.parametrize("state", ["expired", "unknown", "disputed"])
def test_spanish_status_pages(page, fresh_link, wizard, backdate, state, app_server):
    import secrets

    link = fresh_link(verification=False, locale="es")
    if state == "expired":
        backdate(link)
        wizard.open(page, link, expect_key="status.expired.title", locale="es")
        check_spanish_and_switch(page, link, wizard, "status.expired.title", [])
    elif state == "disputed":
        wizard.to_review(page, link, locale="es")
        page.locator("#report-problem").click()
        page.locator("#problem-text").fill("El miércoles sí vino.")
        page.locator("#send-problem").click()
        check_spanish_and_switch(page, link, wizard, "status.disputed.title", ["El miércoles sí vino."])
    else:
        # An unknown token has no guardian: the page is English; the switch gives Spanish.
        app_server.forget_link_misses()
        page.goto(f"{link.url[: link.url.rindex('/')]}/{secrets.token_urlsafe(32)}")
        wizard.expect_heading(page, "status.unknown.title", "en")
        page.locator("#language-switch").click()
        check_spanish_and_switch(page, link, wizard, "status.unknown.title", [])


def test_spanish_document_title(page, fresh_link, wizard):
    link = fresh_link(verification=False, locale="es")
    wizard.open(page, link, locale="es")
    assert page.title() == wizard.tr["es"]["app_name"]
