"""State shared by every portal page: the session cookie, the signed-in user, the words, and the
prologue of every handler.

Every handler runs its work through `PortalState._as_user`, which re-reads the session from the
database (expiry, revocation, idle time, active account, a fully signed-in session) on each call,
off the event loop. The page's idle timer (components/idle_guard) asks `idle_check` when the
warning or the end is due; the server's clock decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import reflex as rx
from sqlmodel import Session

from careconnect_app import i18n, routes
from careconnect_app.common import cookie_tickets
from careconnect_app.components.frame import SERVICE_NOTICE_ID
from careconnect_app.config import get_settings
from careconnect_app.models import Agency, PortalUser, Provider
from careconnect_app.pages.state_tools import (
    RESTORED,
    CallerMixin,
    KnownSockets,
    SessionCookieMixin,
    in_session,
    said_again,
    take_language,
)
from careconnect_app.portal import access, accounts, sessions
from careconnect_app.statuses import SessionStage

SESSION_COOKIE = cookie_tickets.PORTAL_SESSION_COOKIE

Result = TypeVar("Result")

# The portal's websockets in this process: a state made from nothing on one where someone signed
# in must reload its page (that socket's handshake predates the session cookie).
SOCKETS = KnownSockets()


def portal_text(locale: str, key: str, **values: object) -> str:
    """A portal text in the page's language (work running off the event loop has no state)."""
    return i18n.t(f"portal.{key}", locale, **values)


@dataclass(frozen=True)
class Caller:
    """The live user behind an event, and where it came from (for the audit trail)."""

    user: PortalUser
    ip: str
    user_agent: str


@dataclass(frozen=True)
class Profile:
    """What the portal header shows about the signed-in user."""

    name: str
    email: str
    is_admin: bool
    scope_label: str  # the provider's name, or the agency's for an admin


def profile_of(session: Session, user: PortalUser) -> Profile:
    admin = access.is_admin(user)
    if admin:
        scope = session.get(Agency, user.agency_id)
    else:
        scope = session.get(Provider, user.provider_id) if user.provider_id else None
    return Profile(name=user.name or user.email, email=user.email, is_admin=admin,
                   scope_label=scope.name if scope else "")


@dataclass(frozen=True)
class AsUser(Generic[Result]):
    """What `PortalState._as_user` did: nothing when the session is gone (signed_in False)."""

    signed_in: bool
    value: Result | None = None


def _no_work(_session: Session, _caller: Caller) -> None:
    return None


def _seconds_left(session: Session, token: str) -> int | None:
    """Seconds before this session ends for lack of activity (not counted as activity); None when over."""
    live = sessions.find(session, token, touch=False)
    return live.seconds_left if live is not None and live.row.stage == SessionStage.FULL else None


def idle_warning_seconds() -> int:
    """The warning shows this long before the end: 5 minutes (a third of a shorter limit)."""
    return min(300, int(sessions.idle_limit().total_seconds()) // 3)


class PortalState(CallerMixin, SessionCookieMixin, rx.State):
    """The signed-in portal user (display only) and the page language."""

    locale: str = "en"  # the page's words follow it (components.words), they are not state
    user_name: str = ""
    user_email: str = ""
    is_admin: bool = False
    scope_label: str = ""  # the provider's name, or the agency's for an admin
    signed_in: bool = False
    # The idle timer: seconds left when the server last counted activity, and a stamp that changes
    # each time (the page restarts its countdown); the warning dialog and its text.
    idle_left: int = 0
    idle_stamp: int = 0
    idle_warn_seconds: int = 300
    idle_poll_seconds: int = 60
    idle_warning: bool = False
    idle_message: str = ""
    # Set when this tab's state was lost: the page loads afresh (components/page_reload).
    reload_to: str = ""
    clean_url: bool = False

    _locale_chosen: bool = False
    # The portal page this tab shows, and whether its load opens it (a navigation) or loads it
    # again (a dropped connection came back, the browser reloaded): see `note_page`.
    _shown_path: str = ""
    _opening: bool = True
    _idle_ended: bool = False  # the login page says why the session ended
    # The session secret made in this tab (else the HttpOnly cookie's, read from the websocket
    # handshake); the database keeps only its SHA-256 (careconnect_app.portal.accounts).
    _portal_session: str = ""
    # What the page showed in each message var when this event began (see __setattr__).
    _shown_messages: dict[str, str] = {}

    # The vars the pages show in live regions (portal_layout.notice, role=alert texts), in any
    # portal state: a message that comes again is read again (state_tools.said_again).
    MESSAGE_VARS: ClassVar[frozenset[str]] = frozenset({
        "error", "info", "message", "sent", "idle_notice", "two_factor_status", "codes_error",
        "password_error", "password_info", "fix_error", "c_info", "c_error", "bulk_info",
        "approvals_info", "approvals_error", "child_info", "g_info", "schedule_info",
    })

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.MESSAGE_VARS and isinstance(value, str):
            if name not in self.dirty_vars:  # its first assignment since the page last got this state
                self._shown_messages[name] = getattr(self, name)
            value = said_again(self._shown_messages.get(name, ""), value)
        super().__setattr__(name, value)

    def _session_secret(self) -> str:
        return self._portal_session or self._cookie(SESSION_COOKIE)

    async def _remember_session(self, secret: str) -> None:
        """Use `secret` in this tab and store it as the browser's HttpOnly cookie ("" forgets it)."""
        self._portal_session = secret
        SOCKETS.note(self.router.session.session_id, signed_in=bool(secret))
        await self._hand_over_cookie(SESSION_COOKIE, secret, int(accounts.SESSION_LIFETIME.total_seconds()))

    def _t(self, key: str, **values) -> str:
        return portal_text(self.locale, key, **values)

    async def _as_user(self, work: Callable[..., Result], *args: Any, **kwargs: Any) -> AsUser[Result]:
        """Run `work(session, caller, *args, **kwargs)` in one database session off the event loop,
        for the live user of this browser's session only; the header follows who that is."""
        if self._state_lost():
            return AsUser(False)
        token = self._session_secret()
        ip, user_agent = self._client()

        def run(session: Session) -> tuple[Profile | None, Result | None, int]:
            live = sessions.find(session, token)
            if live is None or live.row.stage != SessionStage.FULL:
                return None, None, 0
            user = live.user
            return (profile_of(session, user), work(session, Caller(user, ip, user_agent), *args, **kwargs),
                    live.seconds_left)

        profile, value, seconds_left = await in_session(run)
        self._show_profile(profile)
        if profile is not None:
            self._restart_idle_timer(seconds_left)
        return AsUser(profile is not None, value)

    def _restart_idle_timer(self, seconds_left: int) -> None:
        self.idle_left, self.idle_stamp = seconds_left, self.idle_stamp + 1
        self.idle_warn_seconds = idle_warning_seconds()
        self.idle_poll_seconds = get_settings().portal_idle_poll_seconds
        if self.idle_warning and seconds_left > self.idle_warn_seconds:
            self.idle_warning = False

    async def _session_is_live(self) -> bool:
        """Whether this browser's session is live (the header follows)."""
        return (await self._as_user(_no_work)).signed_in

    def _show_profile(self, profile: Profile | None) -> None:
        if profile is None:
            if self.signed_in:
                self.signed_in = False
            return
        # Assigned only when changed: every assignment goes to the browser with the event's answer.
        for name, value in (("user_name", profile.name), ("user_email", profile.email),
                            ("is_admin", profile.is_admin), ("scope_label", profile.scope_label),
                            ("signed_in", True)):
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _to_login(self):
        if self.reload_to:  # the page reloads instead (`_state_lost`)
            return None
        return rx.redirect(routes.PORTAL_LOGIN, replace=True)

    def _to_dashboard(self):
        return rx.redirect(routes.PORTAL, replace=True)

    def _browser_locale(self) -> None:
        """Until the user picks a language, follow the browser's first choice (es-MX -> es)."""
        if self._locale_chosen:
            return
        first = (self.router.headers.accept_language or "").split(",")[0].strip()
        locale = i18n.normalise_locale(first)
        if locale != self.locale:
            self.locale = locale

    async def _ended_by_idle(self):
        if self.reload_to:  # not the end of the session: this tab's state was lost (`_state_lost`)
            return None
        self._idle_ended, self.idle_warning = True, False
        await self._remember_session("")
        self._show_profile(None)
        return self._to_login()

    @rx.event
    def note_page(self):
        """First of every portal page's loads. Reflex runs a page's loads again on each reconnect,
        so a load clears forms and notices only when the page is opened, not when a dropped
        connection comes back in the middle of typing."""
        socket_id = self.router.session.session_id
        if self._made_from_nothing() and SOCKETS.signed_in(socket_id):
            # A state made from nothing (Redis lost it) under a page of a tab that signed in on this
            # websocket: the page loads afresh (`_state_lost`), and the page's other loads find the
            # state lost too instead of sending the user to sign in.
            self._state_lost()
            return None
        SOCKETS.note(socket_id)
        path = self.router.url.path
        self._opening = path != self._shown_path
        self._shown_path = path
        restored = bool(self.router.url.query_parameters.get(RESTORED))  # the reload `_state_lost` asked for
        if self.clean_url != restored:  # (assigned only when changed: each assignment goes to the browser)
            self.clean_url = restored
        if self.reload_to:
            self.reload_to = ""
        # The event that found the state lost did not run: the user is told to check it.
        return rx.set_value(SERVICE_NOTICE_ID, self._t("error.restored")) if restored else None

    def _made_from_nothing(self) -> bool:
        """No page load ran on this state and nobody signed in on it: Reflex made it from nothing."""
        return not self._shown_path and not self._portal_session

    def _state_lost(self) -> bool:
        """True, with the page set to load afresh, when Redis lost this tab's state.

        Every portal page's loads start with `note_page`, so a handler finding the state made from
        nothing on a websocket where a page's loads ran runs on a state Reflex rebuilt: Redis lost
        the tab's state (restarted empty). The page reloads: its data is gone from the state, and a
        websocket that signed in lacks the session cookie set after it opened; a fresh load of the
        page carries the cookie. On a websocket where no load ran yet, the event merely came first
        (a tap as the page arrived): the page's loads are queued behind it, and it runs as it is.
        """
        if not self._made_from_nothing() or not SOCKETS.known(self.router.session.session_id):
            return False
        path = self.router.url.path
        page = path if path.startswith(routes.PORTAL + "/") and path.isprintable() else routes.PORTAL
        self.reload_to = f"{page}?{RESTORED}=1"
        return True

    @rx.event
    async def idle_check(self):
        """The page's idle timer fired: warn, or end the session, as the server's clock says."""
        if self._state_lost():
            return None
        seconds_left = await in_session(_seconds_left, self._session_secret())
        if seconds_left is None:
            return await self._ended_by_idle()
        self._restart_idle_timer(seconds_left)
        if seconds_left <= self.idle_warn_seconds:  # no other tab kept the session busy
            minutes = max(1, round(seconds_left / 60))
            self.idle_message = self._t("idle.body", minutes=int(sessions.idle_limit().total_seconds() // 60),
                                        left=minutes)
            self.idle_warning = True
        return None

    @rx.event
    async def stay_signed_in(self):
        """"Stay signed in" in the warning: counts as activity."""
        if not await self._session_is_live():
            return await self._ended_by_idle()
        self.idle_warning = False
        return None

    @rx.event
    async def logout(self):
        """Revoke the session in the database and forget the cookie."""
        ip, user_agent = self._client()
        await in_session(accounts.logout, self._session_secret(), ip=ip, user_agent=user_agent)
        await self._remember_session("")
        self.signed_in = self.idle_warning = False
        self.user_name = self.user_email = self.scope_label = ""
        return self._to_login()


class ReloadingPageMixin(rx.State, mixin=True):
    """The language switch of a page that shows itself again through its own `_reload`."""

    @rx.event
    async def choose_language(self, locale: str):
        """Show the page again in `locale`, the language its button offered."""
        if not take_language(self, locale):
            return
        return await self._reload()
