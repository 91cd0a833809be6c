"""/portal/settings: the agency's signing rules (agency administrators only)."""

from __future__ import annotations

import reflex as rx

from careconnect_app.portal import access
from careconnect_app.components.portal_layout import labelled, notice, page_heading, portal_frame, section
from careconnect_app.db import session_scope
from careconnect_app.pages.portal.base_state import HOME_ROUTE, PortalState
from careconnect_app.portal import accounts
from careconnect_app.common import audit

PERIOD_TYPES = ("weekly", "monthly")


class SettingsState(PortalState):
    agency_name: str = ""
    requires_verification: bool = True
    link_lifetime_days: str = "14"
    period_type: str = "monthly"
    deadline_day: str = "5"
    errors: dict[str, str] = {}
    info: str = ""

    def _fill(self, agency) -> None:
        self.agency_name = agency.name
        self.requires_verification = agency.requires_verification
        self.link_lifetime_days = str(agency.link_lifetime_days)
        self.period_type = agency.period_type
        self.deadline_day = str(agency.submission_deadline_day)

    @rx.event
    def load(self):
        """Admins only; provider staff are sent to the dashboard."""
        self.errors, self.info = {}, ""
        with session_scope() as session:
            user = self._require(session)
            if user is None:
                return self._to_login()
            agency = access.agency_for_admin(session, user)
            if agency is None:
                return rx.redirect(HOME_ROUTE, replace=True)
            self._fill(agency)

    @rx.event
    def toggle_language(self):
        self._switch_locale()
        return SettingsState.load

    @rx.event
    def set_requires_verification(self, value: bool):
        self.requires_verification = bool(value)

    @rx.event
    def set_link_lifetime_days(self, value: str):
        self.link_lifetime_days = str(value)[:4]

    @rx.event
    def set_period_type(self, value: str):
        self.period_type = value if value in PERIOD_TYPES else "monthly"

    @rx.event
    def set_deadline_day(self, value: str):
        self.deadline_day = str(value)[:4]

    @rx.event
    def save(self):
        """Validate and store the settings (new links use them; existing links keep theirs)."""
        self.info = ""
        errors: dict[str, str] = {}
        lifetime = _int(self.link_lifetime_days)
        deadline = _int(self.deadline_day)
        if lifetime is None or not 1 <= lifetime <= 60:
            errors["link_lifetime_days"] = self._t("settings.error.lifetime")
        if deadline is None or not 1 <= deadline <= 28:
            errors["deadline_day"] = self._t("settings.error.deadline")
        if self.period_type not in PERIOD_TYPES:
            errors["period_type"] = self._t("settings.error.period")
        self.errors = errors
        if errors:
            return
        ip, user_agent = self._client()
        with session_scope() as session:
            user = self._require(session)
            if user is None:
                return self._to_login()
            agency = access.agency_for_admin(session, user)
            if agency is None:
                return rx.redirect(HOME_ROUTE, replace=True)
            before = dict(requires_verification=agency.requires_verification,
                          link_lifetime_days=agency.link_lifetime_days, period_type=agency.period_type,
                          submission_deadline_day=agency.submission_deadline_day)
            agency.requires_verification = self.requires_verification
            agency.link_lifetime_days = lifetime
            agency.period_type = self.period_type
            agency.submission_deadline_day = deadline
            session.add(agency)
            audit.record(session, "agency_settings_changed", actor="agency", user_id=user.id, ip=ip,
                         user_agent=user_agent, detail={"before": before, "agency_id": agency.id})
            self._fill(agency)
        self.info = self._t("settings.saved")


def _int(value: str) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


S, T = SettingsState, SettingsState.tr


def settings_page() -> rx.Component:
    return portal_frame(
        rx.vstack(
            page_heading(T["settings.title"]),
            rx.text(S.agency_name, size="3", color_scheme="gray"),
            section(
                rx.el.label(
                    rx.switch(checked=S.requires_verification, on_change=S.set_requires_verification,
                              id="requires-verification", size="3"),
                    rx.vstack(rx.text(T["settings.requires_verification"], weight="medium"),
                              rx.text(T["settings.requires_verification_hint"], size="1", color_scheme="gray"),
                              spacing="0"),
                    style={"display": "flex", "gap": "12px", "alignItems": "flex-start", "cursor": "pointer"},
                ),
                rx.grid(
                    labelled(T["settings.link_lifetime_days"],
                             rx.input(id="link-lifetime", type="number", min="1", max="60",
                                      value=S.link_lifetime_days, on_change=S.set_link_lifetime_days, width="100%"),
                             html_for="link-lifetime", error=S.errors.get("link_lifetime_days", "")),
                    labelled(T["settings.period_type"], rx.el.select(
                        rx.el.option(T["settings.period.weekly"], value="weekly"),
                        rx.el.option(T["settings.period.monthly"], value="monthly"),
                        id="period-type", value=S.period_type, on_change=S.set_period_type,
                        style={"minHeight": "40px", "padding": "6px", "borderRadius": "6px", "width": "100%"},
                    ), html_for="period-type", error=S.errors.get("period_type", "")),
                    labelled(T["settings.deadline_day"],
                             rx.input(id="deadline-day", type="number", min="1", max="28", value=S.deadline_day,
                                      on_change=S.set_deadline_day, width="100%"),
                             html_for="deadline-day", error=S.errors.get("deadline_day", ""),
                             hint=T["settings.deadline_hint"]),
                    columns=rx.breakpoints(initial="1", sm="3"),
                    spacing="3",
                    width="100%",
                ),
                rx.button(T["settings.save"], on_click=S.save, id="save-settings", min_height="44px"),
                notice(S.info, tone="green", icon="check", id="settings-info"),
            ),
            spacing="4",
            width="100%",
        ),
        tr=T, signed_in=S.signed_in, user_name=S.user_name, scope_label=S.scope_label, is_admin=S.is_admin,
        current="settings", on_logout=S.logout, on_toggle_locale=S.toggle_language, locale=S.locale,
    )
