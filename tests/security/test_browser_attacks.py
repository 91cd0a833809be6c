"""What only a browser can tell: the Content-Security-Policy holds on every page without breaking any,
an injected script does not run, and nothing frames the app."""

from __future__ import annotations

import math

import pytest

from careconnect_app.demo import DEMO_ADMIN_TOTP_SECRET
from tests.security.conftest import ADMIN, verify_in_browser
from tests.support.totp import fresh_code

# Records every violation the page reports (before any of the app's scripts run).
WATCH_CSP = ("window.__csp = [];"
             "document.addEventListener('securitypolicyviolation', e => window.__csp.push("
             "e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));")


@pytest.fixture
def watched(browser, live):
    """Factory: a browser context whose pages record CSP violations and console CSP errors."""
    contexts, reports = [], []

    def make(**options):
        context = browser.new_context(base_url=live.base_url, **options)
        context.set_default_timeout(20_000)
        context.add_init_script(WATCH_CSP)
        context.on("page", lambda page: page.on(
            "console", lambda message: reports.append(message.text)
            if "Content Security Policy" in message.text else None))
        contexts.append(context)
        return context

    yield make, reports
    for context in contexts:
        context.close()


def _violations(page) -> list[str]:
    return page.evaluate("window.__csp || []")


def _draw(page) -> None:
    canvas = page.locator("#signature-pad canvas")
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(250)
    box = canvas.bounding_box()
    for k in range(3):
        page.mouse.move(box["x"] + box["width"] * (0.1 + 0.25 * k), box["y"] + box["height"] * 0.5)
        page.mouse.down()
        for i in range(1, 30):
            t = i / 29
            page.mouse.move(box["x"] + box["width"] * (0.1 + 0.25 * k + 0.2 * t),
                            box["y"] + box["height"] * (0.5 - 0.2 * math.sin(t * 3 * math.pi + k)), steps=2)
        page.mouse.up()
    page.wait_for_timeout(300)


def test_every_page_sends_a_strict_policy(live):
    for path in ("/sign/unknown-token", "/portal/login", "/portal", "/guide", "/ping"):
        _status, headers, _body = live.get(path)
        policy = {part.split()[0]: part.split()[1:] for part in headers["content-security-policy"].split("; ")}
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
        assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "no-referrer"


def test_the_parent_journey_runs_under_the_policy(watched, live, fresh_link):
    """Every step of a parent's signing, with verification, reports no CSP violation (so the policy
    blocks nothing the app needs, and the app needs nothing a stricter policy would allow)."""
    make, reports = watched
    link = fresh_link(verification=True)
    page = make(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    verify_in_browser(page, live, link)
    page.locator("#go-sign").click()
    _draw(page)
    page.locator("#consent").click()
    page.locator("#certify").click()
    page.locator("#submit-signature").click()
    page.locator("#reference").wait_for()
    with page.expect_download() as download:  # the parent's PDF copy (a data: URL download)
        page.locator("#download-copy").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.reload()
    page.locator("#reference").wait_for()
    assert _violations(page) == [] and reports == []


def test_the_portal_runs_under_the_policy(watched, live, fresh_link):
    make, reports = watched
    page = make(viewport={"width": 1280, "height": 800}).new_page()
    page.goto("/portal/login")
    page.fill("#email", ADMIN[0])
    page.fill("#password", ADMIN[1])
    page.click("#login-submit")
    page.wait_for_url(live.base_url + "/portal/login/code")  # agency admins sign in with a second step
    page.fill("#two-step-code", fresh_code(DEMO_ADMIN_TOTP_SECRET))
    page.press("#two-step-code", "Enter")
    page.wait_for_url(live.base_url + "/portal")
    page.locator("#counts").wait_for()
    seen = list(_violations(page))
    for path, ready in (("/portal/children", "h1"), ("/portal/settings", "h1")):
        page.goto(path)
        page.locator(ready).first.wait_for()
        page.wait_for_timeout(500)
        seen += _violations(page)
    page.goto("/portal")
    page.locator("#counts").wait_for()
    page.locator("a[href^='/portal/sheets/']").first.click()
    page.locator("h1").first.wait_for()
    page.wait_for_timeout(500)
    seen += _violations(page)
    assert seen == [] and reports == []


def test_an_injected_script_does_not_run(watched, live, fresh_link):
    """Should anything ever slip markup into a page, neither a script element nor an event attribute runs."""
    make, _reports = watched
    link = fresh_link(verification=False)
    page = make().new_page()
    page.goto(link.path)
    page.locator("#start").wait_for()
    page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.__pwned = "script"';
        document.body.appendChild(s);
        document.body.insertAdjacentHTML('beforeend', '<img src="x" onerror="window.__pwned = \\'attribute\\'">');
    }""")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned === undefined")
    assert any("script-src" in violation for violation in _violations(page))


def test_no_other_site_may_frame_the_wizard(browser, live, fresh_link):
    """Clickjacking: a page of another origin puts the signing page in an iframe."""
    link = fresh_link(verification=False)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(f'<iframe id="f" src="{live.base_url}{link.path}" width="400" height="600"></iframe>')
        page.wait_for_timeout(3000)
        frame = page.frame_locator("#f")
        assert frame.locator("#start").count() == 0
    finally:
        context.close()
