"""/portal/invite/<token>: an invited portal user chooses their password (the link works once).

The token is read from the address on every event and never put in a page variable; the database
keeps only its SHA-256.
"""

from __future__ import annotations

from typing import TypedDict

import reflex as rx

from careconnect_app import routes
from careconnect_app.components.portal_layout import (
    notice, page_heading, password_input, portal_frame, section, stacked_form
)
from careconnect_app.components.words import words
from careconnect_app.pages.portal.base_state import PortalState
from careconnect_app.pages.state_tools import Session, in_session, take_language
from careconnect_app.portal import staff


def _invited_email(session: Session, token: str, ip: str) -> str:
    found = staff.open_invite(session, token, ip=ip)
    return found[1].email if found else ""


class PasswordForm(TypedDict):
    """The new password, typed twice."""

    password: str
    repeat: str


class InviteState(PortalState):
    loaded: bool = False
    invite_email: str = ""  # whom the link was sent to ("" when the link does not work)
    done: bool = False
    invite_errors: dict[str, str] = {}
    _error_keys: dict[str, str] = {}

    def _token(self) -> str:
        return routes.last_segment(self.router.url.path, routes.PORTAL_INVITE_PREFIX)

    @rx.event
    async def load(self):
        """Check the link: still unused, not replaced, not expired."""
        self._browser_locale()
        self.loaded, self.done, self.invite_errors, self._error_keys = False, False, {}, {}
        ip, _agent = self._client()
        self.invite_email = await in_session(_invited_email, self._token(), ip)
        self.loaded = True

    @rx.event
    def choose_language(self, locale: str):
        """Show the page in `locale`, the language its button offered (errors on show follow)."""
        if not take_language(self, locale):
            return
        self.invite_errors = {k: self._t(v) for k, v in self._error_keys.items()}

    @rx.event
    async def submit(self, form_data: PasswordForm):
        """Set the password (10 characters or more, typed twice) and activate the login."""
        ip, user_agent = self._client()
        done = await in_session(staff.accept_invite, self._token(), str(form_data.get("password", ""))[:1024],
                                str(form_data.get("repeat", ""))[:1024], ip=ip, user_agent=user_agent)
        self._error_keys = dict(done.errors)
        self.invite_errors = {k: self._t(v) for k, v in done.errors.items()}
        if "form" in done.errors:
            self.invite_email = ""
            return None
        if done.errors:
            return rx.set_focus("invite-" + next(iter(done.errors)))
        self.done = True
        return rx.set_focus("page-heading")


def _form() -> rx.Component:
    S, T = InviteState, words(InviteState, "portal")
    return stacked_form(
        rx.text(T["invite.intro"], " ", rx.text.strong(S.invite_email, id="invite-email"), size="2"),
        password_input(T["invite.password"], "invite-password", "password", hint=T["invite.hint"],
                       error=S.invite_errors.get("password", "")),
        password_input(T["invite.repeat"], "invite-repeat", "repeat", error=S.invite_errors.get("repeat", "")),
        submit_label=T["invite.submit"], submit_id="invite-submit", on_submit=S.submit,
    )


def invite_page() -> rx.Component:
    S, T = InviteState, words(InviteState, "portal")
    body = rx.cond(
        S.done,
        rx.vstack(notice(T["invite.done"], tone="green", icon="check", id="invite-done"),
                  rx.link(T["invite.to_login"], href=routes.PORTAL_LOGIN, id="invite-login"), spacing="3"),
        rx.cond(S.invite_email != "", _form(),
                rx.vstack(rx.callout(T["invite.error.invalid"], icon="link-2-off", color_scheme="red",
                                     id="invite-invalid", width="100%"),
                          rx.link(T["invite.to_login"], href=routes.PORTAL_LOGIN), spacing="3")),
    )
    return portal_frame(
        rx.center(
            section(page_heading(T["invite.title"]),
                    rx.cond(S.loaded, body, rx.center(rx.spinner(size="3"), padding="2rem")), max_width="28rem"),
            width="100%", padding_top="2rem",
        ),
        tr=T, signed_in=False, user_name="", scope_label="", is_admin=False, current="invite",
        on_logout=S.logout, on_choose_language=S.choose_language, locale=S.locale,
    )
