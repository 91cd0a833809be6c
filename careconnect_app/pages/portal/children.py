"""/portal/children: the roster. Children, their guardians and each guardian's contact of record."""

from __future__ import annotations

import dataclasses

import reflex as rx

import careconnect_app.pages.portal.child_edit as child_edit
from careconnect_app.common.formatting import format_phone
from careconnect_app.components.portal_layout import (
    SELECT_STYLE,
    labelled,
    notice,
    page_heading,
    section,
    signed_in_frame,
)
from careconnect_app.components.submit_button import submit_button
from careconnect_app.components.words import words
from careconnect_app.models import Guardian
from careconnect_app.pages.portal.base_state import Caller, PortalState, ReloadingPageMixin, portal_text
from careconnect_app.pages.portal.contact_approvals import pending_text
from careconnect_app.pages.state_tools import Session
from careconnect_app.portal import access, roster, roster_changes
from careconnect_app.portal.roster_changes import GuardianContact, GuardianSaved

# Where the focus goes when a field is refused (the first refused field of the form).
CHILD_INPUTS = {"first_name": "child-first", "last_name": "child-last", "date_of_birth": "child-dob"}
GUARDIAN_INPUTS = {"first_name": "g-first", "last_name": "g-last", "email": "g-email", "phone": "g-phone"}
# The guardian form's fields, each with how a value from the browser is cleaned (any client may send anything).
GUARDIAN_INPUT_CLEANERS = {
    "first_name": lambda v: str(v)[:80],
    "last_name": lambda v: str(v)[:80],
    "email": lambda v: str(v)[:254],
    "phone": lambda v: str(v)[:40],
    "preferred_locale": lambda v: v if v in ("en", "es") else "en",
    "notify_email": bool,
    "notify_sms": bool,
}


@dataclasses.dataclass
class GuardianCard:
    """A guardian as the roster shows them: every value ready to print."""

    id: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""  # "(555) 555-0142", then "(replied STOP)" where they opted out of texts
    language: str = ""  # the language of their messages, in the page's language
    channels: str = ""  # how they are notified: "Email, SMS"
    pending: str = ""  # a new contact waiting for the agency's approval, masked


@dataclasses.dataclass
class ChildCard:
    """A child of the roster with their guardians."""

    id: str = ""
    name: str = ""
    provider: str = ""
    born: str = ""  # ISO date, "" when not recorded
    guardians: list[GuardianCard] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Roster:
    providers: list[dict[str, str]]
    children: list[ChildCard]
    inactive: list[dict[str, str]]


def _guardian_card(session: Session, guardian: Guardian, locale: str) -> GuardianCard:
    def text(key: str) -> str:
        return portal_text(locale, key)

    return GuardianCard(
        id=str(guardian.id),
        name=guardian.full_name,
        email=guardian.email + (f" ({text('roster.bounced')})" if guardian.email_undeliverable else ""),
        phone=format_phone(guardian.phone) + (f" ({text('roster.opted_out')})" if guardian.sms_opted_out else ""),
        language=text(f"language.{guardian.preferred_locale}"),
        channels=", ".join([text("roster.channel.email")] * guardian.notify_email
                           + [text("roster.channel.sms")] * guardian.notify_sms),
        pending=pending_text(session, guardian, locale),
    )


def _read_roster(session: Session, caller: Caller, locale: str) -> Roster:
    """The children of the caller's provider(s), each with their guardians."""
    providers = access.providers_for(session, caller.user)
    names = {p.id: p.name for p in providers}
    kids = roster.children_of(session, list(names))
    guardians = roster.guardians_by_child(session, [c.id for c in kids])
    show_provider = access.is_admin(caller.user)
    return Roster(
        providers=[{"id": str(p.id), "name": p.name} for p in providers],
        children=[ChildCard(id=str(c.id), name=c.full_name,
                            provider=names.get(c.provider_id, "") if show_provider else "",
                            born=c.date_of_birth.isoformat() if c.date_of_birth else "",
                            guardians=[_guardian_card(session, g, locale) for g in guardians.get(c.id, [])])
                  for c in kids],
        inactive=child_edit.inactive_children(session, caller),
    )


def _add_child(session: Session, caller: Caller, form: dict,
               provider_choice: str) -> tuple[dict[str, str], tuple[str, str] | None]:
    """(error keys by field, (id, name) of the child added)."""
    child, errors = roster_changes.add_child(
        session, caller.user, str(form.get("first_name", "")), str(form.get("last_name", "")),
        str(form.get("date_of_birth", "")), provider_choice, ip=caller.ip, user_agent=caller.user_agent)
    return errors, (str(child.id), child.full_name) if child else None


def _open_form(session: Session, caller: Caller, child_id: str,
               guardian_id: str | None = None) -> tuple[str, str, str, GuardianContact] | None:
    """(child id, child name, guardian id, form) to add a guardian to the child or edit one of theirs;
    None when they are not the caller's."""
    child = access.child_for(session, caller.user, child_id)
    guardian = None if guardian_id is None else access.guardian_for(session, caller.user, guardian_id)
    if child is None or (guardian_id is not None and guardian is None):
        return None
    if guardian is None:
        return str(child.id), child.full_name, "", GuardianContact()
    return str(child.id), child.full_name, str(guardian.id), GuardianContact(
        guardian.first_name, guardian.last_name, guardian.email, format_phone(guardian.phone),
        guardian.preferred_locale, guardian.notify_email, guardian.notify_sms)


def _save_guardian(session: Session, caller: Caller, child_id: str, guardian_id: str,
                   contact: GuardianContact) -> GuardianSaved:
    return roster_changes.save_guardian(session, caller.user, child_id, guardian_id, contact, ip=caller.ip,
                                        user_agent=caller.user_agent)


class ChildrenState(child_edit.ChildEditMixin, ReloadingPageMixin, PortalState):
    children: list[ChildCard] = []
    providers: list[dict[str, str]] = []
    child_errors: dict[str, str] = {}
    child_info: str = ""
    child_provider: str = ""
    # The guardian form (add to a child, or edit one guardian).
    g_child_id: str = ""
    g_child_name: str = ""
    g_edit_id: str = ""
    guardian: GuardianContact = GuardianContact()  # the form as typed
    g_errors: dict[str, str] = {}
    g_info: str = ""

    _child_error_keys: dict[str, str] = {}
    _g_error_keys: dict[str, str] = {}

    async def _reload(self):
        """Read the roster again and show the errors on show in the page's language."""
        call = await self._as_user(_read_roster, self.locale)
        if not call.signed_in:
            self.children, self.providers = [], []
            return self._to_login()
        self.providers, self.children = call.value.providers, call.value.children
        self.inactive_children = call.value.inactive
        if self.child_provider not in [p["id"] for p in self.providers]:
            self.child_provider = self.providers[0]["id"] if self.providers else ""
        self.child_errors = {k: self._t(v) for k, v in self._child_error_keys.items()}
        self.g_errors = {k: self._t(v) for k, v in self._g_error_keys.items()}
        return None

    def _show_guardian_form(self, child_id: str, child_name: str, guardian_id: str = "",
                            form: GuardianContact | None = None) -> None:
        form = form or GuardianContact()
        self.g_child_id, self.g_child_name, self.g_edit_id = child_id, child_name, guardian_id
        self.guardian = form
        self._g_error_keys, self.g_errors, self.g_info = {}, {}, ""

    def _guardian_as_typed(self) -> GuardianContact:
        """A plain copy of the form (the state hands out a change-tracking proxy of its value)."""
        return GuardianContact(**{f.name: getattr(self.guardian, f.name) for f in dataclasses.fields(GuardianContact)})

    @rx.event
    async def load(self):
        """Show the roster of the user's provider(s); a form half filled in stays through a reconnect."""
        if self._opening:
            self.child_info = self.g_info = ""
            self._child_error_keys, self._g_error_keys = {}, {}
            self.g_child_id = self.g_edit_id = self.c_edit_id = self.c_info = self.c_error = ""
        return await self._reload()


    @rx.event
    def set_child_provider(self, value: str):
        """The provider a new child belongs to (agency admins)."""
        self.child_provider = str(value)

    @rx.event
    async def add_child(self, form_data: child_edit.AddChildForm):
        """Add a child (validated in place)."""
        self.child_info = ""
        call = await self._as_user(_add_child, form_data, self.child_provider)
        if not call.signed_in:
            return self._to_login()
        self._child_error_keys, child = call.value
        if child is not None:
            self.child_info = self._t("roster.child_added", name=child[1])
            self._show_guardian_form(*child)  # straight on to the child's first guardian
        redirect = await self._reload()
        if redirect is not None:
            return redirect
        if not self._child_error_keys:
            return [rx.set_value("child-first", ""), rx.set_value("child-last", ""), rx.set_value("child-dob", ""),
                    rx.set_focus("g-first")]
        first = next(iter(self._child_error_keys))
        return rx.set_focus(CHILD_INPUTS.get(first, "child-provider"))

    @rx.event
    async def open_guardian_form(self, child_id: str):
        """Show the add-guardian form for one child."""
        call = await self._as_user(_open_form, child_id)
        if not call.signed_in:
            return self._to_login()
        if call.value is not None:
            self._show_guardian_form(*call.value)
        return None

    @rx.event
    async def edit_guardian(self, child_id: str, guardian_id: str):
        """Show the form filled with one guardian's contact of record."""
        call = await self._as_user(_open_form, child_id, str(guardian_id))
        if not call.signed_in:
            return self._to_login()
        if call.value is None:
            return None
        self._show_guardian_form(*call.value)
        return rx.set_focus("g-first")

    @rx.event
    def close_guardian_form(self):
        """Hide the guardian form without saving."""
        self.g_child_id = self.g_edit_id = ""
        self._g_error_keys, self.g_errors = {}, {}

    @rx.event
    def set_guardian_field(self, field: str, value: str | bool):
        """One field of the guardian form as typed or ticked (checked on save)."""
        clean = GUARDIAN_INPUT_CLEANERS.get(field)
        if clean is not None:
            self.guardian = dataclasses.replace(self._guardian_as_typed(), **{field: clean(value)})

    @rx.event
    async def save_guardian(self):
        """Validate (email syntax, mobile to E.164, channels) and save the guardian."""
        call = await self._as_user(_save_guardian, self.g_child_id, self.g_edit_id, self._guardian_as_typed())
        if not call.signed_in:
            return self._to_login()
        saved = call.value
        if saved.no_child:
            self.g_child_id = ""
        if saved.no_child or saved.not_allowed:
            return None
        if saved.errors:
            self._g_error_keys = saved.errors
            self.g_errors = {k: self._t(v) for k, v in saved.errors.items()}
            return rx.set_focus(GUARDIAN_INPUTS.get(next(iter(saved.errors)), "g-email"))
        saved_text = self._t("roster.guardian_saved", name=saved.guardian_name, child=saved.child_name)
        # A change of contact during an open request: held for approval, or the old contact was told.
        self.g_info = f"{saved_text} {self._t(saved.contact_notice)}" if saved.contact_notice else saved_text
        self.g_child_id = self.g_edit_id = ""
        self._g_error_keys = {}
        return await self._reload()


S, T = ChildrenState, words(ChildrenState, "portal")  # the page's state and its words


def _err(key: str):
    return S.child_errors.get(key, "")


def _gerr(key: str):
    return S.g_errors.get(key, "")


def _guardian(child, g) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.vstack(
                rx.text(g.name, weight="medium"),
                rx.text(g.email, size="2", color_scheme="gray"),
                rx.text(g.phone, size="2", color_scheme="gray"),
                rx.cond(g.pending != "", rx.text(g.pending, size="2", color_scheme="orange")),
                rx.text(T["roster.notify_by"], ": ", g.channels, " · ", g.language, size="1",
                        color_scheme="gray"),
                spacing="0",
            ),
            rx.hstack(
                rx.button(T["roster.edit"], variant="ghost", size="2", on_click=S.edit_guardian(child.id, g.id),
                          aria_label=T["roster.edit"] + " " + g.name, min_height="44px"),
                child_edit.unlink_button(S, child, g), spacing="1", wrap="wrap", justify="end"),
            justify="between",
            width="100%",
            align="start",
        ),
        padding="8px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="6px",
        width="100%",
    )


def _child_card(child) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading(child.name, as_="h3", size="4"),
                    rx.cond(child.provider != "", rx.text(child.provider, size="1", color_scheme="gray")),
                    rx.cond(child.born != "", rx.text(T["roster.born"], " ", child.born, size="1",
                                                         color_scheme="gray")),
                    spacing="0",
                ),
                rx.button(rx.icon("user-plus", size=16, aria_hidden="true"), T["roster.add_guardian"],
                          variant="soft", size="2", on_click=S.open_guardian_form(child.id),
                          id="add-guardian-" + child.id, min_height="44px"),
                justify="between", width="100%", align="start", wrap="wrap",
            ),
            child_edit.child_actions(S, child),
            rx.foreach(child.guardians, lambda g: _guardian(child, g)),
            rx.cond(child.guardians.length() == 0,
                    rx.text(T["roster.no_guardian"], size="2", color_scheme="orange")),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-child": child.name},
    )


def _guardian_input(label: str, field: str, input_id: str, error: str, hint=None, **props) -> rx.Component:
    """One text field of the guardian form, bound to its field of `guardian`."""
    return labelled(T[label], rx.input(id=input_id, value=getattr(S.guardian, field),
                                       on_change=lambda v: S.set_guardian_field(field, v), auto_complete="off",
                                       width="100%", **props),
                    html_for=input_id, error=_gerr(error), hint=hint)


def _guardian_channel(label: str, field: str, input_id: str) -> rx.Component:
    return rx.checkbox(T[label], checked=getattr(S.guardian, field), on_change=lambda v: S.set_guardian_field(field, v),
                       id=input_id, size="3")


def _guardian_form() -> rx.Component:
    return section(
        rx.heading(rx.cond(S.g_edit_id != "", T["roster.edit_guardian_for"], T["roster.add_guardian_for"]),
                   " ", S.g_child_name, as_="h2", size="4", id="guardian-form-heading"),
        rx.grid(
            _guardian_input("roster.first_name", "first_name", "g-first", "first_name"),
            _guardian_input("roster.last_name", "last_name", "g-last", "last_name"),
            _guardian_input("roster.email", "email", "g-email", "email", type="email"),
            _guardian_input("roster.phone", "phone", "g-phone", "phone", hint=T["roster.phone_hint"], type="tel"),
            labelled(T["roster.language"], rx.el.select(
                rx.el.option(T["language.en"], value="en"), rx.el.option(T["language.es"], value="es"),
                id="g-locale", value=S.guardian.preferred_locale,
                on_change=lambda v: S.set_guardian_field("preferred_locale", v),
                style=SELECT_STYLE,
            ), html_for="g-locale", error=_gerr("preferred_locale")),
            rx.el.fieldset(
                rx.el.legend(T["roster.notify_by"], style={"fontWeight": "500", "fontSize": "0.9rem"}),
                rx.hstack(
                    _guardian_channel("roster.channel.email", "notify_email", "g-notify-email"),
                    _guardian_channel("roster.channel.sms", "notify_sms", "g-notify-sms"),
                    spacing="4", padding_y="6px",
                ),
                rx.cond(_gerr("channels") != "",
                        rx.text(_gerr("channels"), color_scheme="red", size="2", role="alert")),
                style={"border": "none", "padding": "0", "margin": "0"},
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        rx.hstack(
            rx.button(T["roster.save_guardian"], on_click=S.save_guardian, id="save-guardian", min_height="44px"),
            rx.button(T["cancel"], on_click=S.close_guardian_form, variant="soft", color_scheme="gray",
                      min_height="44px"),
            spacing="3",
        ),
        id="guardian-form",
    )


def _child_input(label: str, name: str, input_id: str, **props) -> rx.Component:
    """One field of the add-child form (read from the submitted form, not bound to a var)."""
    return labelled(T[label], rx.input(id=input_id, name=name, width="100%", **props), html_for=input_id,
                    error=_err(name))


def _add_child_form() -> rx.Component:
    return section(
        rx.heading(T["roster.add_child"], as_="h2", size="4"),
        rx.form(
            rx.vstack(
                rx.grid(
                    _child_input("roster.first_name", "first_name", "child-first", auto_complete="off"),
                    _child_input("roster.last_name", "last_name", "child-last", auto_complete="off"),
                    _child_input("roster.date_of_birth", "date_of_birth", "child-dob", type="date"),
                    rx.cond(S.is_admin, labelled(T["roster.provider"], rx.el.select(
                        rx.foreach(S.providers, lambda p: rx.el.option(p["name"], value=p["id"])),
                        id="child-provider", name="provider", value=S.child_provider, on_change=S.set_child_provider,
                        style=SELECT_STYLE,
                    ), html_for="child-provider", error=_err("provider"))),
                    columns=rx.breakpoints(initial="1", sm="3"),
                    spacing="3",
                    width="100%",
                ),
                submit_button(rx.icon("plus", size=16, aria_hidden="true"), T["roster.add_child_button"],
                              id="add-child", min_height="44px"),
                spacing="3",
                width="100%",
            ),
            method="post", on_submit=S.add_child,
            reset_on_submit=False,
            width="100%",
        ),
        notice(S.child_info, tone="green", icon="check", id="child-info"),
    )


def children_page() -> rx.Component:
    return signed_in_frame(
        S,
        rx.vstack(
            page_heading(T["roster.title"]),
            _add_child_form(),
            rx.cond(S.g_child_id != "", _guardian_form()),
            child_edit.child_edit_form(S),
            notice(S.g_info, tone="green", icon="check", id="guardian-info"),
            child_edit.change_notices(S),
            rx.heading(T["roster.children"], as_="h2", size="4"),
            rx.cond(S.children.length() == 0, rx.text(T["roster.empty"], color_scheme="gray")),
            rx.grid(rx.foreach(S.children, _child_card), columns=rx.breakpoints(initial="1", md="2"), spacing="3",
                    width="100%"),
            child_edit.inactive_section(S),
            spacing="4",
            width="100%",
        ),
        current="children",
    )
