"""The roster's changes after a child was added: edit the child's name and date of birth, deactivate
and reactivate, unlink a guardian (each audited by portal.child_changes).

A mixin of the children page's state: its handlers re-read the roster through the page's `_reload`.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

import reflex as rx

from careconnect_app.components.portal_layout import confirm_dialog, labelled, notice, section
from careconnect_app.components.submit_button import submit_button
from careconnect_app.components.words import words
from careconnect_app.pages.portal.base_state import Caller
from careconnect_app.pages.state_tools import Session
from careconnect_app.portal import access, child_changes, roster

EDIT_INPUTS = {"first_name": "edit-first", "last_name": "edit-last", "date_of_birth": "edit-dob"}


def inactive_children(session: Session, caller: Caller) -> list[dict[str, str]]:
    """The caller's deactivated children (reactivate them from the roster page)."""
    ids = access.provider_ids(session, caller.user)
    return [{"id": str(c.id), "name": c.full_name}
            for c in roster.children_of(session, ids, active_only=False) if not c.active]


class ChildForm(TypedDict):
    """A child's name and date of birth, as the add and edit forms submit them."""

    first_name: str
    last_name: str
    date_of_birth: str


class AddChildForm(ChildForm):
    """The add-child form (the provider choice is shown to agency admins only)."""

    provider: NotRequired[str]


def _child_form(session: Session, caller: Caller, child_id: str) -> tuple[str, str, str, str, str] | None:
    """(id, full name, first, last, ISO date of birth) of one of the caller's children."""
    child = access.child_for(session, caller.user, child_id)
    if child is None:
        return None
    born = child.date_of_birth.isoformat() if child.date_of_birth else ""
    return str(child.id), child.full_name, child.first_name, child.last_name, born


def _save_child(session: Session, caller: Caller, child_id: str, form: dict) -> child_changes.ChildChange:
    return child_changes.edit_child(session, caller.user, child_id, str(form.get("first_name", ""))[:200],
                                    str(form.get("last_name", ""))[:200], str(form.get("date_of_birth", ""))[:10],
                                    ip=caller.ip, user_agent=caller.user_agent)


def _set_active(session: Session, caller: Caller, child_id: str, active: bool) -> child_changes.ChildChange:
    return child_changes.set_active(session, caller.user, child_id, active, ip=caller.ip,
                                    user_agent=caller.user_agent)


def _unlink(session: Session, caller: Caller, child_id: str, guardian_id: str) -> tuple[child_changes.ChildChange, str]:
    guardian = access.guardian_for(session, caller.user, guardian_id)
    change = child_changes.unlink_guardian(session, caller.user, child_id, guardian_id, ip=caller.ip,
                                           user_agent=caller.user_agent)
    return change, guardian.full_name if guardian else ""


class ChildEditMixin(rx.State, mixin=True):
    """The child edit form, the deactivated children, and the outcome of each change."""

    c_edit_id: str = ""
    c_edit_name: str = ""
    c_first: str = ""
    c_last: str = ""
    c_dob: str = ""
    c_errors: dict[str, str] = {}
    c_info: str = ""
    c_error: str = ""
    inactive_children: list[dict[str, str]] = []

    def _outcome(self, change: child_changes.ChildChange, done_key: str, **values: str):
        """Show a change's outcome: done, refused (with the reason), or nothing (not the caller's)."""
        self.c_info = self.c_error = ""
        if change.child is None:
            self.c_error = self._t("error.not_found")
        elif change.errors:
            self.c_error = self._t(change.errors.get("form", "roster.error.required"))
        else:
            self.c_info = self._t(done_key, name=change.child.full_name, **values)

    @rx.event
    async def open_child_edit(self, child_id: str):
        """Show the edit form filled with one child's record."""
        call = await self._as_user(_child_form, str(child_id))
        if not call.signed_in:
            return self._to_login()
        if call.value is None:
            return None
        self.c_edit_id, self.c_edit_name, self.c_first, self.c_last, self.c_dob = call.value
        self.c_errors, self.c_info, self.c_error = {}, "", ""
        return rx.set_focus("edit-first")

    @rx.event
    def close_child_edit(self):
        """Hide the edit form without saving."""
        self.c_edit_id, self.c_errors = "", {}

    @rx.event
    async def save_child(self, form_data: ChildForm):
        """Validate and save the child's name and date of birth (refused while a sheet awaits the parent)."""
        call = await self._as_user(_save_child, self.c_edit_id, dict(form_data))
        if not call.signed_in:
            return self._to_login()
        change = call.value
        field_errors = {k: v for k, v in change.errors.items() if k != "form"}
        if field_errors:
            self.c_errors = {k: self._t(v) for k, v in field_errors.items()}
            return rx.set_focus(EDIT_INPUTS.get(next(iter(field_errors)), "edit-first"))
        self._outcome(change, "roster.child_saved")
        if change.child is not None and not change.errors:
            self.c_edit_id, self.c_errors = "", {}
        return await self._reload()

    async def _activity(self, child_id: str, active: bool, done_key: str):
        call = await self._as_user(_set_active, str(child_id), active)
        if not call.signed_in:
            return self._to_login()
        self._outcome(call.value, done_key)
        return await self._reload()

    @rx.event
    async def deactivate_child(self, child_id: str):
        """Take a child off the dashboard and lists (sheets and signatures are kept)."""
        return await self._activity(child_id, False, "roster.deactivated")

    @rx.event
    async def reactivate_child(self, child_id: str):
        """Bring a deactivated child back."""
        return await self._activity(child_id, True, "roster.reactivated")

    @rx.event
    async def unlink_guardian(self, child_id: str, guardian_id: str):
        """The guardian stops signing for this child (refused while they hold an open link)."""
        call = await self._as_user(_unlink, str(child_id), str(guardian_id))
        if not call.signed_in:
            return self._to_login()
        change, guardian_name = call.value
        self._outcome(change, "roster.unlinked", guardian=guardian_name)
        return await self._reload()


def child_actions(S, child) -> rx.Component:
    """Edit and deactivate, on a child's card."""
    T = words(S, "portal")
    return rx.hstack(
        rx.button(rx.icon("pencil", size=16, aria_hidden="true"), T["roster.edit_child"], variant="soft",
                  size="2", on_click=S.open_child_edit(child.id), id="edit-child-" + child.id, min_height="44px",
                  aria_label=T["roster.edit_child"] + " " + child.name),
        confirm_dialog(
            rx.button(T["roster.deactivate"], variant="soft", color_scheme="gray", size="2", min_height="44px",
                      id="deactivate-child-" + child.id, aria_label=T["roster.deactivate"] + " " + child.name),
            title=T["roster.deactivate_title"], body=T["roster.deactivate_body"],
            confirm_label=T["roster.deactivate"], cancel_label=T["cancel"],
            on_confirm=S.deactivate_child(child.id), id="deactivate-dialog-" + child.id),
        spacing="2",
        wrap="wrap",
    )


def unlink_button(S, child, guardian) -> rx.Component:
    """Unlink one guardian from a child, after a dialog saying what it means."""
    T = words(S, "portal")
    return confirm_dialog(
        rx.button(T["roster.unlink"], variant="ghost", color_scheme="gray", size="2", min_height="44px",
                  id=f"unlink-{child.id}-{guardian.id}", aria_label=T["roster.unlink"] + " " + guardian.name),
        title=T["roster.unlink_title"], body=T["roster.unlink_body"], confirm_label=T["roster.unlink"],
        cancel_label=T["cancel"], on_confirm=S.unlink_guardian(child.id, guardian.id),
        id=f"unlink-dialog-{child.id}-{guardian.id}")


def _edit_input(S, label: str, name: str, input_id: str, value, **props) -> rx.Component:
    T = words(S, "portal")
    return labelled(T[label], rx.input(id=input_id, name=name, default_value=value, width="100%",
                                          height="44px", size="3", **props),
                    html_for=input_id, error=S.c_errors.get(name, ""))


def child_edit_form(S) -> rx.Component:
    """The open child's name and date of birth (a form keyed on the child, so it refills)."""
    T = words(S, "portal")
    return rx.cond(S.c_edit_id != "", section(
        rx.heading(T["roster.edit_child_for"], " ", S.c_edit_name, as_="h2", size="4", id="child-edit-heading"),
        rx.form(
            rx.vstack(
                rx.grid(
                    _edit_input(S, "roster.first_name", "first_name", "edit-first", S.c_first, auto_complete="off"),
                    _edit_input(S, "roster.last_name", "last_name", "edit-last", S.c_last, auto_complete="off"),
                    _edit_input(S, "roster.date_of_birth", "date_of_birth", "edit-dob", S.c_dob, type="date"),
                    columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%",
                ),
                rx.hstack(
                    submit_button(T["roster.save_child"], id="save-child", min_height="44px"),
                    rx.button(T["cancel"], type="button", on_click=S.close_child_edit, variant="soft",
                              color_scheme="gray", min_height="44px"),
                    spacing="3",
                ),
                spacing="3", width="100%",
            ),
            method="post", on_submit=S.save_child, reset_on_submit=False, width="100%", key=S.c_edit_id,
        ),
        id="child-edit-form",
    ))


def change_notices(S) -> rx.Component:
    return rx.fragment(notice(S.c_info, tone="green", icon="check", id="child-change-info"),
                       notice(S.c_error, tone="red", icon="triangle-alert", id="child-change-error"))


def inactive_section(S) -> rx.Component:
    """Deactivated children, each with "reactivate"."""
    T = words(S, "portal")
    return rx.cond(S.inactive_children.length() > 0, section(
        rx.heading(T["roster.inactive"], as_="h2", size="4"),
        rx.foreach(S.inactive_children, lambda c: rx.hstack(
            rx.text(c["name"]),
            rx.button(T["roster.reactivate"], on_click=S.reactivate_child(c["id"]), variant="soft", size="2",
                      min_height="44px", id="reactivate-" + c["id"], aria_label=T["roster.reactivate"] + " " + c["name"]),
            justify="between", align="center", width="100%",
        )),
        id="inactive-children",
    ))
