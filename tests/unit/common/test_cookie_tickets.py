"""One-time tickets that hand a session cookie to the browser without page scripts seeing it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.common import cookie_tickets, retention
from careconnect_app.db import session_scope
from careconnect_app.models import CookieTicket

SECRET = "parent-session-secret-0123456789abcdef"


def _issue(value: str = SECRET, name: str = cookie_tickets.PARENT_SESSION_COOKIE, **kw) -> str:
    with session_scope() as s:
        return cookie_tickets.issue(s, name, value, 3600, **kw)


def _redeem(ticket: str, **kw):
    with session_scope() as s:
        return cookie_tickets.redeem(s, ticket, **kw)


def test_a_ticket_gives_its_cookie_once(database):
    ticket = _issue()
    assert _redeem(ticket) == cookie_tickets.CookieGrant(cookie_tickets.PARENT_SESSION_COOKIE, SECRET, 3600)
    assert _redeem(ticket) is None


def test_the_database_holds_neither_the_ticket_nor_the_secret(database):
    ticket = _issue()
    with session_scope() as s:
        (row,) = s.exec(select(CookieTicket)).all()
        stored = " ".join(str(v) for v in row.model_dump().values())
    assert ticket not in stored and SECRET not in stored


def test_an_expired_ticket_gives_nothing_and_is_purged(database):
    ticket = _issue(now=utcnow() - cookie_tickets.TICKET_LIFETIME - timedelta(seconds=1))
    other = _issue(now=utcnow() - cookie_tickets.TICKET_LIFETIME - timedelta(seconds=1))
    assert _redeem(ticket) is None
    with session_scope() as s:
        assert retention.purge(s).cookie_tickets == 1  # the other one, never redeemed
    assert _redeem(other) is None


@pytest.mark.parametrize("ticket", ["", "x", "A" * 43, "A" * 5000])
def test_unknown_tickets_give_nothing(database, ticket):
    _issue()
    assert _redeem(ticket) is None


def test_an_empty_value_deletes_the_cookie(database):
    grant = _redeem(_issue(""))
    assert grant.value == "" and grant.max_age_seconds == 0


def test_only_session_cookies_may_be_set(database):
    with session_scope() as s, pytest.raises(ValueError):
        cookie_tickets.issue(s, "theme", "dark", 60)


@pytest.mark.parametrize("header, expected", [
    ("cc_parent_session=abc", "abc"),
    ("a=1; cc_parent_session=abc; b=2", "abc"),
    ('cc_parent_session="abc"', "abc"),
    ("cc_parent_session_x=abc", ""),
    ("", ""),
    ("garbage;;;==", ""),
])
def test_cookie_value(header, expected):
    assert cookie_tickets.cookie_value(header, "cc_parent_session") == expected
