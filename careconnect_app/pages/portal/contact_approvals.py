"""The agency settings page's panel of guardians' contact changes waiting for approval (admins only)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from careconnect_app.common.formatting import format_utc_datetime
from careconnect_app.components.portal_layout import notice, section
from careconnect_app.components.words import words
from careconnect_app.models import Guardian
from careconnect_app.pages.portal.base_state import Caller, PortalState, portal_text
from careconnect_app.pages.state_tools import Session
from careconnect_app.portal import access, contact_changes


@dataclasses.dataclass
class ChangeCard:
    id: str = ""
    guardian: str = ""
    requested: str = ""
    changes: list[str] = dataclasses.field(default_factory=list)


def change_lines(change: contact_changes.PendingChange, locale: str) -> list[str]:
    """ "Email: a***@x.org → n***@y.org", one line per contact changed, in the reader's language."""
    return [f"{portal_text(locale, 'roster.email' if channel == 'email' else 'roster.phone')}: {old} → {new}"
            for channel, old, new in change.changes]


def pending_text(session: Session, guardian: Guardian, locale: str) -> str:
    """What the roster says of a guardian's change waiting for approval ("" when none)."""
    change = contact_changes.pending_change_of(session, guardian)
    return portal_text(locale, "roster.pending_change", changes="; ".join(change_lines(change, locale))) if change else ""


def _pending(session: Session, caller: Caller, locale: str) -> list[ChangeCard] | None:
    """The changes waiting for this admin (None for anyone else)."""
    if not access.is_admin(caller.user):
        return None
    return [ChangeCard(str(c.id), c.guardian, portal_text(locale, "approvals.requested", provider=c.provider,
                                                          when=format_utc_datetime(c.requested_at, locale)),
                       change_lines(c, locale))
            for c in contact_changes.pending_for(session, caller.user)]


def _decide(session: Session, caller: Caller, change_id: str, approve: bool, locale: str) -> tuple[str, list | None]:
    error = contact_changes.decide(session, caller.user, change_id, approve, ip=caller.ip,
                                   user_agent=caller.user_agent)
    return error, _pending(session, caller, locale)


class ApprovalsState(PortalState):
    changes: list[ChangeCard] = []
    approvals_info: str = ""
    approvals_error: str = ""

    @rx.event
    async def load(self):
        """The waiting changes (nothing for provider staff; the settings page sends them away)."""
        if self._opening:  # a reconnect keeps what the page said
            self.approvals_info = self.approvals_error = ""
        call = await self._as_user(_pending, self.locale)
        self.changes = (call.value or []) if call.signed_in else []

    @rx.event
    async def decide(self, change_id: str, approve: bool):
        """Approve (the new contact is used from now on) or deny one change; audited on the open sheets."""
        approve = approve is True  # any client may send anything: only a real true approves
        call = await self._as_user(_decide, str(change_id)[:12], approve, self.locale)
        if not call.signed_in:
            return self._to_login()
        error, changes = call.value
        self.changes = changes or []
        self.approvals_error = self._t(error.removeprefix("portal.")) if error else ""
        self.approvals_info = "" if error else self._t("approvals.approved" if approve else "approvals.denied")
        return None


def _change_card(change: ChangeCard) -> rx.Component:
    S, T = ApprovalsState, words(ApprovalsState, "portal")
    return rx.box(
        rx.vstack(
            rx.text(change.guardian, weight="medium"),
            rx.foreach(change.changes, lambda line: rx.text(line, size="2")),
            rx.text(change.requested, size="1", color_scheme="gray"),
            rx.hstack(
                rx.button(T["approvals.approve"], on_click=S.decide(change.id, True), size="2", min_height="44px",
                          aria_label=T["approvals.approve"] + ": " + change.guardian, id="approve-" + change.id),
                rx.button(T["approvals.deny"], on_click=S.decide(change.id, False), size="2", variant="soft",
                          color_scheme="red", min_height="44px",
                          aria_label=T["approvals.deny"] + ": " + change.guardian, id="deny-" + change.id),
                spacing="3", wrap="wrap",
            ),
            spacing="1",
        ),
        padding="10px", border=f"1px solid {rx.color('gray', 6)}", border_radius="8px", width="100%",
        custom_attrs={"data-change": change.guardian},
    )


def approvals_panel() -> rx.Component:
    S, T = ApprovalsState, words(ApprovalsState, "portal")
    return section(
        rx.heading(T["approvals.title"], as_="h2", size="4"),
        rx.cond(S.changes.length() == 0, rx.text(T["approvals.none"], size="2", color_scheme="gray")),
        rx.foreach(S.changes, _change_card),
        notice(S.approvals_info, tone="green", icon="check", id="approvals-info"),
        notice(S.approvals_error, tone="red", icon="triangle-alert", id="approvals-error"),
        id="contact-approvals",
    )
