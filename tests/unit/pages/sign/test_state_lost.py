"""The wizard's state made from nothing: Redis lost it under an open page (the page reloads, and
the database and the cookie put the parent back), or a tap came as a new page arrived, before its
load (no reload: the load, queued behind the tap, shows the page). tests/e2e/test_failover.py
restarts Redis under a real page."""

from __future__ import annotations

import asyncio

import pytest

from careconnect_app import routes
from careconnect_app.pages.sign import state as sign_state
from careconnect_app.pages.sign.state import SignState
from careconnect_app.pages.state_tools import RESTORED, KnownSockets
from careconnect_app.statuses import LinkStatus
from tests.support.page_state import fresh_state


def _fresh_state(socket_id: str, token: str) -> SignState:
    return fresh_state(SignState, socket_id, routes.sign_path(token))


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch):
    monkeypatch.setattr(sign_state, "SOCKETS", KnownSockets())


def test_a_language_tap_as_the_page_arrives_is_kept_by_the_load(make_request):
    _request_id, token = make_request(locale="en")
    state = _fresh_state("socket-1", token)
    asyncio.run(state.choose_language("es"))  # before the page's load ran
    assert state.reload_to == "" and state.locale == "es" and state.status == "loading"
    asyncio.run(state.load())
    assert (state.status, state.locale, state.reload_to) == (LinkStatus.OK, "es", "")


def test_a_state_lost_under_a_loaded_page_reloads_it(make_request):
    _request_id, token = make_request()
    asyncio.run(_fresh_state("socket-1", token).load())  # the page loaded on this socket
    state = _fresh_state("socket-1", token)  # Redis restarted empty; the tab still shows the page
    asyncio.run(state.choose_language("es"))
    assert state.reload_to == f"{routes.sign_path(token)}?{RESTORED}=1"
