"""Finding 6 and its kin: the client's address behind a reverse proxy, and guessing links.

The live app trusts one proxy hop (tests/support/live_app.py); these tests play that proxy, which
appends the address it saw to X-Forwarded-For. Each test uses client addresses no other test uses,
because the limits are per address and shared by every worker and tab (they live in the database).
"""

from __future__ import annotations

import secrets

from careconnect_app.models import AuditEvent, PortalUser
from careconnect_app.pages.portal.login import LoginState
from careconnect_app.pages.sign.state import SignState
from careconnect_app.signing import links
from tests.security.conftest import SPROUTS, run, unique_ip


async def _open(live, path: str, client_ip: str) -> str:
    client = live.tab(client_ip=client_ip)
    await client.open(path)
    status = client.var(SignState, "status")
    await client.close()
    return status


def _junk() -> str:
    return "/sign/" + secrets.token_urlsafe(32)


def test_link_guessing_across_tabs_is_rate_limited(live):
    """Each guess is a new tab (a new Reflex state): the count lives in the database, per client."""
    guesser = unique_ip()

    async def attack():
        return [await _open(live, _junk(), guesser) for _ in range(links.UNKNOWN_TOKEN_LIMIT + 2)]

    statuses = run(attack())
    assert statuses[:links.UNKNOWN_TOKEN_LIMIT] == ["unknown"] * links.UNKNOWN_TOKEN_LIMIT
    assert statuses[links.UNKNOWN_TOKEN_LIMIT:] == ["rate_limited", "rate_limited"]


def test_a_real_link_answers_after_junk_from_the_same_address(live, fresh_link):
    """Finding 6: after 20 junk hits from a shared address a parent's valid link said "too many
    attempts". Only misses count; a valid token is never refused by the limiter."""
    shared = unique_ip()  # a school's Wi-Fi, a phone carrier's NAT
    link = fresh_link(verification=False)

    async def attack():
        for _ in range(links.UNKNOWN_TOKEN_LIMIT + 1):
            await _open(live, _junk(), shared)
        return await _open(live, link.path, shared)

    assert run(attack()) == "ok"


def test_forging_x_forwarded_for_does_not_escape_the_limit(live):
    """The client writes whatever it likes left of the proxy's entry; only the proxy's entry counts."""
    guesser = unique_ip()

    async def attack():
        statuses = []
        for _ in range(links.UNKNOWN_TOKEN_LIMIT + 1):
            forged = f"{unique_ip()}, {guesser}"  # "<what the client wrote>, <what our proxy saw>"
            statuses.append(await _open(live, _junk(), forged))
        return statuses

    assert run(attack())[-1] == "rate_limited"


def test_one_clients_guessing_does_not_lock_out_another(live, fresh_link):
    """Behind the proxy every client used to share the proxy's address (and its limit)."""
    guesser, parent = unique_ip(), unique_ip()

    async def attack():
        for _ in range(links.UNKNOWN_TOKEN_LIMIT + 1):
            await _open(live, _junk(), guesser)
        return await _open(live, _junk(), parent)

    assert run(attack()) == "unknown"


def test_the_audit_trail_records_the_client_not_the_proxy(live, fresh_link):
    link = fresh_link(verification=False)
    parent = unique_ip()

    async def visit():
        client = await live.open_link(link, client_ip=parent)
        await client.send(SignState, "start")
        await client.close()

    run(visit())
    events = live.rows(AuditEvent, AuditEvent.signing_request_id == link.request_id, AuditEvent.actor == "parent")
    assert events and {event.ip for event in events} == {parent}


def test_portal_login_failures_are_counted_per_client_behind_the_proxy(live):
    """Failed logins are recorded (and limited: portal/accounts.py) under the client's address."""
    attacker = unique_ip()

    async def attack():
        client = live.tab(client_ip=attacker)
        await client.open("/portal/login")
        await client.send(LoginState, "submit", {"form_data": {"email": SPROUTS[0], "password": "wrong-guess"}})
        await client.until(LoginState, "error", lambda value: bool(value))
        await client.close()

    run(attack())
    (user,) = live.rows(PortalUser, PortalUser.email == SPROUTS[0])
    failures = live.rows(AuditEvent, AuditEvent.event == "portal_login_failed", AuditEvent.user_id == user.id)
    assert attacker in {event.ip for event in failures}
