"""The second step of signing in: /portal/login/code (the authenticator's code or a recovery code) and
/portal/two-step (setting up the app, with the recovery codes shown once).

Each page works only for a session that owes that step; anything else is sent to the login page,
which sends a half-signed-in session back to the step it owes.
"""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.portal_layout import labelled, notice, page_heading, portal_frame, section, stacked_form
from careconnect_app.components.words import words
from careconnect_app.pages.portal.base_state import PortalState, Profile, profile_of
from careconnect_app.pages.portal.login import session_stage
from careconnect_app.pages.state_tools import Session, in_session, take_language
from careconnect_app.portal import accounts
from careconnect_app.statuses import SessionStage


def _second_factor(session: Session, token: str, code: str, ip: str,
                   user_agent: str) -> tuple[accounts.LoginResult, Profile | None]:
    result = accounts.second_factor(session, token, code, ip=ip, user_agent=user_agent)
    return result, profile_of(session, result.user) if result.ok else None


def _finish_enrolment(session: Session, token: str, code: str, locale: str, ip: str,
                      user_agent: str) -> tuple[accounts.LoginResult, Profile | None]:
    result = accounts.finish_enrolment(session, token, code, locale=locale, ip=ip, user_agent=user_agent)
    return result, profile_of(session, result.user) if result.ok else None


class StepState(PortalState):
    """What both step pages share: the error shown, and where a finished or dead step goes."""

    error: str = ""
    _error_key: str = ""
    _retry_after: int = 0

    def _show_error(self) -> None:
        self.error = self._t(self._error_key, seconds=self._retry_after) if self._error_key else ""

    async def _after(self, result: accounts.LoginResult, profile: Profile | None):
        """Full session: keep its new secret. Refused: show why (a dead step goes back to the login)."""
        if result.ok:
            await self._remember_session(result.token)
            self._error_key, self.error = "", ""
            self._show_profile(profile)
            return None
        if result.error == "portal.login.error.step_expired":
            await self._remember_session("")
            return self._to_login()
        self._error_key, self._retry_after = result.error.removeprefix("portal."), result.retry_after
        self._show_error()
        return rx.set_focus("two-step-code")

    async def _owes(self, stage: SessionStage):
        """None when this browser's session owes `stage`; else a redirect to where it belongs."""
        self._browser_locale()
        current = await in_session(session_stage, self._session_secret())
        if current == stage:
            return None
        return self._to_dashboard() if current == SessionStage.FULL else self._to_login()

    @rx.event
    def choose_language(self, locale: str):
        """Show the page in `locale`, the language its button offered."""
        if not take_language(self, locale):
            return
        self._show_error()


class CodeState(StepState):
    @rx.event
    async def load(self):
        """Only a session that checked its password and owes the code."""
        self.error, self._error_key = "", ""
        return await self._owes(SessionStage.SECOND_FACTOR)

    @rx.event
    async def submit(self, form_data: dict):
        """Check the authenticator code or a recovery code (growing delays, each code once)."""
        code = str(form_data.get("code", ""))[:40]
        ip, user_agent = self._client()
        result, profile = await in_session(_second_factor, self._session_secret(), code, ip, user_agent)
        return await self._after(result, profile) or (self._to_dashboard() if result.ok else None)


class EnrolState(StepState):
    qr: str = ""  # the QR code as an SVG data URI (drawn on the server)
    secret: str = ""  # the same secret as text, grouped by 4
    recovery_codes: list[str] = []

    @rx.event
    async def load(self):
        """Show a secret to scan; only for a session that must set up the app."""
        self.error, self._error_key = "", ""
        if self.recovery_codes:  # shown once; a reload goes on
            self.recovery_codes = []
            return self._to_dashboard()
        redirect = await self._owes(SessionStage.ENROL)
        if redirect is not None:
            return redirect
        enrolment = await in_session(accounts.enrolment_for, self._session_secret())
        if enrolment is None:
            return self._to_login()
        self.qr, self.secret = enrolment.qr_data_uri, enrolment.secret
        return None

    @rx.event
    async def submit(self, form_data: dict):
        """The first code from the app: turn two-step sign-in on and show the recovery codes."""
        code = str(form_data.get("code", ""))[:40]
        ip, user_agent = self._client()
        result, profile = await in_session(_finish_enrolment, self._session_secret(), code, self.locale, ip,
                                           user_agent)
        redirect = await self._after(result, profile)
        if result.ok:
            self.recovery_codes, self.qr, self.secret = result.recovery_codes, "", ""
            return rx.set_focus("recovery-codes-heading")
        return redirect

    @rx.event
    def done(self):
        """The user saved the recovery codes: forget them here and go on."""
        self.recovery_codes = []
        return self._to_dashboard()


def _code_form(S, T, label_key: str, submit_key: str, hint=None) -> rx.Component:
    return stacked_form(
        labelled(T[label_key], rx.input(id="two-step-code", name="code", auto_complete="one-time-code",
                                        input_mode="text", required=True, size="3", width="100%",
                                        max_length=40, custom_attrs={"autocapitalize": "characters"}),
                 html_for="two-step-code", hint=hint),
        notice(S.error, tone="red", icon="triangle-alert", id="two-step-error"),
        submit_label=T[submit_key], submit_id="two-step-submit", on_submit=S.submit, keep_values=False,
    )


def _frame(S, *children: rx.Component) -> rx.Component:
    return portal_frame(
        rx.center(section(*children, max_width="30rem"), width="100%", padding_top="2rem"),
        tr=words(S, "portal"), signed_in=False, user_name="", scope_label="", is_admin=False, current="login",
        on_logout=S.logout, on_choose_language=S.choose_language, locale=S.locale,
    )


def code_page() -> rx.Component:
    S, T = CodeState, words(CodeState, "portal")
    return _frame(
        S,
        page_heading(T["code.title"]),
        rx.text(T["code.intro"], size="2"),
        _code_form(S, T, "code.label", "code.submit", hint=T["code.recovery_hint"]),
        rx.link(T["code.back"], on_click=S.logout, href="#", id="back-to-login", size="2"),
    )


def _recovery_codes(S, T) -> rx.Component:
    return rx.vstack(
        rx.heading(T["enrol.codes_title"], as_="h2", size="4", id="recovery-codes-heading", tab_index=-1),
        rx.text(T["enrol.codes_intro"], size="2"),
        rx.el.ul(rx.foreach(S.recovery_codes, lambda c: rx.el.li(rx.code(c, size="3"))), id="recovery-codes",
                 style={"columns": "2", "paddingLeft": "1.2rem", "lineHeight": "2"}),
        rx.button(T["enrol.continue"], on_click=S.done, size="3", width="100%", id="recovery-done",
                  min_height="44px"),
        spacing="3", width="100%",
    )


def enrol_page() -> rx.Component:
    S, T = EnrolState, words(EnrolState, "portal")
    return _frame(
        S,
        page_heading(T["enrol.title"]),
        rx.cond(
            S.recovery_codes.length() > 0,
            _recovery_codes(S, T),
            rx.vstack(
                rx.text(T["enrol.intro"], size="2"),
                rx.cond(S.qr != "", rx.image(src=S.qr, alt=T["enrol.qr_alt"], width="220px", height="220px",
                                             id="totp-qr", margin_x="auto")),
                rx.text(T["enrol.manual"], size="2"),
                rx.code(S.secret, id="totp-secret", size="3"),
                _code_form(S, T, "enrol.code_label", "enrol.submit"),
                rx.link(T["code.back"], on_click=S.logout, href="#", id="back-to-login", size="2"),
                spacing="3", width="100%",
            ),
        ),
    )
