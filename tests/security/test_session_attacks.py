"""Attacks on what the browser holds: secrets in the state it receives, and the session cookies."""

from __future__ import annotations

import hashlib

from sqlmodel import select

from careconnect_app.common.cookie_tickets import PARENT_SESSION_COOKIE, PORTAL_SESSION_COOKIE
from careconnect_app.common.crypto import sha256_hex
from careconnect_app.models import LinkToken, ParentSession, PortalSession
from careconnect_app.pages.portal.base_state import PortalState
from careconnect_app.pages.sign.state import SignState
from tests.security.conftest import SPROUTS, run, verify_in_browser


def _redeem(live, ticket: str, origin: str | None = None) -> tuple[int, str]:
    """Trade a ticket the way the page does; returns (status, the Set-Cookie header)."""
    status, headers, _body = live.post("/_session/cookie", ticket.encode(),
                                       {"Origin": origin or live.base_url, "Content-Type": "text/plain"})
    return status, headers.get("Set-Cookie", "") or headers.get("set-cookie", "")


def _cookie_value(set_cookie: str, name: str) -> str:
    assert set_cookie.startswith(name + "="), set_cookie
    return set_cookie.split(";", 1)[0].split("=", 1)[1]


def _verified_ticket(live, link) -> str:
    """A tab verifies by SMS; returns the cookie ticket the page was given."""
    async def visit():
        client = await live.open_link(link)
        await live.verify(client, link)
        ticket = client.var(SignState, "cookie_ticket")
        await client.close()
        return ticket

    return run(visit())


def test_nothing_secret_reaches_the_parents_browser(live, fresh_link):
    """Token, code, their hashes, full contacts, the session secret: none is ever sent to the page."""
    link = fresh_link(verification=True)

    async def visit():
        client = await live.open_link(link)
        code = await live.verify(client, link)
        await client.send(SignState, "go_sign")
        received, ticket = client.everything_received(), client.var(SignState, "cookie_ticket")
        await client.close()
        return code, received, ticket

    code, received, ticket = run(visit())
    with live.server.server_db() as session:
        token_hashes = session.exec(select(LinkToken.token_hash)
                                    .where(LinkToken.signing_request_id == link.request_id)).all()
        parent_session = session.exec(select(ParentSession)
                                      .where(ParentSession.signing_request_id == link.request_id)).one()
        # (The token itself is in the page's own URL, which the browser has anyway.)
        secrets_held = [*token_hashes, parent_session.session_hash, link.email, link.phone, code]
    for secret in secrets_held:
        assert secret not in received, f"{secret!r} reached the browser"
    assert ticket  # what the page does get: a one-time ticket, spent at once by the page


def test_the_parents_session_secret_is_never_readable_by_the_page(live, fresh_link):
    """Finding 8: rx.Cookie put the secret in a script-readable cookie. Now the page only gets a
    ticket; the secret reaches the browser only as an HttpOnly cookie set by an HTTP response."""
    link = fresh_link(verification=True)

    async def visit():
        client = await live.open_link(link)
        await live.verify(client, link)
        received, ticket = client.everything_received(), client.var(SignState, "cookie_ticket")
        await client.close()
        return received, ticket

    received, ticket = run(visit())
    status, set_cookie = _redeem(live, ticket)
    assert status == 204
    secret = _cookie_value(set_cookie, PARENT_SESSION_COOKIE)
    assert "httponly" in set_cookie.lower() and "samesite=strict" in set_cookie.lower()
    assert "path=/_event" in set_cookie.lower()
    assert secret not in received
    assert live.rows(ParentSession, ParentSession.session_hash == sha256_hex(secret))  # it is the real one


def test_a_spent_ticket_gives_nothing(live, fresh_link):
    link = fresh_link(verification=True)
    ticket = _verified_ticket(live, link)
    assert _redeem(live, ticket)[0] == 204
    status, set_cookie = _redeem(live, ticket)
    assert status == 404 and set_cookie == ""


def test_another_site_cannot_redeem_a_ticket(live, fresh_link):
    link = fresh_link(verification=True)
    status, set_cookie = _redeem(live, _verified_ticket(live, link), origin="https://evil.example")
    assert status == 403 and set_cookie == ""


def test_the_cookie_alone_verifies_a_new_tab_and_a_forged_one_does_not(live, fresh_link):
    link = fresh_link(verification=True)
    secret = _cookie_value(_redeem(live, _verified_ticket(live, link))[1], PARENT_SESSION_COOKIE)

    async def new_tab(cookie: str) -> str:
        client = await live.open_link(link, cookie=cookie)
        await client.send(SignState, "start")
        step = client.var(SignState, "step")
        await client.close()
        return step

    assert run(new_tab(f"{PARENT_SESSION_COOKIE}={secret}")) == "review"
    assert run(new_tab(f"{PARENT_SESSION_COOKIE}={hashlib.sha256(secret.encode()).hexdigest()}")) == "verify"
    assert run(new_tab(f"{PARENT_SESSION_COOKIE}=x; other=1")) == "verify"


def test_the_portal_session_secret_is_never_readable_by_the_page(live):
    async def visit():
        client = await live.portal_tab(SPROUTS)
        received, ticket = client.everything_received(), client.var(PortalState, "cookie_ticket")
        await client.close()
        return received, ticket

    received, ticket = run(visit())
    status, set_cookie = _redeem(live, ticket)
    assert status == 204 and "httponly" in set_cookie.lower()
    secret = _cookie_value(set_cookie, PORTAL_SESSION_COOKIE)
    assert secret not in received
    assert live.rows(PortalSession, PortalSession.session_hash == sha256_hex(secret))


def test_the_session_cookies_are_httponly_in_a_real_browser(live, fresh_link, browser):
    """Chromium: after verifying, page scripts see no session cookie; the browser holds it HttpOnly."""
    link = fresh_link(verification=True)
    context = browser.new_context(base_url=live.base_url)
    try:
        page = context.new_page()
        verify_in_browser(page, live, link)
        page.locator("#go-sign").wait_for()
        for _ in range(50):  # the page trades its ticket right after the answer
            if any(c["name"] == PARENT_SESSION_COOKIE for c in context.cookies()):
                break
            page.wait_for_timeout(100)
        cookie = next(c for c in context.cookies() if c["name"] == PARENT_SESSION_COOKIE)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/_event"
        assert PARENT_SESSION_COOKIE not in page.evaluate("document.cookie")
        # A reload is a new connection: the cookie, sent with the handshake, still says "verified".
        page.reload()
        page.locator("#go-sign").wait_for()
    finally:
        context.close()
