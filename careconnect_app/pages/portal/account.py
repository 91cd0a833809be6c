"""/portal/account: the signed-in user's password (change) and two-step sign-in status."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.portal_layout import labelled, notice, page_heading, section, signed_in_frame
from careconnect_app.messaging import outbox
from careconnect_app.pages.portal.base_state import Caller, PortalState
from careconnect_app.pages.state_tools import Session, off_loop
from careconnect_app.portal import passwords, two_factor

PASSWORD_INPUTS = ("current-password", "new-password", "confirm-password")


def _two_factor_status(session: Session, caller: Caller) -> tuple[str, int]:
    """(translation key of the status, recovery codes left)."""
    key = "account.two_factor_on" if two_factor.is_enrolled(caller.user) else "account.two_factor_off"
    return key, two_factor.recovery_codes_left(session, caller.user)


def _change(session: Session, caller: Caller, token: str, current: str, new: str,
            locale: str) -> passwords.PasswordOutcome:
    return passwords.change_password(session, caller.user, token, current, new, locale=locale, ip=caller.ip,
                                     user_agent=caller.user_agent)


class AccountState(PortalState):
    two_factor_status: str = ""
    password_error: str = ""
    password_info: str = ""
    _error: tuple[str, int] = ("", 0)  # (translation key, seconds to wait)

    async def _reload(self):
        call = await self._as_user(_two_factor_status)
        if not call.signed_in:
            return self._to_login()
        key, left = call.value
        self.two_factor_status = self._t(key, count=left)
        key, seconds = self._error
        self.password_error = self._t(key, seconds=seconds) if key else ""
        return None

    @rx.event
    async def load(self):
        """Any signed-in user's own account."""
        self.password_info, self._error = "", ("", 0)
        return await self._reload()

    @rx.event
    async def toggle_language(self):
        """Switch English/Spanish."""
        self._switch_locale()
        return await self._reload()

    @rx.event
    async def change_password(self, form_data: dict):
        """Check the current password, store the new one, end the other sessions, email the user."""
        current = str(form_data.get("current", ""))[:1024]
        new = str(form_data.get("new", ""))[:1025]
        self.password_info = ""
        if new != str(form_data.get("confirm", ""))[:1025]:
            self._error = ("password.error.mismatch", 0)
            return await self._reload() or rx.set_focus("confirm-password")
        call = await self._as_user(_change, self.portal_session, current, new, self.locale)
        if not call.signed_in:
            return self._to_login()
        outcome = call.value
        if not outcome.ok:
            self._error = (outcome.error.removeprefix("portal."), outcome.retry_after)
            focus = "current-password" if "current" in outcome.error or "too_many" in outcome.error else "new-password"
            return await self._reload() or rx.set_focus(focus)
        self._error = ("", 0)
        self.password_info = self._t("password.changed")
        await off_loop(outbox.deliver_now, outcome.message_ids)
        return await self._reload() or [rx.set_value(i, "") for i in PASSWORD_INPUTS]


S, T = AccountState, AccountState.tr


def _password_input(label: str, input_id: str, name: str, complete: str, hint=None) -> rx.Component:
    return labelled(T[label], rx.input(id=input_id, name=name, type="password", auto_complete=complete, required=True,
                                       size="3", width="100%"), html_for=input_id, hint=hint)


def account_page() -> rx.Component:
    return signed_in_frame(
        S,
        rx.vstack(
            page_heading(T["account.title"]),
            rx.text(S.user_email, size="2", color_scheme="gray"),
            notice(S.two_factor_status, tone="blue", icon="shield-check", id="two-factor-status"),
            section(
                rx.heading(T["password.title"], as_="h2", size="4"),
                rx.form(
                    rx.vstack(
                        _password_input("password.current", "current-password", "current", "current-password"),
                        _password_input("password.new", "new-password", "new", "new-password",
                                        hint=T["password.new_hint"]),
                        _password_input("password.confirm", "confirm-password", "confirm", "new-password"),
                        notice(S.password_error, tone="red", icon="triangle-alert", id="password-error"),
                        rx.button(T["password.submit"], type="submit", size="3", id="change-password",
                                  min_height="44px"),
                        spacing="3", width="100%",
                    ),
                    on_submit=S.change_password, reset_on_submit=False, width="100%",
                ),
                notice(S.password_info, tone="green", icon="check", id="password-info"),
                max_width="32rem",
            ),
            spacing="4", width="100%",
        ),
        current="account",
    )
