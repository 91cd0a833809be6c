"""/portal/login: email and password under growing delays, one generic error; then the step owed next."""

from __future__ import annotations

from typing import TypedDict

import reflex as rx

from careconnect_app import routes
from careconnect_app.components.portal_layout import labelled, notice, page_heading, portal_frame, section
from careconnect_app.components.submit_button import submit_button
from careconnect_app.components.words import words
from careconnect_app.pages.portal.base_state import PortalState, Profile, profile_of
from careconnect_app.pages.state_tools import Session, in_session, take_language
from careconnect_app.portal import accounts, sessions
from careconnect_app.statuses import SessionStage

# Where a session that still owes a step of signing in goes.
STEP_PAGES = {SessionStage.SECOND_FACTOR: routes.PORTAL_LOGIN_CODE, SessionStage.ENROL: routes.PORTAL_ENROL,
              SessionStage.FULL: routes.PORTAL}


def _log_in(session: Session, email: str, password: str, ip: str,
            user_agent: str) -> tuple[accounts.LoginResult, Profile | None]:
    result = accounts.login(session, email, password, ip=ip, user_agent=user_agent)
    full = result.ok and result.stage == SessionStage.FULL
    return result, profile_of(session, result.user) if full else None


def session_stage(session: Session, token: str) -> str:
    """The stage of this browser's live session ("" when there is none); not counted as activity."""
    live = sessions.find(session, token, touch=False)
    return str(live.row.stage) if live is not None else ""


class LoginForm(TypedDict):
    """The sign-in form."""

    email: str
    password: str


class LoginState(PortalState):
    error: str = ""
    idle_notice: str = ""
    _error_key: str = ""
    _retry_after: int = 0

    def _show_error(self) -> None:
        self.error = self._t(self._error_key, seconds=self._retry_after) if self._error_key else ""

    @rx.event
    async def load(self):
        """Signed in, or half-way: go where the session belongs."""
        self._browser_locale()
        if self._idle_ended:
            self._idle_ended = False
            self.idle_notice = self._t("login.idle_notice",
                                       minutes=int(sessions.idle_limit().total_seconds() // 60))
        stage = await in_session(session_stage, self._session_secret())
        return rx.redirect(STEP_PAGES[SessionStage(stage)], replace=True) if stage else None

    @rx.event
    def choose_language(self, locale: str):
        """Show the page in `locale`, the language its button offered (an error on show follows)."""
        if not take_language(self, locale):
            return
        self._show_error()

    @rx.event
    async def submit(self, form_data: LoginForm):
        """Check the password; open the session at the step the user owes next."""
        email = str(form_data.get("email", ""))[:254]
        password = str(form_data.get("password", ""))[:1024]
        ip, user_agent = self._client()
        result, profile = await in_session(_log_in, email, password, ip, user_agent)
        if result.ok:
            await self._remember_session(result.token)
            self._error_key, self.error, self.idle_notice = "", "", ""
            self._show_profile(profile)
            return rx.redirect(STEP_PAGES[SessionStage(result.stage)], replace=True)
        self._error_key, self._retry_after = result.error.removeprefix("portal."), result.retry_after
        self._show_error()
        return rx.set_focus("password")


def login_page() -> rx.Component:
    S, T = LoginState, words(LoginState, "portal")
    return portal_frame(
        rx.center(
            section(
                page_heading(T["login.title"]),
                rx.text(T["login.intro"], size="2", color_scheme="gray"),
                notice(S.idle_notice, tone="blue", icon="clock", id="idle-notice", high_contrast=True),
                rx.form(
                    rx.vstack(
                        labelled(T["login.email"], rx.input(id="email", name="email", type="email",
                                                            auto_complete="username", required=True, size="3",
                                                            width="100%"), html_for="email"),
                        labelled(T["login.password"], rx.input(id="password", name="password", type="password",
                                                               auto_complete="current-password", required=True,
                                                               size="3", width="100%"), html_for="password"),
                        notice(S.error, tone="red", icon="triangle-alert", id="login-error"),
                        submit_button(T["login.submit"], size="3", width="100%", id="login-submit",
                                  min_height="44px"),
                        spacing="3",
                        width="100%",
                    ),
                    method="post", on_submit=S.submit,
                    reset_on_submit=False,
                    width="100%",
                ),
                rx.link(T["login.forgot"], href=routes.PORTAL_FORGOT, id="forgot-link", size="2"),
                max_width="26rem",
            ),
            width="100%",
            padding_top="2rem",
        ),
        tr=T, signed_in=False, user_name="", scope_label="", is_admin=False, current="login",
        on_logout=S.logout, on_choose_language=S.choose_language, locale=S.locale,
    )
