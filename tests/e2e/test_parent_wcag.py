"""The parent's pages to WCAG 2.2 AA, in the client's own words (issue 11), in English and Spanish.

Every parent page and step, on a 390x844 phone in Chromium:
- computed contrast of every text and control boundary (tests/e2e/page_checks.py), light and dark, and
  axe (serious and critical);
- 200% zoom (195x422 CSS px): no text cut off, nothing off screen; targets at least 44 px;
- a keyboard-only signing with a typed signature; focus moves and one live region;
- every day of the period on review, hours as "8 h 30 min", plurals, the start page, the branded
  page for unknown addresses, tap-to-call, the guide in the page's language and naming the buttons
  the screens show, and a header that does not move when the app takes over from the first paint.

Set E2E_SHOTS_DIR to keep a screenshot of every step (light, both languages).
"""

from __future__ import annotations

import io
import os
import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.connection import hold_back
from tests.e2e.page_checks import clipped_text, contrast_problems, small_targets
from tests.e2e.test_accessibility import serious_axe_violations

pytestmark = pytest.mark.e2e

LOCALES = ["en", "es"]
CLIENT_WORDS = {
    "en": {"verify.send": "SEND VERIFICATION CODE", "verify.verify": "VERIFY", "review.sign": "Sign & Submit",
           "sign.submit": "SUBMIT"},
    "es": {"verify.send": "ENVÍE CÓDIGO DE VERIFICACIÓN", "verify.verify": "VERIFICAR",
           "review.sign": "Firmar y someter", "sign.submit": "SOMETER"},
}
ACCEPT = {"en": "en-US", "es": "es-MX"}
SHOTS = os.environ.get("E2E_SHOTS_DIR", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def walk_signing(page, wizard, app_server, link, locale: str, visit) -> None:
    """Every step of a verified signing with a typed signature; visit(step) is called on each screen."""
    wizard.open(page, link)
    visit("1-landing")
    wizard.start(page, link)
    visit("2-verify")
    page.locator("#channel-sms").click()
    page.locator("#send-code").click()
    expect(page.locator("#verification-code")).to_be_visible()
    code = app_server.latest_code(link.phone)
    visit("3-code")
    wrong = "000000" if code != "000000" else "111111"
    page.locator("#verification-code").fill(wrong)
    page.locator("#verify-code").click()
    expect(page.locator("#verify-error")).to_be_visible()
    visit("4-wrong-code")
    wizard.enter_code(page, code)
    wizard.expect_heading(page, "review.title", locale)
    visit("5-review")
    page.locator("#report-problem").click()
    expect(page.locator("#problem-text")).to_be_focused()
    visit("6-problem-form")
    page.get_by_role("button", name=wizard.t("review.problem_cancel", locale)).click()
    wizard.go_sign(page, link, locale)
    visit("7-sign-draw")
    page.locator("#method-typed").click()
    page.locator("#typed-name").fill(link.guardian)
    expect(page.locator("#typed-preview")).to_contain_text(link.guardian)
    visit("8-sign-typed")
    for box in ("#consent", "#certify"):
        page.locator(box).click()
    page.locator("#submit-signature").click()
    wizard.expect_heading(page, "done.title", locale)
    visit("9-done")


def other_pages(page, wizard, app_server, fresh_link, backdate, locale: str, visit) -> None:
    """Outcome pages, the start page, the page for unknown addresses and the guide."""
    expired = fresh_link(verification=True, locale=locale)
    backdate(expired)
    wizard.open(page, expired, expect_key="status.expired.title")
    visit("10-expired")
    for path, heading, step in ((f"/sign/{secrets.token_urlsafe(32)}", "status.unknown.title", "11-unknown-link"),
                                ("/", "home.title", "12-start-page"),
                                ("/no/such/page", "not_found.title", "13-not-found"),
                                (f"/guide?lang={locale}", "guide.title", "14-guide")):
        app_server.forget_link_misses()
        page.goto(app_server.base_url + path)
        wizard.expect_heading(page, heading, locale)
        visit(step)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("locale", LOCALES)
def test_every_parent_page_meets_contrast_and_axe(new_context, wizard, app_server, fresh_link, backdate, locale,
                                                   scheme):
    page = new_context(color_scheme=scheme, locale=ACCEPT[locale],
                       extra_http_headers={"Accept-Language": ACCEPT[locale]}).new_page()
    problems: dict[str, list[str]] = {}

    def visit(step: str) -> None:
        found = contrast_problems(page) + serious_axe_violations(page)
        if found:
            problems[step] = found
        if scheme == "light":
            _shot(page, f"{locale}-{step}")

    link = fresh_link(verification=True, locale=locale)
    walk_signing(page, wizard, app_server, link, locale, visit)
    other_pages(page, wizard, app_server, fresh_link, backdate, locale, visit)
    assert not problems, "\n".join(f"{step}:\n  " + "\n  ".join(found) for step, found in problems.items())


@pytest.mark.parametrize("locale", LOCALES)
def test_200_percent_zoom_cuts_nothing_off_and_targets_are_44px(new_context, wizard, app_server, fresh_link,
                                                                 backdate, locale):
    # A 390 px phone at 200% zoom lays out 195 CSS px wide.
    page = new_context(viewport={"width": 195, "height": 422}, locale=ACCEPT[locale],
                       extra_http_headers={"Accept-Language": ACCEPT[locale]}).new_page()
    problems: dict[str, list[str]] = {}

    def visit(step: str) -> None:
        page.wait_for_timeout(300)
        found = clipped_text(page) + small_targets(page)
        if found:
            problems[step] = found
        _shot(page, f"zoom200-{locale}-{step}")

    walk_signing(page, wizard, app_server, fresh_link(verification=True, locale=locale), locale, visit)
    other_pages(page, wizard, app_server, fresh_link, backdate, locale, visit)
    assert not problems, "\n".join(f"{step}:\n  " + "\n  ".join(found) for step, found in problems.items())


def test_browser_text_size_setting_scales_the_parent_pages(_playwright, app_server, wizard, fresh_link, tmp_path):
    """Sizes are in rem and em: with Chromium's default text size at 32 px (the browser's own setting, set in
    its preferences) the words are twice as large and nothing is cut off."""
    import json

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

    def measure(font_size: int) -> tuple[tuple[float, ...], list[str]]:
        profile = tmp_path / f"profile-{font_size}"
        (profile / "Default").mkdir(parents=True)
        (profile / "Default" / "Preferences").write_text(json.dumps(
            {"webkit": {"webprefs": {"default_font_size": font_size}}}))
        context = _playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            **{**PHONE, "base_url": app_server.base_url})
        try:
            page = context.new_page()
            link = fresh_link(verification=False)
            wizard.open(page, link)
            wizard.start(page, link)
            page.wait_for_timeout(400)
            sizes = tuple(page.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{sel}')).fontSize)")
                          for sel in ("#step-heading", "#go-sign", "#attendance-days td"))
            return sizes, clipped_text(page) + small_targets(page)
        finally:
            context.close()

    normal, _ = measure(16)
    large, problems = measure(32)
    assert all(b >= 1.6 * a for a, b in zip(normal, large)), (normal, large)
    assert not problems, problems


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.id : ''")


def _tab_to(page, element_id: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused_id(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


@pytest.mark.parametrize("locale", LOCALES)
def test_keyboard_only_signing_with_a_typed_signature(page, wizard, app_server, fresh_link, locale):
    link = fresh_link(verification=True, locale=locale)
    wizard.open(page, link)
    _tab_to(page, "start")
    page.keyboard.press("Enter")
    wizard.expect_heading(page, "verify.title", locale)
    expect(page.locator("#step-heading")).to_be_focused()  # the new step is announced; Tab goes on from there
    _tab_to(page, "channel-email")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#channel-sms")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#channel-sms")).to_have_attribute("aria-checked", "true", timeout=15_000)
    _tab_to(page, "send-code")
    page.keyboard.press("Enter")
    expect(page.locator("#verification-code")).to_be_focused()
    page.keyboard.type(app_server.latest_code(link.phone))
    page.keyboard.press("Enter")
    wizard.expect_heading(page, "review.title", locale)
    expect(page.locator("#step-heading")).to_be_focused()
    _tab_to(page, "go-sign")
    page.keyboard.press("Enter")
    wizard.expect_heading(page, "sign.title", locale)
    expect(page.locator("#step-heading")).to_be_focused()

    # SUBMIT before anything is done: reachable, aria-disabled, its reason read out, pressing it says what is missing.
    submit = page.locator("#submit-signature")
    _tab_to(page, "submit-signature")
    expect(submit).to_have_attribute("aria-disabled", "true")
    assert submit.evaluate("b => !b.disabled")  # not `disabled` (Tab just reached it): aria-disabled only
    hint = page.locator("#submit-hint")
    assert "submit-hint" in submit.get_attribute("aria-describedby")
    expect(hint).to_have_text(wizard.t("sign.need_all", locale))
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_contain_text(wizard.t("sign.missing_signature", locale))
    expect(page.locator("#sign-error")).to_contain_text(wizard.t("sign.missing_certify", locale))

    # Type the name instead of drawing: radio by arrows, the name, both boxes by Space, SUBMIT by Enter.
    page.locator("#step-heading").focus()
    _tab_to(page, "method-drawn")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#method-typed")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#method-typed")).to_have_attribute("aria-checked", "true")
    _tab_to(page, "typed-name")
    page.keyboard.type(link.guardian)
    expect(page.locator("#typed-preview")).to_have_attribute("aria-label", re.compile(re.escape(link.guardian)))
    for box in ("consent", "certify"):
        _tab_to(page, box)
        page.keyboard.press("Space")
        expect(page.locator(f"#{box}")).to_have_attribute("aria-checked", "true")
    _tab_to(page, "submit-signature")
    expect(submit).to_have_attribute("aria-disabled", "false")
    page.keyboard.press("Enter")
    wizard.expect_heading(page, "done.title", locale)
    expect(page.locator("#step-heading")).to_be_focused()

    from sqlmodel import select

    from careconnect_app.models import Signature

    with app_server.server_db() as s:
        signature = s.exec(select(Signature).where(Signature.signing_request_id == link.request_id)).one()
        assert (signature.signature_method, signature.typed_name) == ("typed", link.guardian)
        assert signature.png.startswith(b"\x89PNG")


def _live_regions(page) -> list[str]:
    """The page's live regions that hold text. The frame's service notice (components/frame.py) is
    one too, but it holds text only when a handler failed, which the server cannot say itself."""
    return page.evaluate("""() => [...document.querySelectorAll('[aria-live], [role=status], [role=alert]')]
        .filter(e => e.id !== '__next-route-announcer__' && !e.closest('[data-sonner-toaster], section[aria-label^="Notifications"]'))
        .filter(e => e.id !== 'service-notice' || e.textContent !== '')
        .map(e => e.id || e.tagName)""")


@pytest.mark.parametrize("locale", LOCALES)
def test_focus_moves_and_each_status_is_announced_once(page, wizard, app_server, fresh_link, locale):
    link = fresh_link(verification=True, locale=locale)
    wizard.open(page, link)
    wizard.start(page, link)
    page.locator("#channel-sms").click()
    page.locator("#send-code").click()
    code = app_server.latest_code(link.phone)
    announcer = page.locator("#announcer")
    expect(announcer).to_contain_text(link.phone[-4:])  # "We sent a code to (***) ***-1234"
    assert _live_regions(page) == ["announcer"], _live_regions(page)

    # A wrong code: kept, marked invalid, pointing at the message, said once.
    field = page.locator("#verification-code")
    wrong = "000000" if code != "000000" else "111111"
    field.fill(wrong)
    page.locator("#verify-code").click()
    expected = wizard.t("verify.error.wrong#other", locale).format(tries=4)
    expect(page.locator("#verify-error")).to_have_text(expected)
    expect(announcer).to_have_text(expected)
    expect(field).to_have_value(wrong)
    expect(field).to_have_attribute("aria-invalid", "true")
    assert "verify-error" in field.get_attribute("aria-describedby")
    assert _live_regions(page) == ["announcer"], _live_regions(page)

    field.fill(code)
    page.locator("#verify-code").click()
    wizard.expect_heading(page, "review.title", locale)
    expect(page.locator("#step-heading")).to_be_focused()

    # Report a problem: focus into the form; sent: focus on the confirmation.
    page.locator("#report-problem").click()
    expect(page.locator("#problem-text")).to_be_focused()
    page.keyboard.type("Tuesday should be 8:00 to 15:00")
    page.locator("#send-problem").click()
    wizard.expect_heading(page, "status.disputed.title", locale)
    expect(page.locator("#status-heading")).to_be_focused()
    assert _live_regions(page) == ["announcer"], _live_regions(page)


@pytest.mark.parametrize("locale", LOCALES)
def test_review_hides_no_day_and_reads_hours_as_durations(page, wizard, fresh_link, locale):
    link = fresh_link(verification=False, locale=locale)  # Monday to Friday recorded, the weekend not
    wizard.open(page, link)
    wizard.start(page, link)
    rows = page.locator("#attendance-days tbody tr")
    expect(rows).to_have_count(7)
    expect(page.locator("#attendance-days tbody tr.cc-no-record")).to_have_count(2)
    expect(page.locator("#attendance-days tbody tr.cc-no-record td").first).to_contain_text("—")
    expect(page.locator("#days-no-record")).to_have_text("2")
    note = {"en": "2 days of the period have no record", "es": "2 días del período no tienen registro"}[locale]
    expect(page.locator("#no-record-note")).to_contain_text(note)
    first_hours = rows.first.locator("td").last.inner_text().replace("\u00a0", " ")
    assert first_hours == "8 h 30 min", first_hours
    total = page.locator("#total-hours").inner_text().replace("\u00a0", " ")
    assert re.fullmatch(r"\d+ h( \d+ min)?", total) and ":" not in total, total
    # Dates stay on one line.
    assert "\u00a0" in rows.first.locator("th").inner_text()


@pytest.mark.parametrize("locale", LOCALES)
def test_the_clients_words_on_screen_in_the_guide_and_its_pdf(page, wizard, app_server, fresh_link, locale):
    link = fresh_link(verification=True, locale=locale)
    wizard.open(page, link)
    wizard.start(page, link)
    words = CLIENT_WORDS[locale]
    expect(page.locator("#send-code")).to_have_text(words["verify.send"])
    page.locator("#send-code").click()
    expect(page.locator("#verify-code")).to_have_text(words["verify.verify"])
    wizard.enter_code(page, app_server.latest_code(link.email))
    expect(page.locator("#go-sign")).to_have_text(words["review.sign"])
    wizard.go_sign(page, link, locale)
    expect(page.locator("#submit-signature")).to_have_text(words["sign.submit"])
    # The SMS code message keeps "código" (accents fit one segment).
    page.goto(f"{app_server.base_url}/guide?lang={locale}")
    wizard.expect_heading(page, "guide.title", locale)
    guide = page.locator("#main").inner_text()
    for label in words.values():
        assert f"“{label}”" in guide, label
    with page.expect_download() as download:
        page.locator("#download-guide").click()
    from pypdf import PdfReader

    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        Path(download.value.path()).read_bytes())).pages))
    for label in words.values():
        assert re.sub(r"\s+", "", f"“{label}”") in text, label


def test_spanish_code_sms_keeps_its_accents_and_plurals_are_right(page, wizard, app_server, fresh_link):
    link = fresh_link(verification=True, locale="es")
    wizard.open(page, link)
    wizard.start(page, link)
    page.locator("#channel-sms").click()
    page.locator("#send-code").click()
    code = app_server.latest_code(link.phone)
    sms = app_server.read_outbox("verification_code", link.phone)[-1]["text"]
    assert "código" in sms, sms
    wrong = "000000" if code != "000000" else "111111"
    for tries_left in (4, 3, 2, 1):
        page.locator("#verification-code").fill(wrong)
        page.locator("#verify-code").click()
        expected = "Le queda 1 intento." if tries_left == 1 else f"Le quedan {tries_left} intentos."
        expect(page.locator("#verify-error")).to_contain_text(expected)


@pytest.mark.parametrize("locale", LOCALES)
def test_no_dead_ends(new_context, wizard, app_server, fresh_link, backdate, locale):
    page = new_context(locale=ACCEPT[locale], extra_http_headers={"Accept-Language": ACCEPT[locale]}).new_page()
    # The start page: what this is, the guide (in this language) and the portal.
    page.goto(f"{app_server.base_url}/")
    wizard.expect_heading(page, "home.title", locale)
    expect(page.locator("#home-guide")).to_have_attribute("href", f"/guide?lang={locale}")
    expect(page.locator("#home-portal")).to_have_attribute("href", "/portal")
    # An unknown address: a branded page in the browser's language, with help.
    page.goto(f"{app_server.base_url}/sing/oops")
    wizard.expect_heading(page, "not_found.title", locale)
    expect(page.locator("#not-found-home")).to_be_visible()
    # Expired and recalled links: the provider is one tap away.
    expired = fresh_link(verification=True, locale=locale)
    backdate(expired)
    wizard.open(page, expired, expect_key="status.expired.title")
    expect(page.locator("#call-provider")).to_have_attribute("href", "tel:+15555550142")
    expect(page.locator("#call-provider")).to_contain_text("(555) 555-0142")
    recalled = fresh_link(verification=True, locale=locale)
    from careconnect_app.models import AttendanceSheet
    from careconnect_app.portal import submission

    with app_server.server_db() as s:
        submission.recall_sheet(s, s.get(AttendanceSheet, recalled.sheet_id))
    wizard.open(page, recalled, expect_key="status.recalled.title")
    expect(page.locator("#call-provider")).to_have_attribute("href", "tel:+15555550142")
    # The guide opens in the page's language.
    link = fresh_link(verification=True, locale=locale)
    wizard.open(page, link)
    expect(page.locator("#landing-guide")).to_have_attribute("href", f"/guide?lang={locale}")


def test_first_paint_keeps_the_header_in_place(new_context, wizard, app_server, fresh_link):
    """The server-rendered first paint draws the header the app draws: it does not move when the app
    loads. Its scripts and stylesheets are held back, as on a slow phone, so the first paint stands alone."""
    page = new_context().new_page()
    link = fresh_link(verification=True, locale="es")
    release = hold_back(page, re.compile(r".*\.(js|css)(\?.*)?$"))
    page.goto(link.url, wait_until="commit")
    page.wait_for_selector("#cc-preview header")
    before = page.locator("#cc-preview header").bounding_box()
    brand_before = page.locator("#cc-preview .cc-brand").bounding_box()
    assert page.locator("#cc-preview .cc-brand").inner_text() == "CareConnect Firma"
    release()
    wizard.expect_heading(page, "landing.title", "es")
    expect(page.locator("#cc-preview")).to_have_count(0)
    after = page.locator("header").first.bounding_box()
    brand_after = page.locator("header").first.get_by_text("CareConnect Firma").bounding_box()
    assert abs(after["height"] - before["height"]) <= 2 and abs(after["y"] - before["y"]) <= 1, (before, after)
    assert abs(brand_after["y"] - brand_before["y"]) <= 3 and abs(brand_after["x"] - brand_before["x"]) <= 32, (
        brand_before, brand_after)
