"""A portal state Reflex rebuilds from nothing (Redis lost it) on a websocket where the user signed
in: that socket never carried the session cookie, so the page must load afresh, not ask the user to
sign in (tests/e2e/test_failover.py drives it through Caddy with Redis restarted). An event that
merely came before its page's loads (a tap as the page arrived) is not a lost state
(tests/e2e/test_portal_accounts.py drives it with the loads held back)."""

from __future__ import annotations

import asyncio

import pytest

from careconnect_app.db import session_scope
from careconnect_app.pages.portal import base_state
from careconnect_app.pages.portal.children import ChildrenState
from careconnect_app.pages.portal.login import LoginState
from careconnect_app.pages.state_tools import RESTORED, KnownSockets
from careconnect_app.portal import accounts
from careconnect_app.statuses import Role
from tests.fakes.data import make_family
from tests.support.page_state import fresh_state


def _fresh_state(socket_id: str, path: str = "/portal/children", page=ChildrenState):
    return fresh_state(page, socket_id, path)


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch):
    monkeypatch.setattr(base_state, "SOCKETS", KnownSockets())


def test_a_fresh_state_on_the_socket_that_signed_in_reloads_the_page():
    base_state.SOCKETS.note("socket-1", signed_in=True)
    state = _fresh_state("socket-1")
    state.note_page()
    assert state.reload_to == f"/portal/children?{RESTORED}=1"
    assert state._state_lost()  # the page's other loads find it lost too, and wait for the reload


def test_a_fresh_state_on_a_new_socket_is_a_first_visit():
    base_state.SOCKETS.note("socket-1", signed_in=True)
    state = _fresh_state("socket-2")  # a new page load: its handshake carried the cookie
    state.note_page()
    assert state.reload_to == ""
    assert not state._state_lost()


def test_signing_out_on_the_socket_forgets_it():
    base_state.SOCKETS.note("socket-1", signed_in=True)
    base_state.SOCKETS.note("socket-1", signed_in=False)
    state = _fresh_state("socket-1")
    state.note_page()
    assert state.reload_to == ""


def test_a_state_that_showed_a_page_is_not_lost():
    base_state.SOCKETS.note("socket-1", signed_in=True)
    state = _fresh_state("socket-1")
    state._shown_path = "/portal"  # it showed the dashboard: this is a navigation on a live state
    state.note_page()
    assert state.reload_to == ""
    assert state._shown_path == "/portal/children"


def test_the_record_is_bounded():
    sockets = KnownSockets(kept=3)
    for n in range(5):
        sockets.note(f"socket-{n}", signed_in=n % 2 == 0)
    sockets.note("socket-2")  # a page loaded again on a socket that signed in: it still did
    assert [sockets.known(f"socket-{n}") for n in range(5)] == [False, False, True, True, True]  # the oldest go
    assert sockets.signed_in("socket-2") and not sockets.signed_in("socket-3") and sockets.signed_in("socket-4")


def test_a_fresh_state_on_a_socket_that_only_loaded_pages_is_lost_to_its_handlers():
    _fresh_state("socket-1", "/portal").note_page()  # the dashboard loaded on this socket
    state = _fresh_state("socket-1")  # Redis lost the state; the tab still shows its page
    assert state._state_lost() and state.reload_to == f"/portal/children?{RESTORED}=1"


def test_an_event_before_the_page_s_loads_runs_on_the_fresh_state():
    state = _fresh_state("socket-9")  # a new page's first event: its loads are queued behind it
    assert not state._state_lost() and state.reload_to == ""
    state.note_page()
    assert state._shown_path == "/portal/children" and state.reload_to == ""


def test_a_sign_in_before_the_login_page_s_loads_keeps_the_page(database):
    """Found in CI: the sign-in was tapped as the login page arrived, so it ran before the page's
    loads; their `note_page` then took the state for one Redis lost, and the tab reloaded the login
    page over the portal it had just opened."""
    with session_scope() as s:
        family = make_family(s, email="ana@example.com", phone="+15555550123")
        accounts.create_user(s, email="staff@sprouts.example", name="Staff", password="password-staff-1",
                             role=Role.PROVIDER, agency_id=family.agency.id, provider_id=family.provider.id)
    state = _fresh_state("socket-1", "/portal/login/", LoginState)
    asyncio.run(state.submit({"email": "staff@sprouts.example", "password": "password-staff-1"}))
    assert state.signed_in and base_state.SOCKETS.signed_in("socket-1")
    state.note_page()  # the login page's loads, queued behind the sign-in
    assert state.reload_to == "" and state._shown_path == "/portal/login/"
    assert not state._state_lost()
