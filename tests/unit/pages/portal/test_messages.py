"""A portal message that comes again is read again by screen readers: its live region's text changes."""

from __future__ import annotations

from careconnect_app.pages.portal.login import LoginState
from careconnect_app.pages.portal.staff import StaffState
from careconnect_app.pages.state_tools import READ_AGAIN, said_again
from tests.support.page_state import fresh_state

WRONG = "The email or password is not correct."


def test_said_again_changes_only_a_repeat():
    assert said_again("", WRONG) == WRONG
    assert said_again("Something else", WRONG) == WRONG
    assert said_again(WRONG, WRONG) == WRONG + READ_AGAIN
    assert said_again(WRONG + READ_AGAIN, WRONG) == WRONG  # a third time: back, so it changes again
    assert said_again(WRONG, "") == ""  # clearing is clearing


def _event(state, assign):
    """One event: `assign(state)`, then what the page receives; the state is clean afterwards, as Reflex leaves it."""
    assign(state)
    root = state.parent_state.parent_state  # State > PortalState > the page's state
    delta = root.get_delta()
    root._clean()
    return delta.get(state.get_full_name(), {})


def test_the_same_error_in_a_later_event_reaches_the_page_changed():
    login = fresh_state(LoginState)
    first = _event(login, lambda s: setattr(s, "error", WRONG))
    assert first["error_rx_state_"] == WRONG

    def clear_then_fail(s):  # handlers clear their message first, then say what happened
        s.error = ""
        s.error = WRONG
    second = _event(login, clear_then_fail)
    assert second["error_rx_state_"] == WRONG + READ_AGAIN
    third = _event(login, clear_then_fail)
    assert third["error_rx_state_"] == WRONG


def test_cleared_in_one_event_then_said_is_said_plainly():
    login = fresh_state(LoginState)
    _event(login, lambda s: setattr(s, "error", WRONG))
    assert _event(login, lambda s: setattr(s, "error", ""))["error_rx_state_"] == ""
    assert _event(login, lambda s: setattr(s, "error", WRONG))["error_rx_state_"] == WRONG


def test_every_portal_state_and_only_its_message_vars():
    staff = fresh_state(StaffState)
    _event(staff, lambda s: setattr(s, "info", "Invitation sent."))
    assert _event(staff, lambda s: setattr(s, "info", "Invitation sent."))["info_rx_state_"] == "Invitation sent." + READ_AGAIN
    login = fresh_state(LoginState)
    _event(login, lambda s: setattr(s, "user_name", "Ana"))
    assert _event(login, lambda s: setattr(s, "user_name", "Ana")).get("user_name_rx_state_", "Ana") == "Ana"
