"""Reflex wrapper for assets/session_cookie.jsx: trades a one-time ticket for an HttpOnly cookie.

    session_cookie(ticket=SignState.cookie_ticket, on_stored=SignState.cookie_stored)

See pages/state_tools.SessionCookieMixin and api/session_cookie.py.
"""

from __future__ import annotations

import reflex as rx
from reflex.event import passthrough_event_spec

from careconnect_app import routes


class SessionCookie(rx.Component):
    """Renders nothing; posts each new ticket once to the cookie route."""

    library = "$/public/session_cookie.jsx"
    tag = "SessionCookie"

    # The one-time ticket ("" when there is nothing to store).
    ticket: rx.Var[str]
    # The backend path that sets the cookie.
    path: rx.Var[str]

    # Fired with True when the cookie was set, False when the route refused or was unreachable.
    on_stored: rx.EventHandler[passthrough_event_spec(bool)]


def session_cookie(ticket, on_stored) -> rx.Component:
    return SessionCookie.create(ticket=ticket, path=routes.SESSION_COOKIE, on_stored=on_stored)
