"""The provider portal under /portal: login, dashboard, roster, sheets, agency settings."""

from __future__ import annotations

import reflex as rx

from careconnect_app import routes
from careconnect_app.pages.portal.children import ChildrenState, children_page
from careconnect_app.pages.portal.dashboard import DashboardState, dashboard_page
from careconnect_app.pages.portal.invite import InviteState, invite_page
from careconnect_app.pages.portal.login import LoginState, login_page
from careconnect_app.pages.portal.settings import SettingsState, settings_page
from careconnect_app.pages.portal.sheet import SheetState, sheet_page
from careconnect_app.pages.portal.staff import StaffState, staff_page


def add_portal_pages(app: rx.App) -> None:
    """Register every portal route; each page's on_load re-checks the session."""
    app.add_page(login_page, route=routes.PORTAL_LOGIN, title="Sign in · CareConnect provider portal",
                 on_load=LoginState.load)
    app.add_page(dashboard_page, route=routes.PORTAL, title="Dashboard · CareConnect provider portal",
                 on_load=DashboardState.load)
    app.add_page(children_page, route=routes.PORTAL_CHILDREN, title="Children · CareConnect provider portal",
                 on_load=ChildrenState.load)
    app.add_page(sheet_page, route=routes.PORTAL_SHEET, title="Attendance sheet · CareConnect provider portal",
                 on_load=SheetState.load)
    app.add_page(settings_page, route=routes.PORTAL_SETTINGS, title="Agency settings · CareConnect provider portal",
                 on_load=SettingsState.load)
    app.add_page(staff_page, route=routes.PORTAL_STAFF, title="Staff logins · CareConnect provider portal",
                 on_load=StaffState.load)
    app.add_page(invite_page, route=routes.PORTAL_INVITE, title="Choose your password · CareConnect provider portal",
                 on_load=InviteState.load)
