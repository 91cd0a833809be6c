"""State shared by every portal page: the session cookie, the signed-in user, the words.

Every page state derives from PortalState and every handler starts with `self._require(session)`,
which re-reads the session from the database (expiry, revocation, role) on each call.
"""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from careconnect_app.portal import access
from careconnect_app import i18n
from careconnect_app.config import get_settings
from careconnect_app.models import Agency, PortalUser, Provider
from careconnect_app.portal import accounts

SESSION_COOKIE = "cc_portal_session"
LOGIN_ROUTE = "/portal/login"
HOME_ROUTE = "/portal"


class PortalState(rx.State):
    """The signed-in portal user (display only) and the page language."""

    # The session secret; the database keeps only its SHA-256 (careconnect_app.portal.accounts).
    # Secure (HTTPS-only) whenever the public base URL is https; HttpOnly is not possible in Reflex.
    portal_session: str = rx.Cookie("", name=SESSION_COOKIE, path="/portal", same_site="strict",
                                    max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
                                    secure=get_settings().base_url.startswith("https://"))
    locale: str = "en"
    tr: dict[str, str] = i18n.area("en", "portal")
    user_name: str = ""
    user_email: str = ""
    is_admin: bool = False
    scope_label: str = ""  # the provider's name, or the agency's for an admin
    signed_in: bool = False

    _user_id: int = 0
    _locale_chosen: bool = False

    def _client(self) -> tuple[str, str]:
        ip = self.router.session.client_ip or ""
        user_agent = self.router.headers.user_agent or ""
        return ip[:64], user_agent[:512]

    def _t(self, key: str, **values) -> str:
        return i18n.t(f"portal.{key}", self.locale, **values)

    def _require(self, session: Session, *, admin: bool = False) -> PortalUser | None:
        """The live user of this browser's session (and an admin when asked), else None."""
        user = accounts.session_user(session, self.portal_session)
        if user is None or (admin and not access.is_admin(user)):
            if user is None:
                self.signed_in = False
                self._user_id = 0
            return None
        self._user_id = user.id
        self.signed_in = True
        self.user_name = user.name or user.email
        self.user_email = user.email
        self.is_admin = access.is_admin(user)
        if self.is_admin:
            agency = session.get(Agency, user.agency_id)
            self.scope_label = agency.name if agency else ""
        else:
            provider = session.get(Provider, user.provider_id) if user.provider_id else None
            self.scope_label = provider.name if provider else ""
        return user

    def _to_login(self):
        return rx.redirect(LOGIN_ROUTE, replace=True)

    def _switch_locale(self) -> None:
        """Flip English/Spanish; page states call this from their own toggle handler, then reload."""
        self.locale = "es" if self.locale == "en" else "en"
        self.tr = i18n.area(self.locale, "portal")
        self._locale_chosen = True

    def _browser_locale(self) -> None:
        """Until the user picks a language, follow the browser's first choice (es-MX -> es)."""
        if self._locale_chosen:
            return
        first = (self.router.headers.accept_language or "").split(",")[0].strip()
        locale = i18n.normalise_locale(first)
        if locale != self.locale:
            self.locale = locale
            self.tr = i18n.area(locale, "portal")

    @rx.event
    def logout(self):
        """Revoke the session in the database and forget the cookie."""
        from careconnect_app.db import session_scope

        ip, user_agent = self._client()
        with session_scope() as session:
            accounts.logout(session, self.portal_session, ip=ip, user_agent=user_agent)
        self.portal_session = ""
        self.signed_in = False
        self._user_id = 0
        self.user_name = self.user_email = self.scope_label = ""
        return rx.redirect(LOGIN_ROUTE, replace=True)
