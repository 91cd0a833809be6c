"""Accessibility of every parent page and step, in English and Spanish.

- axe-core (bundled in axe-playwright-python, nothing downloaded): no serious/critical violations;
- every button, input, radio, checkbox, link and the pad has an accessible name (Chromium's AX tree);
- a keyboard-only parent (Tab/Enter/Space) reaches and operates Start ... up to the pad;
- at 200% zoom on a phone (195x422 CSS px) no page scrolls sideways.
"""

from __future__ import annotations

import json
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e

PAGES = ["landing", "verify", "code", "review", "sign", "done", "expired", "unknown", "guide", "check_copy"]
LOCALES = ["en", "es"]
NAMED_ROLES = {"button", "textbox", "radio", "checkbox", "link", "combobox", "switch", "img", "searchbox",
               "spinbutton", "slider", "menuitem", "tab"}


def open_page(page, name: str, locale: str, *, wizard, fresh_link, backdate, app_server):
    """Bring `page` to one parent page/step in `locale`; returns the link used (or None)."""
    if name == "guide":
        page.goto(f"{app_server.base_url}/guide?lang={locale}")
        wizard.expect_heading(page, "guide.title", locale)
        return None
    if name == "check_copy":  # the public /verify page (anyone checks a signed copy)
        page.goto(f"{app_server.base_url}/verify?lang={locale}")
        title = json.loads((REPO_ROOT / "translations" / locale / "verify.json").read_text(encoding="utf-8"))["title"]
        expect(page.locator("#main h1")).to_have_text(title)
        return None
    if name == "unknown":
        app_server.forget_link_misses()
        page.goto(f"{app_server.base_url}/sign/{secrets.token_urlsafe(32)}")
        wizard.expect_heading(page, "status.unknown.title", "en")
        if locale == "es":
            page.locator("#language-switch").click()
            wizard.expect_heading(page, "status.unknown.title", "es")
        return None
    link = fresh_link(verification=True, locale=locale)
    if name == "expired":
        backdate(link)
        wizard.open(page, link, expect_key="status.expired.title")
        return link
    wizard.open(page, link)
    if name == "landing":
        return link
    wizard.start(page, link)
    if name == "verify":
        return link
    code = wizard.send_code(page, link, "sms")
    if name == "code":
        return link
    wizard.enter_code(page, code)
    wizard.expect_heading(page, "review.title", locale)
    if name == "review":
        return link
    wizard.go_sign(page, link)
    if name == "sign":
        return link
    wizard.sign_and_submit(page, link)
    return link


def serious_axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_timeout(300)  # let transitions settle (colour contrast is measured on screen)
    results = Axe().run(page)
    problems = []
    for v in results.response["violations"]:
        if v.get("impact") in ("serious", "critical"):
            targets = [", ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])][:6]
            problems.append(f"[{v['impact']}] {v['id']}: {v['help']} -> {targets}")
    return problems


def unnamed_controls(page) -> list[str]:
    """Interactive elements (and the pad, role=img) whose accessible name is empty."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    missing = []
    for node in nodes:
        if node.get("ignored"):
            continue
        role = (node.get("role") or {}).get("value", "")
        if role not in NAMED_ROLES:
            continue
        name = str((node.get("name") or {}).get("value", "")).strip()
        if not name:
            missing.append(f"{role} (backend node {node.get('backendDOMNodeId')})")
    return missing


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_axe_violations_and_named_controls(page, name, locale, wizard, fresh_link, backdate,
                                                                app_server):
    open_page(page, name, locale, wizard=wizard, fresh_link=fresh_link, backdate=backdate, app_server=app_server)
    expect(page.locator("html [lang='%s']" % locale).first).to_be_attached()
    problems = serious_axe_violations(page)
    unnamed = unnamed_controls(page)
    assert not problems and not unnamed, (
        f"{name}/{locale}:\naxe serious/critical:\n  " + "\n  ".join(problems)
        + "\ncontrols without an accessible name:\n  " + "\n  ".join(unnamed)
    )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", PAGES)
def test_no_horizontal_scroll_at_200_percent_zoom(new_context, name, locale, wizard, fresh_link, backdate,
                                                  app_server):
    # A 390 px phone at 200% zoom lays out 195 CSS px wide.
    page = new_context(viewport={"width": 195, "height": 422}, device_scale_factor=4).new_page()
    open_page(page, name, locale, wizard=wizard, fresh_link=fresh_link, backdate=backdate, app_server=app_server)
    page.wait_for_timeout(300)
    sizes = page.evaluate("""() => {
        const d = document.documentElement;
        const wide = [];
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width && r.right > d.clientWidth + 1) wide.push(
                el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' right=' + Math.round(r.right));
        }
        return {scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, wide: wide.slice(0, 8)};
    }""")
    assert sizes["scrollWidth"] <= sizes["clientWidth"] + 1, f"{name}/{locale} scrolls sideways: {sizes}"


def _focused(page) -> dict:
    return page.evaluate("""() => {
        const a = document.activeElement;
        return {id: a ? a.id : '', tag: a ? a.tagName : '', role: a ? a.getAttribute('role') : '',
                text: a ? (a.innerText || a.getAttribute('aria-label') || '').trim().slice(0, 60) : '',
                inPad: !!(a && a.closest('#signature-pad'))};
    }""")


def tab_to(page, predicate, limit: int = 40) -> dict:
    """Press Tab until predicate(focused) holds; fails with the visited elements otherwise."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        seen.append(focused)
        if predicate(focused):
            return focused
    raise AssertionError(f"Tab never reached the target; visited: {seen}")


@pytest.mark.parametrize("locale", LOCALES)
def test_keyboard_only_flow_up_to_the_pad(page, locale, wizard, fresh_link, app_server):
    link = fresh_link(verification=True, locale=locale)
    wizard.open(page, link)
    # The first Tab is the skip link.
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == wizard.t("skip_to_content", locale)

    tab_to(page, lambda f: f["id"] == "start")
    page.keyboard.press("Enter")
    wizard.expect_heading(page, "verify.title", locale)
    # The new step is announced before the parent tabs on (a focus that moved late, on a busy
    # machine, would take the keys pressed meanwhile: Space below once landed on the heading).
    expect(page.locator("#step-heading")).to_be_focused()

    # Channel choice: Tab into the radio group, arrows move, Space selects.
    first = tab_to(page, lambda f: f["role"] == "radio")
    assert first["id"] == "channel-email"  # the checked (first) option takes the focus
    page.keyboard.press("ArrowDown")
    expect(page.locator("#channel-sms")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#channel-sms")).to_have_attribute("aria-checked", "true")

    tab_to(page, lambda f: f["id"] == "send-code")
    page.keyboard.press("Enter")
    expect(page.locator("#verification-code")).to_be_visible()
    code = app_server.latest_code(link.phone)
    # Focus moves to the code field; otherwise Tab reaches it.
    expect(page.locator("#verification-code")).to_be_focused()
    page.keyboard.type(code)
    tab_to(page, lambda f: f["id"] == "verify-code")
    page.keyboard.press("Space")
    wizard.expect_heading(page, "review.title", locale)
    expect(page.locator("#step-heading")).to_be_focused()  # the new step is announced

    tab_to(page, lambda f: f["id"] == "go-sign")
    page.keyboard.press("Enter")
    wizard.expect_heading(page, "sign.title", locale)
    expect(page.locator("#step-heading")).to_be_focused()

    # Up to the pad: its Clear button is reachable, then the two checkboxes work with Space.
    pad = tab_to(page, lambda f: f["inPad"])
    assert pad["text"] == wizard.t("sign.clear", locale)
    for box in ("consent", "certify"):
        tab_to(page, lambda f, box=box: f["id"] == box)
        page.keyboard.press("Space")
        expect(page.locator(f"#{box}")).to_have_attribute("aria-checked", "true")
    expect(page.locator("#submit-signature")).to_have_attribute("aria-disabled", "true")  # still needs a signature
