"""State shared by every portal page: the session cookie, the signed-in user, the words, and the
prologue of every handler.

Every handler runs its work through `PortalState._as_user`, which re-reads the session from the
database (expiry, revocation, active account) on each call, off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import reflex as rx
from sqlmodel import Session

from careconnect_app import i18n, routes
from careconnect_app.config import get_settings
from careconnect_app.models import Agency, PortalUser, Provider
from careconnect_app.pages.state_tools import CallerMixin, in_session
from careconnect_app.portal import access, accounts

SESSION_COOKIE = "cc_portal_session"

Result = TypeVar("Result")


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


class PortalState(CallerMixin, rx.State):
    """The signed-in portal user (display only) and the page language."""

    # The session secret; the database keeps only its SHA-256 (careconnect_app.portal.accounts).
    # Secure (HTTPS-only) whenever the public base URL is https; HttpOnly is not possible in Reflex.
    portal_session: str = rx.Cookie("", name=SESSION_COOKIE, path=routes.PORTAL, same_site="strict",
                                    max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
                                    secure=get_settings().base_url.startswith("https://"))
    locale: str = "en"  # the page's words follow it (components.words), they are not state
    user_name: str = ""
    user_email: str = ""
    is_admin: bool = False
    scope_label: str = ""  # the provider's name, or the agency's for an admin
    signed_in: bool = False

    _locale_chosen: bool = False

    def _t(self, key: str, **values) -> str:
        return portal_text(self.locale, key, **values)

    async def _as_user(self, work: Callable[..., Result], *args: Any, **kwargs: Any) -> AsUser[Result]:
        """Run `work(session, caller, *args, **kwargs)` in one database session off the event loop,
        for the live user of this browser's session only; the header follows who that is."""
        token = self.portal_session
        ip, user_agent = self._client()

        def run(session: Session) -> tuple[Profile | None, Result | None]:
            user = accounts.session_user(session, token)
            if user is None:
                return None, None
            return profile_of(session, user), work(session, Caller(user, ip, user_agent), *args, **kwargs)

        profile, value = await in_session(run)
        self._show_profile(profile)
        return AsUser(profile is not None, value)

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
        return rx.redirect(routes.PORTAL_LOGIN, replace=True)

    def _to_dashboard(self):
        return rx.redirect(routes.PORTAL, replace=True)

    def _switch_locale(self) -> None:
        """Flip English/Spanish; page states call this from their own toggle handler, then reload."""
        self.locale = "es" if self.locale == "en" else "en"
        self._locale_chosen = True

    def _browser_locale(self) -> None:
        """Until the user picks a language, follow the browser's first choice (es-MX -> es)."""
        if self._locale_chosen:
            return
        first = (self.router.headers.accept_language or "").split(",")[0].strip()
        locale = i18n.normalise_locale(first)
        if locale != self.locale:
            self.locale = locale

    @rx.event
    async def logout(self):
        """Revoke the session in the database and forget the cookie."""
        ip, user_agent = self._client()
        await in_session(accounts.logout, self.portal_session, ip=ip, user_agent=user_agent)
        self.portal_session = ""
        self.signed_in = False
        self.user_name = self.user_email = self.scope_label = ""
        return self._to_login()
