"""/portal/staff: the portal logins of the provider (or, for an agency admin, of the agency), invite
by email, deactivate and reactivate, and the recent changes to logins, children and guardians.

Provider staff who are not owners see the list read-only. Every handler re-checks through
portal.staff who may change which login.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

import reflex as rx

from careconnect_app import i18n
from careconnect_app.common.formatting import format_local_datetime
from careconnect_app.components.portal_layout import (
    SELECT_STYLE, cell, confirm_dialog, data_table, labelled, notice, page_heading, section, signed_in_frame
)
from careconnect_app.components.submit_button import submit_button
from careconnect_app.components.words import words
from careconnect_app.models import Agency
from careconnect_app.pages.portal.base_state import Caller, PortalState, ReloadingPageMixin, portal_text
from careconnect_app.pages.state_tools import Session
from careconnect_app.portal import access, activity, staff
from careconnect_app.statuses import STAFF_STATUS_TONE, Role, StaffStatus

INPUT_IDS = {"name": "staff-name", "email": "staff-email", "role": "staff-role"}


def _event_label(event: str, locale: str) -> str:
    text = i18n.t(f"portal.event.{event}", locale)
    return event if text == f"portal.event.{event}" else text


def _member_row(member: staff.StaffMember, me: int, locale: str) -> dict[str, str]:
    user = member.user
    role = ("staff.role.agency_admin" if user.role == Role.AGENCY_ADMIN
            else "staff.role.owner" if user.is_owner else "staff.role.provider")
    return {
        "id": str(user.id), "name": user.name or user.email,
        "you": portal_text(locale, "staff.you") if user.id == me else "", "email": user.email,
        "role": portal_text(locale, role) + (f" · {member.provider_name}" if member.provider_name else ""),
        "status": member.status, "status_label": portal_text(locale, f"staff.status.{member.status}"),
        "can_deactivate": "1" if member.manageable and member.status != StaffStatus.DEACTIVATED else "",
        "can_reactivate": "1" if member.manageable and member.status == StaffStatus.DEACTIVATED else "",
        "can_resend": "1" if member.manageable and member.status in (StaffStatus.INVITED,
                                                                     StaffStatus.INVITE_EXPIRED) else "",
    }


def _read_staff(session: Session, caller: Caller, locale: str) -> dict[str, Any]:
    user = caller.user
    agency = session.get(Agency, user.agency_id)
    tz = agency.timezone if agency else "UTC"
    roles = []
    if access.is_admin(user):
        roles = [{"value": str(p.id), "label": portal_text(locale, "staff.role_for", provider=p.name)}
                 for p in access.providers_for(session, user)]
        roles.append({"value": staff.ADMIN_CHOICE, "label": portal_text(locale, "staff.role.agency_admin")})
    return {
        "members": [_member_row(m, user.id, locale) for m in staff.staff_of(session, user)],
        "can_manage": staff.can_manage(user),
        "roles": roles,
        "activity": [{"when": format_local_datetime(a.at, tz, locale), "by": a.by or "—",
                      "change": _event_label(a.event, locale), "about": a.subject or "—"}
                     for a in activity.recent(session, user)],
    }


class InviteForm(TypedDict):
    """A new staff login (role and owner only where the inviter may choose them)."""

    name: str
    email: str
    role: NotRequired[str]
    owner: NotRequired[str]  # the checkbox's "on", absent when unticked


def _invite(session: Session, caller: Caller, form: dict, locale: str) -> staff.StaffChange:
    return staff.invite(session, caller.user, email=str(form.get("email", ""))[:254],
                        name=str(form.get("name", ""))[:200], role_choice=str(form.get("role", ""))[:32],
                        owner=bool(form.get("owner")), locale=locale, ip=caller.ip, user_agent=caller.user_agent)


def _change(session: Session, caller: Caller, action: str, user_id: str, locale: str) -> staff.StaffChange:
    if action == "deactivate":
        return staff.deactivate(session, caller.user, user_id, ip=caller.ip, user_agent=caller.user_agent)
    return staff.reactivate(session, caller.user, user_id, locale=locale, ip=caller.ip, user_agent=caller.user_agent)


class StaffState(ReloadingPageMixin, PortalState):
    members: list[dict[str, str]] = []
    can_manage: bool = False
    roles: list[dict[str, str]] = []
    activity: list[dict[str, str]] = []
    invite_errors: dict[str, str] = {}
    info: str = ""
    error: str = ""
    form_key: int = 0  # a new key empties the invitation form after a sent invitation

    async def _reload(self):
        call = await self._as_user(_read_staff, self.locale)
        if not call.signed_in:
            self.members, self.activity = [], []
            return self._to_login()
        for name, value in call.value.items():
            setattr(self, name, value)
        return None

    @rx.event
    async def load(self):
        """Show the logins the user may see (and manage)."""
        if self._opening:  # a reconnect keeps what the page said
            self.info = self.error = ""
            self.invite_errors = {}
        return await self._reload()


    @rx.event
    async def invite(self, form_data: InviteForm):
        """Create the login (inactive) and email its one-time link to set a password."""
        self.info = self.error = ""
        call = await self._as_user(_invite, dict(form_data), self.locale)
        if not call.signed_in:
            return self._to_login()
        done = call.value
        self.invite_errors = {k: self._t(v) for k, v in done.errors.items()}
        if done.errors:
            return rx.set_focus(INPUT_IDS.get(next(iter(done.errors)), "staff-name"))
        self.info = self._t("staff.invited", email=done.user.email)
        self.form_key += 1
        return await self._reload()

    async def _act(self, action: str, user_id: str, done_key: str):
        self.info = self.error = ""
        call = await self._as_user(_change, action, str(user_id), self.locale)
        if not call.signed_in:
            return self._to_login()
        done = call.value
        if done.errors:
            self.error = self._t(done.errors.get("form", "staff.error.not_allowed"))
        else:
            key = "staff.resent" if done.message_ids else done_key
            self.info = self._t(key, name=done.user.name or done.user.email, email=done.user.email)
        return await self._reload()

    @rx.event
    async def deactivate(self, user_id: str):
        """Stop a login at once (signed out everywhere)."""
        return await self._act("deactivate", user_id, "staff.deactivated")

    @rx.event
    async def reactivate(self, user_id: str):
        """Let a deactivated login sign in again (or send a new invitation if it never set a password)."""
        return await self._act("reactivate", user_id, "staff.reactivated")


S, T = StaffState, words(StaffState, "portal")


def _actions(m: dict) -> rx.Component:
    return rx.hstack(
        rx.cond(m["can_resend"] == "1", rx.button(
            T["staff.resend"], on_click=S.reactivate(m["id"]), variant="soft", size="2", min_height="44px",
            id="resend-invite-" + m["id"], aria_label=T["staff.resend"] + " " + m["name"])),
        rx.cond(m["can_reactivate"] == "1", rx.button(
            T["staff.reactivate"], on_click=S.reactivate(m["id"]), variant="soft", size="2", min_height="44px",
            id="reactivate-" + m["id"], aria_label=T["staff.reactivate"] + " " + m["name"])),
        rx.cond(m["can_deactivate"] == "1", confirm_dialog(
            rx.button(T["staff.deactivate"], variant="soft", color_scheme="gray", size="2", min_height="44px",
                      id="deactivate-" + m["id"], aria_label=T["staff.deactivate"] + " " + m["name"]),
            title=T["staff.deactivate_title"], body=T["staff.deactivate_body"], confirm_label=T["staff.deactivate"],
            cancel_label=T["cancel"], on_confirm=S.deactivate(m["id"]), id="deactivate-dialog-" + m["id"])),
        spacing="2", wrap="wrap", justify="end",
    )


def _member(m: dict) -> rx.Component:
    return rx.el.tr(
        cell(T["staff.col.name"], rx.text(m["name"], " ", m["you"], weight="medium")),
        cell(T["staff.col.email"], m["email"]),
        cell(T["staff.col.role"], m["role"]),
        cell(T["staff.col.status"], rx.badge(m["status_label"], color_scheme=rx.match(
            m["status"], *STAFF_STATUS_TONE.items(), "gray"), high_contrast=True)),
        cell("", _actions(m)),
        custom_attrs={"data-email": m["email"]},
    )


def _invite_form() -> rx.Component:
    def field(label: str, name: str, **props) -> rx.Component:
        return labelled(T[label], rx.input(id=INPUT_IDS[name], name=name, width="100%", height="44px", size="3",
                                           **props), html_for=INPUT_IDS[name], error=S.invite_errors.get(name, ""))

    return section(
        rx.heading(T["staff.invite_title"], as_="h2", size="4"),
        rx.text(T["staff.invite_intro"], size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                rx.grid(
                    field("staff.name", "name", auto_complete="off"),
                    field("staff.email", "email", type="email", auto_complete="off"),
                    rx.cond(S.is_admin, labelled(T["staff.role"], rx.el.select(
                        rx.foreach(S.roles, lambda r: rx.el.option(r["label"], value=r["value"])),
                        id="staff-role", name="role", style={**SELECT_STYLE, "minHeight": "44px"},
                    ), html_for="staff-role", error=S.invite_errors.get("role", ""))),
                    columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%",
                ),
                rx.el.label(rx.el.input(type="checkbox", name="owner", id="staff-owner",
                                        style={"width": "20px", "height": "20px", "margin": "0"}),
                            T["staff.owner"],
                            style={"display": "flex", "gap": "8px", "alignItems": "center", "minHeight": "44px"}),
                submit_button(rx.icon("mail-plus", size=16, aria_hidden="true"), T["staff.send_invite"],
                              id="send-invite", min_height="44px"),
                spacing="3", width="100%",
            ),
            # The server checks the address and says why in place (not the browser's own bubble).
            method="post", on_submit=S.invite, reset_on_submit=False, width="100%", key=S.form_key.to_string(),
            custom_attrs={"noValidate": True},
        ),
    )


def _activity_row(a: dict) -> rx.Component:
    return rx.el.tr(cell(T["col.time"], rx.text(a["when"], size="1")), cell(T["staff.col.by"], a["by"]),
                    cell(T["staff.col.change"], a["change"]), cell(T["staff.col.about"], a["about"]))


def staff_page() -> rx.Component:
    return signed_in_frame(
        S,
        rx.vstack(
            page_heading(T["staff.title"]),
            rx.text(rx.cond(S.can_manage, T["staff.intro"], T["staff.read_only"]), size="2", id="staff-intro"),
            notice(S.info, tone="green", icon="check", id="staff-info"),
            notice(S.error, tone="red", icon="triangle-alert", id="staff-error"),
            rx.cond(S.can_manage, _invite_form()),
            section(
                rx.heading(T["staff.list_title"], as_="h2", size="4"),
                data_table([T[k] for k in ("staff.col.name", "staff.col.email", "staff.col.role", "staff.col.status")],
                           S.members, _member, action_heading=T["col.actions"], id="staff-table"),
            ),
            section(
                rx.heading(T["staff.activity"], as_="h2", size="4"),
                rx.cond(S.activity.length() == 0, rx.text(T["staff.activity_empty"], color_scheme="gray")),
                data_table([T[k] for k in ("col.time", "staff.col.by", "staff.col.change", "staff.col.about")],
                           S.activity, _activity_row, id="staff-activity"),
            ),
            spacing="4",
            width="100%",
        ),
        current="staff",
    )
