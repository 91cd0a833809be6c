"""/portal/login: email and password, rate-limited, one generic error."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.portal_layout import labelled, notice, page_heading, portal_frame, section
from careconnect_app.components.words import words
from careconnect_app.pages.portal.base_state import PortalState, Profile, profile_of
from careconnect_app.pages.state_tools import Session, in_session
from careconnect_app.portal import accounts


def _log_in(session: Session, email: str, password: str, ip: str,
            user_agent: str) -> tuple[accounts.LoginResult, Profile | None]:
    result = accounts.login(session, email, password, ip=ip, user_agent=user_agent)
    return result, profile_of(session, result.user) if result.ok else None


class LoginState(PortalState):
    error: str = ""
    _error_key: str = ""

    @rx.event
    async def load(self):
        """Already signed in: go to the dashboard."""
        self._browser_locale()
        if await self._session_is_live():
            return self._to_dashboard()
        return None

    @rx.event
    def toggle_language(self):
        """Switch English/Spanish (an error on show is shown in the new language)."""
        self._switch_locale()
        self.error = self._t(self._error_key) if self._error_key else ""

    @rx.event
    async def submit(self, form_data: dict):
        """Check the password (argon2) under the per-account and per-IP limits."""
        email = str(form_data.get("email", ""))[:254]
        password = str(form_data.get("password", ""))[:1024]
        ip, user_agent = self._client()
        result, profile = await in_session(_log_in, email, password, ip, user_agent)
        if result.ok:
            self.portal_session = result.token
            self._error_key = ""
            self.error = ""
            self._show_profile(profile)
            return self._to_dashboard()
        self._error_key = result.error.removeprefix("portal.")
        self.error = self._t(self._error_key)
        return rx.set_focus("password")


def login_page() -> rx.Component:
    S, T = LoginState, words(LoginState, "portal")
    return portal_frame(
        rx.center(
            section(
                page_heading(T["login.title"]),
                rx.text(T["login.intro"], size="2", color_scheme="gray"),
                rx.form(
                    rx.vstack(
                        labelled(T["login.email"], rx.input(id="email", name="email", type="email",
                                                            auto_complete="username", required=True, size="3",
                                                            width="100%"), html_for="email"),
                        labelled(T["login.password"], rx.input(id="password", name="password", type="password",
                                                               auto_complete="current-password", required=True,
                                                               size="3", width="100%"), html_for="password"),
                        notice(S.error, tone="red", icon="triangle-alert", id="login-error"),
                        rx.button(T["login.submit"], type="submit", size="3", width="100%", id="login-submit",
                                  min_height="44px"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=S.submit,
                    reset_on_submit=False,
                    width="100%",
                ),
                max_width="26rem",
            ),
            width="100%",
            padding_top="2rem",
        ),
        tr=T, signed_in=False, user_name="", scope_label="", is_admin=False, current="login",
        on_logout=S.logout, on_toggle_locale=S.toggle_language, locale=S.locale,
    )
