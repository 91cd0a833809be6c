"""/portal/forgot (ask for a reset link by email) and /portal/reset/<token> (choose a new password).

The forgot page answers the same whether or not the email has an account. The reset token stays
in a backend-only var; the page never shows it back.
"""

from __future__ import annotations

import reflex as rx

from careconnect_app import routes
from careconnect_app.components.portal_layout import (
    labelled, notice, page_heading, password_input, portal_frame, section, stacked_form
)
from careconnect_app.components.words import words
from careconnect_app.pages.portal.base_state import PortalState
from careconnect_app.pages.state_tools import in_session, take_language
from careconnect_app.portal import passwords


class ForgotState(PortalState):
    sent: str = ""

    @rx.event
    def load(self):
        """A blank form in the browser's language."""
        self._browser_locale()
        self.sent = ""

    @rx.event
    def choose_language(self, locale: str):
        """Show the page in `locale`, the language its button offered."""
        if not take_language(self, locale):
            return
        self.sent = self._t("forgot.sent") if self.sent else ""

    @rx.event
    async def submit(self, form_data: dict):
        """Email a one-time link when the address has an account; say the same either way."""
        email = str(form_data.get("email", ""))[:254]
        ip, user_agent = self._client()
        await in_session(passwords.request_reset, email, locale=self.locale, ip=ip, user_agent=user_agent)
        self.sent = self._t("forgot.sent")
        return rx.set_focus("forgot-sent")


class ResetState(PortalState):
    checked: bool = False  # the link was looked at (no "dead link" flash before that)
    link_works: bool = False
    done: bool = False
    error: str = ""
    _token: str = ""
    _error_key: str = ""

    @rx.event
    async def load(self):
        """Check the link (not spending it): the form, or why it no longer works."""
        self._browser_locale()
        self._token = routes.last_segment(self.router.url.path, routes.PORTAL_RESET_PREFIX)[:128]
        self.done, self.error, self._error_key = False, "", ""
        self.link_works = await in_session(passwords.reset_link_works, self._token)
        self.checked = True

    @rx.event
    def choose_language(self, locale: str):
        """Show the page in `locale`, the language its button offered."""
        if not take_language(self, locale):
            return
        self.error = self._t(self._error_key) if self._error_key else ""

    @rx.event
    async def submit(self, form_data: dict):
        """Set the new password once and end every session of the account."""
        new = str(form_data.get("new", ""))[:1025]
        if new != str(form_data.get("confirm", ""))[:1025]:
            outcome = passwords.PasswordOutcome(False, "portal.password.error.mismatch")
        else:
            ip, user_agent = self._client()
            outcome = await in_session(passwords.reset_password, self._token, new, locale=self.locale, ip=ip,
                                       user_agent=user_agent)
        if outcome.ok:
            self.done, self.link_works, self._token, self.error = True, False, "", ""
            await self._remember_session("")
            return rx.set_focus("reset-done")
        self._error_key = outcome.error.removeprefix("portal.")
        self.error = self._t(self._error_key)
        self.link_works = self._error_key != "reset.error.link"
        return rx.set_focus("new-password")


def _frame(S, *children: rx.Component) -> rx.Component:
    return portal_frame(
        rx.center(section(*children, max_width="28rem"), width="100%", padding_top="2rem"),
        tr=words(S, "portal"), signed_in=False, user_name="", scope_label="", is_admin=False, current="login",
        on_logout=S.logout, on_choose_language=S.choose_language, locale=S.locale,
    )


def _back(T) -> rx.Component:
    return rx.link(T["forgot.back"], href=routes.PORTAL_LOGIN, size="2", id="back-to-login")


def forgot_page() -> rx.Component:
    S, T = ForgotState, words(ForgotState, "portal")
    return _frame(
        S,
        page_heading(T["forgot.title"]),
        rx.text(T["forgot.intro"], size="2"),
        stacked_form(
            labelled(T["login.email"], rx.input(id="forgot-email", name="email", type="email", required=True,
                                                auto_complete="username", size="3", width="100%"),
                     html_for="forgot-email"),
            submit_label=T["forgot.submit"], submit_id="forgot-submit", on_submit=S.submit,
        ),
        notice(S.sent, tone="green", icon="mail-check", id="forgot-sent", tab_index=-1),
        _back(T),
    )


def _new_password_form(S, T) -> rx.Component:
    return stacked_form(
        password_input(T["password.new"], "new-password", "new", hint=T["password.new_hint"]),
        password_input(T["password.confirm"], "confirm-password", "confirm"),
        submit_label=T["reset.submit"], submit_id="reset-submit", on_submit=S.submit,
    )


def reset_page() -> rx.Component:
    S, T = ResetState, words(ResetState, "portal")
    return _frame(
        S,
        page_heading(T["reset.title"]),
        notice(S.error, tone="red", icon="triangle-alert", id="reset-error"),
        rx.cond(S.link_works, _new_password_form(S, T)),
        rx.cond(S.checked & ~S.link_works & ~S.done & (S.error == ""),
                rx.callout(T["reset.error.link"], icon="link-2-off", color_scheme="orange", role="status",
                           id="reset-dead")),
        notice(rx.cond(S.done, T["reset.done"], ""), tone="green", icon="check", id="reset-done", tab_index=-1),
        rx.cond(S.link_works, rx.fragment(), rx.link(T["login.forgot"], href=routes.PORTAL_FORGOT, size="2")),
        _back(T),
    )
