"""Portal accounts in Chromium against the real app: two-step sign-in (enrolment, code, replay, recovery
code), "forgot password" through the outbox email, password change ending other sessions, the idle
warning and the idle end, and a guardian's contact change while a request is open (notice, approval).

Each test makes its own agency and logins through the services, so it runs in any order.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.connection import hold_back
from tests.support.totp import fresh_code

PASSWORD = "correct-horse-battery-9"


def _agency_with_logins(server, *, require_provider_2fa: bool = False, approval: bool = False) -> dict:
    """A new agency, its provider, a provider-staff login and an agency-admin login (not enrolled)."""
    from careconnect_app.models import Agency, Provider
    from careconnect_app.portal import accounts

    uid = uuid.uuid4().hex[:8]
    with server.server_db() as s:
        agency = Agency(name=f"Agency {uid}", require_provider_2fa=require_provider_2fa,
                        require_contact_change_approval=approval, contact_phone="+15555550100")
        s.add(agency)
        s.flush()
        provider = Provider(agency_id=agency.id, name=f"Provider {uid}", email=f"office-{uid}@example.com")
        s.add(provider)
        s.flush()
        staff = accounts.create_user(s, email=f"staff-{uid}@example.com", name="Staff", password=PASSWORD,
                                     role="provider", agency_id=agency.id, provider_id=provider.id)
        admin = accounts.create_user(s, email=f"admin-{uid}@example.com", name="Admin", password=PASSWORD,
                                     role="agency_admin", agency_id=agency.id)
        return {"agency": agency.id, "provider": provider.id, "staff": staff.email, "admin": admin.email,
                "uid": uid}


def _password_step(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/portal/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")


def _enrol(page, email: str, after_password: bool = False) -> tuple[str, list[str]]:
    """Sign in for the first time as a user who must enrol; returns (secret, recovery codes)."""
    if not after_password:
        _password_step(page, email)
    page.wait_for_url(re.compile(r".*/portal/two-step$"))
    expect(page.locator("#totp-qr")).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.fill("#two-step-code", "000000")
    page.click("#two-step-submit")
    expect(page.locator("#two-step-error")).to_contain_text("not correct")
    page.fill("#two-step-code", fresh_code(secret))
    page.click("#two-step-submit")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    codes = [c.strip() for c in page.locator("#recovery-codes li").all_inner_texts()]
    page.click("#recovery-done")
    page.wait_for_url(re.compile(r".*/portal$"))
    page.locator("#counts").wait_for()
    return secret, codes


def _log_out(page) -> None:
    page.click("#logout")
    page.wait_for_url(re.compile(r".*/portal/login$"))


def test_a_sign_in_sent_before_the_page_is_ready_goes_nowhere(app_server, new_context):
    """On a slow phone the sign-in form is on screen before the page's JavaScript: Enter or a tap on
    "Sign in" then must not send the form natively (a POST to the page's own address, or a GET with
    the password in the URL); the button waits, and signing in works once the page is ready."""
    ids = _agency_with_logins(app_server)
    page = new_context().new_page()
    release, native = hold_back(page, re.compile(r".*\.js(\?.*)?$")), []
    page.on("request", lambda r: native.append(r.url) if r.resource_type == "document" and (
        r.method == "POST" or "password" in r.url) else None)
    page.goto("/portal/login", wait_until="commit")
    page.wait_for_selector("#login-submit")
    page.fill("#email", ids["staff"])
    page.fill("#password", PASSWORD)
    expect(page.locator("#login-submit")).to_be_disabled()
    page.press("#password", "Enter")
    page.locator("#login-submit").click(force=True)
    page.wait_for_timeout(500)  # a native submit would have left by now
    assert native == [] and re.fullmatch(r".*/portal/login/?", page.url), (native, page.url)
    release()
    expect(page.locator("#login-submit")).to_be_enabled()
    page.fill("#email", ids["staff"])
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/portal$"))
    assert native == [], native


def test_admin_enrols_then_signs_in_with_the_code_and_cannot_replay_it(app_server, new_context):
    ids = _agency_with_logins(app_server)
    page = new_context().new_page()
    # Before enrolment the half-signed-in session reaches no portal page.
    _password_step(page, ids["admin"])
    page.wait_for_url(re.compile(r".*/portal/two-step$"))
    page.goto("/portal/children")
    page.wait_for_url(re.compile(r".*/portal/two-step$"))
    page.goto("/portal/login")  # the login page sends the half-signed-in session back to its step
    secret, codes = _enrol(page, ids["admin"], after_password=True)
    assert len(set(codes)) == 10
    messages = app_server.wait_outbox("account_security", ids["admin"])
    assert "Two-step" in messages[-1]["subject"]
    _log_out(page)

    _password_step(page, ids["admin"])
    page.wait_for_url(re.compile(r".*/portal/login/code$"))
    code = fresh_code(secret)
    page.fill("#two-step-code", code)
    page.click("#two-step-submit")
    page.wait_for_url(re.compile(r".*/portal$"))
    _log_out(page)

    # The same code again (someone saw it over a shoulder): refused.
    _password_step(page, ids["admin"])
    page.wait_for_url(re.compile(r".*/portal/login/code$"))
    page.fill("#two-step-code", code)
    page.click("#two-step-submit")
    expect(page.locator("#two-step-error")).to_contain_text("already used")
    # A recovery code works once.
    page.fill("#two-step-code", codes[0])
    page.click("#two-step-submit")
    page.wait_for_url(re.compile(r".*/portal$"))
    page.goto("/portal/account")
    expect(page.locator("#two-factor-status")).to_contain_text("Recovery codes left: 9")
    # New recovery codes need the app's current code; the old ones stop working.
    page.fill("#renew-code", fresh_code(secret))
    page.click("#renew-codes")
    expect(page.locator("#new-recovery-codes li")).to_have_count(10)
    expect(page.locator("#two-factor-status")).to_contain_text("Recovery codes left: 10")


def test_provider_staff_enrol_when_the_agency_requires_it(app_server, new_context):
    ids = _agency_with_logins(app_server, require_provider_2fa=True)
    page = new_context().new_page()
    _enrol(page, ids["staff"])


def test_forgot_password_through_the_outbox_email(app_server, new_context):
    ids = _agency_with_logins(app_server)
    signed_in = new_context().new_page()
    _password_step(signed_in, ids["staff"])
    signed_in.wait_for_url(re.compile(r".*/portal$"))

    page = new_context().new_page()
    page.goto("/portal/login")
    page.click("#forgot-link")
    page.wait_for_url(re.compile(r".*/portal/forgot$"))
    page.fill("#forgot-email", "nobody-" + ids["uid"] + "@example.com")
    page.click("#forgot-submit")
    same_answer = page.locator("#forgot-sent").inner_text()
    page.fill("#forgot-email", ids["staff"])
    page.click("#forgot-submit")
    expect(page.locator("#forgot-sent")).to_have_text(same_answer)
    email = app_server.wait_outbox("password_reset", ids["staff"])[-1]
    link = re.search(r"https?://\S+/portal/reset/[A-Za-z0-9_\-]+", email["text"]).group(0)
    assert not app_server.read_outbox("password_reset", "nobody-" + ids["uid"] + "@example.com")

    page.goto(link)
    page.fill("#new-password", "password123")
    page.fill("#confirm-password", "password123")
    page.click("#reset-submit")
    expect(page.locator("#reset-error")).to_contain_text("too common")
    page.fill("#new-password", "lantern-orbit-meadow-4")
    page.fill("#confirm-password", "lantern-orbit-meadow-4")
    page.click("#reset-submit")
    expect(page.locator("#reset-done")).to_be_visible()
    # The link is spent, and the session signed in before the reset is over.
    page.goto(link)
    expect(page.locator("#reset-dead")).to_be_visible()
    signed_in.goto("/portal/children")
    signed_in.wait_for_url(re.compile(r".*/portal/login$"))
    _password_step(page, ids["staff"], "lantern-orbit-meadow-4")
    page.wait_for_url(re.compile(r".*/portal$"))


def test_password_change_ends_other_sessions_and_tells_the_user(app_server, new_context):
    ids = _agency_with_logins(app_server)
    other = new_context().new_page()
    _password_step(other, ids["staff"])
    other.wait_for_url(re.compile(r".*/portal$"))
    page = new_context().new_page()
    _password_step(page, ids["staff"])
    page.wait_for_url(re.compile(r".*/portal$"))
    page.goto("/portal/account")
    page.fill("#current-password", "wrong-one-entirely")
    page.fill("#new-password", "lantern-orbit-meadow-5")
    page.fill("#confirm-password", "lantern-orbit-meadow-5")
    page.click("#change-password")
    expect(page.locator("#password-error")).to_contain_text("current password is not correct")
    page.fill("#current-password", PASSWORD)
    page.fill("#new-password", "lantern-orbit-meadow-5")
    page.fill("#confirm-password", "lantern-orbit-meadow-5")
    page.click("#change-password")
    expect(page.locator("#password-info")).to_contain_text("Password changed")
    assert app_server.wait_outbox("account_security", ids["staff"])[-1]["subject"].endswith("was changed")
    page.goto("/portal/children")
    page.locator("#page-heading").wait_for()  # this session stays
    other.goto("/portal/children")
    other.wait_for_url(re.compile(r".*/portal/login$"))


def _backdate_sessions(server, email: str, seconds: int) -> None:
    from sqlmodel import select

    from careconnect_app.clock import utcnow
    from careconnect_app.models import PortalSession, PortalUser

    with server.server_db() as s:
        user = s.exec(select(PortalUser).where(PortalUser.email == email)).one()
        for row in s.exec(select(PortalSession).where(PortalSession.user_id == user.id)).all():
            row.last_seen_at = utcnow() - timedelta(seconds=seconds)
            s.add(row)


def test_idle_warning_then_idle_end(app_server, new_context):
    """30 minutes without activity end the session; a dialog warns 5 minutes before."""
    ids = _agency_with_logins(app_server)
    page = new_context().new_page()
    _password_step(page, ids["staff"])
    page.wait_for_url(re.compile(r".*/portal$"))
    page.locator("#counts").wait_for()
    _backdate_sessions(app_server, ids["staff"], 26 * 60)  # 4 minutes left
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=20_000)
    expect(dialog).to_contain_text("signed out")
    expect(page.locator("#stay-signed-in")).to_be_focused()
    page.click("#stay-signed-in")
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(5000)  # the page keeps asking; the session has 30 minutes again
    expect(dialog).to_be_hidden()
    _backdate_sessions(app_server, ids["staff"], 30 * 60 + 5)
    page.wait_for_url(re.compile(r".*/portal/login$"), timeout=20_000)
    expect(page.locator("#idle-notice")).to_contain_text("30 minutes without activity")
    page.goto("/portal/children")
    page.wait_for_url(re.compile(r".*/portal/login$"))


def _family_with_open_request(server, ids: dict) -> dict:
    from careconnect_app.models import Agency, Provider
    from tests.fakes.data import make_family

    with server.server_db() as s:
        family = make_family(s, agency=s.get(Agency, ids["agency"]), email=f"ana-{ids['uid']}@example.com",
                             phone="+15555550123", child=("Mateo", f"Test{ids['uid']}"))
        # make_family adds its own provider: move the family to the agency's provider of the logins.
        provider = s.get(Provider, ids["provider"])
        for row in (family.child, family.guardian, family.sheet):
            row.provider_id = provider.id
            s.add(row)
        return {"child": family.child.full_name, "email": family.guardian.email, "sheet": family.sheet.id}


@pytest.mark.parametrize("approval", [False, True], ids=["notice", "approval"])
def test_contact_change_during_an_open_request(app_server, new_context, approval):
    ids = _agency_with_logins(app_server, approval=approval)
    family = _family_with_open_request(app_server, ids)
    page = new_context().new_page()
    _password_step(page, ids["staff"])
    page.wait_for_url(re.compile(r".*/portal$"))
    page.goto("/portal/children")
    card = page.locator(f'[data-child="{family["child"]}"]')
    card.get_by_role("button", name="Edit Ana García").click()
    page.fill("#g-email", f"new-{ids['uid']}@example.com")
    page.click("#save-guardian")
    info = page.locator("#guardian-info")
    expect(info).to_contain_text("waits for the agency's approval" if approval else "previous contact was told")
    told = app_server.wait_outbox("contact_changed", family["email"])[-1]
    assert "n***@example.com" in told["text"] and f"new-{ids['uid']}" not in told["text"]
    if not approval:
        return
    expect(card).to_contain_text("Waiting for the agency's approval")
    # The agency admin approves (enrolling first: admins always use two-step sign-in).
    admin = new_context(viewport={"width": 1280, "height": 800}, is_mobile=False, has_touch=False).new_page()
    _enrol(admin, ids["admin"])
    admin.goto("/portal/settings")
    change = admin.locator('[data-change="Ana García"]')
    expect(change).to_contain_text("a***@example.com → n***@example.com")
    change.get_by_role("button", name=re.compile("^Approve")).click()
    expect(admin.locator("#approvals-info")).to_contain_text("Approved")
    page.reload()
    expect(page.locator(f'[data-child="{family["child"]}"]')).to_contain_text(f"new-{ids['uid']}@example.com")
    from sqlmodel import select

    from careconnect_app.models import AuditEvent

    with app_server.server_db() as s:  # on the open sheet's trail (the certificate prints it)
        events = s.exec(select(AuditEvent.event).where(AuditEvent.sheet_id == family["sheet"])).all()
    assert {"contact_change_requested", "contact_change_approved"} <= set(events)

