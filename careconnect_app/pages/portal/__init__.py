"""The provider portal under /portal: login, dashboard, roster, sheets, agency settings."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from careconnect_app import routes
from careconnect_app.components.session_cookie import session_cookie
from careconnect_app.pages.portal.base_state import PortalState
from careconnect_app.pages.portal.children import ChildrenState, children_page
from careconnect_app.pages.portal.dashboard import DashboardState, dashboard_page
from careconnect_app.pages.portal.login import LoginState, login_page
from careconnect_app.pages.portal.settings import SettingsState, settings_page
from careconnect_app.pages.portal.sheet import SheetState, sheet_page


def _with_session_cookie(page: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
    """The page, plus the hand-over of the HttpOnly session cookie (login sets it, logout clears it)."""

    def wrapped() -> rx.Component:
        return rx.fragment(page(), session_cookie(PortalState.cookie_ticket, PortalState.cookie_stored))

    wrapped.__name__ = page.__name__
    return wrapped


def add_portal_pages(app: rx.App) -> None:
    """Register every portal route; each page's on_load re-checks the session."""
    app.add_page(_with_session_cookie(login_page), route=routes.PORTAL_LOGIN,
                 title="Sign in · CareConnect provider portal", on_load=LoginState.load)
    app.add_page(_with_session_cookie(dashboard_page), route=routes.PORTAL,
                 title="Dashboard · CareConnect provider portal", on_load=DashboardState.load)
    app.add_page(_with_session_cookie(children_page), route=routes.PORTAL_CHILDREN,
                 title="Children · CareConnect provider portal", on_load=ChildrenState.load)
    app.add_page(_with_session_cookie(sheet_page), route=routes.PORTAL_SHEET,
                 title="Attendance sheet · CareConnect provider portal", on_load=SheetState.load)
    app.add_page(_with_session_cookie(settings_page), route=routes.PORTAL_SETTINGS,
                 title="Agency settings · CareConnect provider portal", on_load=SettingsState.load)
