"""/portal/account: the signed-in user's password (change) and two-step sign-in status."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.portal_layout import (
    labelled, notice, page_heading, password_input, section, signed_in_frame, stacked_form
)
from careconnect_app.components.submit_button import submit_button
from careconnect_app.components.words import words
from careconnect_app.pages.portal.base_state import Caller, PortalState, ReloadingPageMixin
from careconnect_app.pages.state_tools import Session
from careconnect_app.portal import accounts, passwords, two_factor

PASSWORD_INPUTS = ("current-password", "new-password", "confirm-password")


def _two_factor_status(session: Session, caller: Caller) -> tuple[bool, int]:
    """(two-step sign-in is on, recovery codes left)."""
    return two_factor.is_enrolled(caller.user), two_factor.recovery_codes_left(session, caller.user)


def _renew_codes(session: Session, caller: Caller, code: str) -> accounts.LoginResult:
    return accounts.renew_recovery_codes(session, caller.user, code, ip=caller.ip, user_agent=caller.user_agent)


def _change(session: Session, caller: Caller, token: str, current: str, new: str,
            locale: str) -> passwords.PasswordOutcome:
    return passwords.change_password(session, caller.user, token, current, new, locale=locale, ip=caller.ip,
                                     user_agent=caller.user_agent)


class AccountState(ReloadingPageMixin, PortalState):
    two_factor_status: str = ""
    enrolled: bool = False
    recovery_codes: list[str] = []  # new codes, shown once
    codes_error: str = ""
    password_error: str = ""
    password_info: str = ""
    _error: tuple[str, int] = ("", 0)  # (translation key, seconds to wait)

    async def _reload(self):
        call = await self._as_user(_two_factor_status)
        if not call.signed_in:
            return self._to_login()
        self.enrolled, left = call.value
        self.two_factor_status = self._t("account.two_factor_on" if self.enrolled else "account.two_factor_off",
                                         count=left)
        key, seconds = self._error
        self.password_error = self._t(key, seconds=seconds) if key else ""
        return None

    @rx.event
    async def load(self):
        """Any signed-in user's own account."""
        self.recovery_codes = []  # shown once, never again after a reload
        if self._opening:  # a reconnect keeps what the page said
            self.password_info, self._error, self.codes_error = "", ("", 0), ""
        return await self._reload()

    @rx.event
    async def renew_codes(self, form_data: dict):
        """Ten new recovery codes, confirmed with the app's current code (limited like sign-in)."""
        call = await self._as_user(_renew_codes, str(form_data.get("code", ""))[:40])
        if not call.signed_in:
            return self._to_login()
        result = call.value
        self.recovery_codes = result.recovery_codes
        self.codes_error = "" if result.ok else self._t(result.error.removeprefix("portal."),
                                                         seconds=result.retry_after)
        return await self._reload() or rx.set_focus("new-codes-heading" if result.ok else "renew-code")


    @rx.event
    async def change_password(self, form_data: dict):
        """Check the current password, store the new one, end the other sessions, email the user."""
        current = str(form_data.get("current", ""))[:1024]
        new = str(form_data.get("new", ""))[:1025]
        self.password_info = ""
        if new != str(form_data.get("confirm", ""))[:1025]:
            self._error = ("password.error.mismatch", 0)
            return await self._reload() or rx.set_focus("confirm-password")
        call = await self._as_user(_change, self._session_secret(), current, new, self.locale)
        if not call.signed_in:
            return self._to_login()
        outcome = call.value
        if not outcome.ok:
            self._error = (outcome.error.removeprefix("portal."), outcome.retry_after)
            focus = "current-password" if "current" in outcome.error or "too_many" in outcome.error else "new-password"
            return await self._reload() or rx.set_focus(focus)
        self._error = ("", 0)
        self.password_info = self._t("password.changed")
        return await self._reload() or [rx.set_value(i, "") for i in PASSWORD_INPUTS]


S, T = AccountState, words(AccountState, "portal")


def _recovery_codes_section() -> rx.Component:
    return section(
        rx.heading(T["account.codes_title"], as_="h2", size="4"),
        rx.text(T["account.codes_intro"], size="2"),
        stacked_form(
            labelled(T["code.label"], rx.input(id="renew-code", name="code", auto_complete="one-time-code",
                                               input_mode="numeric", required=True, size="3", width="100%",
                                               max_length=8), html_for="renew-code"),
            notice(S.codes_error, tone="red", icon="triangle-alert", id="codes-error"),
            submit_label=T["account.codes_submit"], submit_id="renew-codes", on_submit=S.renew_codes,
            keep_values=False, full_width_button=False,
        ),
        rx.cond(S.recovery_codes.length() > 0, rx.vstack(
            rx.text(T["account.codes_made"], size="2", weight="medium", id="new-codes-heading", tab_index=-1),
            rx.el.ul(rx.foreach(S.recovery_codes, lambda c: rx.el.li(rx.code(c, size="3"))), id="new-recovery-codes",
                     style={"columns": "2", "paddingLeft": "1.2rem", "lineHeight": "2"}),
            width="100%",
        )),
        max_width="32rem",
    )


def account_page() -> rx.Component:
    return signed_in_frame(
        S,
        rx.vstack(
            page_heading(T["account.title"]),
            rx.text(S.user_email, size="2", color_scheme="gray"),
            notice(S.two_factor_status, tone="blue", icon="shield-check", id="two-factor-status", high_contrast=True),
            section(
                rx.heading(T["password.title"], as_="h2", size="4"),
                rx.form(
                    rx.vstack(
                        password_input(T["password.current"], "current-password", "current",
                                       complete="current-password"),
                        password_input(T["password.new"], "new-password", "new", hint=T["password.new_hint"]),
                        password_input(T["password.confirm"], "confirm-password", "confirm"),
                        notice(S.password_error, tone="red", icon="triangle-alert", id="password-error"),
                        submit_button(T["password.submit"], size="3", id="change-password",
                                  min_height="44px"),
                        spacing="3", width="100%",
                    ),
                    method="post", on_submit=S.change_password, reset_on_submit=False, width="100%",
                ),
                notice(S.password_info, tone="green", icon="check", id="password-info"),
                max_width="32rem",
            ),
            rx.cond(S.enrolled, _recovery_codes_section()),
            spacing="4", width="100%",
        ),
        current="account",
    )
