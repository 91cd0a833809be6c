"""/portal/settings: the agency's signing rules (agency administrators only)."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.portal_layout import (
    SELECT_STYLE, labelled, notice, page_heading, section, signed_in_frame
)
from careconnect_app.components.words import words
from careconnect_app.pages.portal.base_state import Caller, PortalState
from careconnect_app.pages.portal.contact_approvals import ApprovalsState, approvals_panel
from careconnect_app.pages.state_tools import Session, take_language
from careconnect_app.portal import access, agency_settings
from careconnect_app.portal.agency_settings import PERIOD_TYPES, AgencySettings


def _agency_settings(session: Session, caller: Caller) -> tuple[str, AgencySettings] | None:
    """(agency name, its settings) when the caller is an agency admin."""
    agency = access.agency_for_admin(session, caller.user)
    return (agency.name, agency_settings.current(agency)) if agency else None


def _save_settings(session: Session, caller: Caller, settings: AgencySettings) -> tuple[str, AgencySettings] | None:
    agency = access.agency_for_admin(session, caller.user)
    if agency is None:
        return None
    agency_settings.save(session, agency, settings, user_id=caller.user.id, ip=caller.ip,
                         user_agent=caller.user_agent)
    return agency.name, agency_settings.current(agency)


class SettingsState(PortalState):
    agency_name: str = ""
    requires_verification: bool = True
    allow_in_person_signing: bool = False
    link_lifetime_days: str = "14"
    period_type: str = "monthly"
    deadline_day: str = "5"
    require_provider_2fa: bool = False
    require_contact_change_approval: bool = False
    errors: dict[str, str] = {}
    info: str = ""

    def _fill(self, name: str, settings: AgencySettings) -> None:
        self.agency_name = name
        self.requires_verification = settings.requires_verification
        self.allow_in_person_signing = settings.allow_in_person_signing
        self.link_lifetime_days = str(settings.link_lifetime_days)
        self.period_type = settings.period_type
        self.deadline_day = str(settings.submission_deadline_day)
        self.require_provider_2fa = settings.require_provider_2fa
        self.require_contact_change_approval = settings.require_contact_change_approval

    def _show_agency(self, call):
        """Fill the form from what the work returned, or send a non-admin away."""
        if not call.signed_in:
            return self._to_login()
        if call.value is None:
            return self._to_dashboard()
        self._fill(*call.value)
        return None

    @rx.event
    async def load(self):
        """Admins only; provider staff are sent to the dashboard."""
        if self._opening:  # a reconnect keeps what the page said
            self.errors, self.info = {}, ""
        return self._show_agency(await self._as_user(_agency_settings))

    @rx.event
    def choose_language(self, locale: str):
        """Show the page again in `locale`, the language its button offered."""
        if not take_language(self, locale):
            return
        return [SettingsState.load, ApprovalsState.load]

    @rx.event
    def set_requires_verification(self, value: bool):
        """The "parents confirm a code" switch."""
        self.requires_verification = bool(value)

    @rx.event
    def set_allow_in_person_signing(self, value: bool):
        """The "allow signing in person" switch."""
        self.allow_in_person_signing = bool(value)

    @rx.event
    def set_require_provider_2fa(self, value: bool):
        """The "provider staff use two-step sign-in" switch."""
        self.require_provider_2fa = bool(value)

    @rx.event
    def set_require_contact_change_approval(self, value: bool):
        """The "approve parents' new contacts" switch."""
        self.require_contact_change_approval = bool(value)

    @rx.event
    def set_link_lifetime_days(self, value: str):
        """The link lifetime field (checked on save)."""
        self.link_lifetime_days = str(value)[:4]

    @rx.event
    def set_period_type(self, value: str):
        """Weekly or monthly sheets."""
        self.period_type = value if value in PERIOD_TYPES else "monthly"

    @rx.event
    def set_deadline_day(self, value: str):
        """The submission deadline field (checked on save)."""
        self.deadline_day = str(value)[:4]

    @rx.event
    async def save(self):
        """Validate and store the settings (new links use them; existing links keep theirs)."""
        self.info = ""
        settings, error_keys = agency_settings.check(
            self.requires_verification, self.link_lifetime_days, self.period_type, self.deadline_day,
            allow_in_person_signing=self.allow_in_person_signing, require_provider_2fa=self.require_provider_2fa,
            require_contact_change_approval=self.require_contact_change_approval)
        self.errors = {field: self._t(key) for field, key in error_keys.items()}
        if settings is None:
            return None
        redirect = self._show_agency(await self._as_user(_save_settings, settings))
        if redirect is not None:
            return redirect
        self.info = self._t("settings.saved")
        return None


S, T = SettingsState, words(SettingsState, "portal")  # the page's state and its words


def _switch(label: str, hint: str, input_id: str, checked, on_change) -> rx.Component:
    """A switch with its label and hint, the whole row clickable."""
    return rx.el.label(
        rx.switch(checked=checked, on_change=on_change, id=input_id, size="3"),
        rx.vstack(rx.text(T[label], weight="medium"), rx.text(T[hint], size="1", color_scheme="gray"), spacing="0"),
        style={"display": "flex", "gap": "12px", "alignItems": "flex-start", "cursor": "pointer"},
    )


def settings_page() -> rx.Component:
    return signed_in_frame(
        S,
        rx.vstack(
            page_heading(T["settings.title"]),
            rx.text(S.agency_name, size="3", color_scheme="gray"),
            section(
                _switch("settings.requires_verification", "settings.requires_verification_hint",
                        "requires-verification", S.requires_verification, S.set_requires_verification),
                _switch("settings.allow_in_person", "settings.allow_in_person_hint", "allow-in-person",
                        S.allow_in_person_signing, S.set_allow_in_person_signing),
                _switch("settings.require_provider_2fa", "settings.require_provider_2fa_hint", "require-provider-2fa",
                        S.require_provider_2fa, S.set_require_provider_2fa),
                _switch("settings.require_contact_approval", "settings.require_contact_approval_hint",
                        "require-contact-approval", S.require_contact_change_approval,
                        S.set_require_contact_change_approval),
                rx.grid(
                    labelled(T["settings.link_lifetime_days"],
                             rx.input(id="link-lifetime", type="number", min="1", max="60",
                                      value=S.link_lifetime_days, on_change=S.set_link_lifetime_days, width="100%"),
                             html_for="link-lifetime", error=S.errors.get("link_lifetime_days", "")),
                    labelled(T["settings.period_type"], rx.el.select(
                        rx.el.option(T["settings.period.weekly"], value="weekly"),
                        rx.el.option(T["settings.period.monthly"], value="monthly"),
                        id="period-type", value=S.period_type, on_change=S.set_period_type,
                        style=SELECT_STYLE,
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
            approvals_panel(),
            spacing="4",
            width="100%",
        ),
        current="settings",
    )
