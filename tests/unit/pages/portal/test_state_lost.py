"""A portal state Reflex rebuilds from nothing (Redis lost it) on a websocket where the user signed
in: that socket never carried the session cookie, so the page must load afresh, not ask the user to
sign in (tests/e2e/test_failover.py drives it through Caddy with Redis restarted)."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from reflex.state import State

from careconnect_app.pages.portal import base_state
from careconnect_app.pages.portal.base_state import RESTORED, _note_signed_in_socket
from careconnect_app.pages.portal.children import ChildrenState


def _fresh_children_state(socket_id: str, path: str = "/portal/children"):
    root = State(_reflex_internal_init=True)
    router_data = {"sid": socket_id, "pathname": path, "asPath": path, "query": {}, "headers": {}, "token": "tab"}
    root.router_data = router_data
    root._update_router_vars(router_data, {})
    return root.get_substate(ChildrenState.get_full_name().split(".")[1:])


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch):
    monkeypatch.setattr(base_state, "_SIGNED_IN_SOCKETS", OrderedDict())


def test_a_fresh_state_on_the_socket_that_signed_in_reloads_the_page():
    _note_signed_in_socket("socket-1", True)
    state = _fresh_children_state("socket-1")
    state.note_page()
    assert state.reload_to == f"/portal/children?{RESTORED}=1"
    assert state._state_lost()  # the page's other loads find it lost too, and wait for the reload


def test_a_fresh_state_on_a_new_socket_is_a_first_visit():
    _note_signed_in_socket("socket-1", True)
    state = _fresh_children_state("socket-2")  # a new page load: its handshake carried the cookie
    state.note_page()
    assert state.reload_to == ""
    assert not state._state_lost()


def test_signing_out_on_the_socket_forgets_it():
    _note_signed_in_socket("socket-1", True)
    _note_signed_in_socket("socket-1", False)
    state = _fresh_children_state("socket-1")
    state.note_page()
    assert state.reload_to == ""


def test_a_state_that_showed_a_page_is_not_lost():
    _note_signed_in_socket("socket-1", True)
    state = _fresh_children_state("socket-1")
    state._shown_path = "/portal"  # it showed the dashboard: this is a navigation on a live state
    state.note_page()
    assert state.reload_to == ""
    assert state._shown_path == "/portal/children"


def test_the_record_is_bounded(monkeypatch):
    monkeypatch.setattr(base_state, "_SIGNED_IN_SOCKETS_KEPT", 3)
    for n in range(5):
        _note_signed_in_socket(f"socket-{n}", True)
    assert list(base_state._SIGNED_IN_SOCKETS) == ["socket-2", "socket-3", "socket-4"]  # the oldest go first
