"""The provider portal under /portal: login, dashboard, roster, sheets, agency settings."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from careconnect_app import routes
from careconnect_app.components.page_reload import page_reload
from careconnect_app.components.session_cookie import session_cookie
from careconnect_app.pages.portal.account import AccountState, account_page
from careconnect_app.pages.portal.base_state import PortalState
from careconnect_app.pages.portal.children import ChildrenState, children_page
from careconnect_app.pages.portal.contact_approvals import ApprovalsState
from careconnect_app.pages.portal.dashboard import DashboardState, dashboard_page
from careconnect_app.pages.portal.invite import InviteState, invite_page
from careconnect_app.pages.portal.login import LoginState, login_page
from careconnect_app.pages.portal.password_reset import ForgotState, ResetState, forgot_page, reset_page
from careconnect_app.pages.portal.settings import SettingsState, settings_page
from careconnect_app.pages.portal.sheet import SheetState, sheet_page
from careconnect_app.pages.portal.staff import StaffState, staff_page
from careconnect_app.pages.portal.today import TodayState, today_page
from careconnect_app.pages.portal.two_step import CodeState, EnrolState, code_page, enrol_page


def _with_session_cookie(page: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
    """The page, plus the hand-over of the HttpOnly session cookie (login sets it, logout clears it)
    and the fresh load of a page whose state was lost (PortalState._state_lost)."""

    def wrapped() -> rx.Component:
        return rx.fragment(page(), session_cookie(PortalState.cookie_ticket, PortalState.cookie_stored),
                           page_reload(PortalState.reload_to, PortalState.clean_url, ""))

    wrapped.__name__ = page.__name__
    return wrapped


def add_portal_pages(app: rx.App) -> None:
    """Register every portal route; each page's on_load re-checks the session."""
    pages = [
        (login_page, routes.PORTAL_LOGIN, "Sign in", LoginState.load),
        (dashboard_page, routes.PORTAL, "Dashboard", DashboardState.load),
        (today_page, routes.PORTAL_TODAY, "Today", TodayState.load),
        (children_page, routes.PORTAL_CHILDREN, "Children", ChildrenState.load),
        (sheet_page, routes.PORTAL_SHEET, "Attendance sheet", SheetState.load),
        (settings_page, routes.PORTAL_SETTINGS, "Agency settings", [SettingsState.load, ApprovalsState.load]),
        (code_page, routes.PORTAL_LOGIN_CODE, "Two-step sign-in", CodeState.load),
        (enrol_page, routes.PORTAL_ENROL, "Set up two-step sign-in", EnrolState.load),
        (account_page, routes.PORTAL_ACCOUNT, "Your account", AccountState.load),
        (forgot_page, routes.PORTAL_FORGOT, "Forgot password", ForgotState.load),
        (reset_page, routes.PORTAL_RESET, "New password", ResetState.load),
        (staff_page, routes.PORTAL_STAFF, "Staff logins", StaffState.load),
        (invite_page, routes.PORTAL_INVITE, "Choose your password", InviteState.load),
    ]
    for page, route, title, on_load in pages:
        loads = on_load if isinstance(on_load, list) else [on_load]
        app.add_page(_with_session_cookie(page), route=route, title=f"{title} · CareConnect provider portal",
                     on_load=[PortalState.note_page, *loads])
