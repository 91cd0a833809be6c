"""/portal/children: the roster. Children, their guardians and each guardian's contact of record."""

from __future__ import annotations

import dataclasses

import reflex as rx

from careconnect_app.portal import access
from careconnect_app.components.portal_layout import labelled, notice, page_heading, portal_frame, section
from careconnect_app.db import session_scope
from careconnect_app.pages.portal.base_state import PortalState
from careconnect_app.portal import accounts, roster
from careconnect_app.common import audit
from careconnect_app.common.formatting import format_phone

CHILD_FIELDS = ("first_name", "last_name", "date_of_birth", "provider")
GUARDIAN_FIELDS = ("first_name", "last_name", "email", "phone", "preferred_locale", "channels")


@dataclasses.dataclass
class GuardianCard:
    id: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    language: str = ""
    channels: str = ""


@dataclasses.dataclass
class ChildCard:
    id: str = ""
    name: str = ""
    provider: str = ""
    born: str = ""
    guardians: list[GuardianCard] = dataclasses.field(default_factory=list)


class ChildrenState(PortalState):
    children: list[ChildCard] = []
    providers: list[dict[str, str]] = []
    child_errors: dict[str, str] = {}
    child_info: str = ""
    child_provider: str = ""
    # The guardian form (add to a child, or edit one guardian).
    g_child_id: str = ""
    g_child_name: str = ""
    g_edit_id: str = ""
    g_first: str = ""
    g_last: str = ""
    g_email: str = ""
    g_phone: str = ""
    g_locale: str = "en"
    g_notify_email: bool = True
    g_notify_sms: bool = False
    g_errors: dict[str, str] = {}
    g_info: str = ""

    _child_error_keys: dict[str, str] = {}
    _g_error_keys: dict[str, str] = {}

    def _reload(self):
        with session_scope() as session:
            user = self._require(session)
            if user is None:
                self.children, self.providers = [], []
                return self._to_login()
            providers = access.providers_for(session, user)
            self.providers = [{"id": str(p.id), "name": p.name} for p in providers]
            if self.child_provider not in [p["id"] for p in self.providers]:
                self.child_provider = self.providers[0]["id"] if self.providers else ""
            names = {p.id: p.name for p in providers}
            kids = roster.children_of(session, list(names))
            guardians = roster.guardians_by_child(session, [c.id for c in kids])
            show_provider = access.is_admin(user)
            self.children = [
                ChildCard(
                    id=str(c.id),
                    name=c.full_name,
                    provider=names.get(c.provider_id, "") if show_provider else "",
                    born=c.date_of_birth.isoformat() if c.date_of_birth else "",
                    guardians=[
                        GuardianCard(
                            id=str(g.id),
                            name=g.full_name,
                            email=g.email + (f" ({self._t('roster.bounced')})" if g.email_undeliverable else ""),
                            phone=format_phone(g.phone) + (f" ({self._t('roster.opted_out')})" if g.sms_opted_out else ""),
                            language=self._t(f"language.{g.preferred_locale}"),
                            channels=", ".join(
                                [self._t("roster.channel.email")] * g.notify_email
                                + [self._t("roster.channel.sms")] * g.notify_sms
                            ),
                        )
                        for g in guardians.get(c.id, [])
                    ],
                )
                for c in kids
            ]
        self.child_errors = {k: self._t(v) for k, v in self._child_error_keys.items()}
        self.g_errors = {k: self._t(v) for k, v in self._g_error_keys.items()}

    @rx.event
    def load(self):
        """Show the roster of the user's provider(s)."""
        self.child_info = self.g_info = ""
        self._child_error_keys, self._g_error_keys = {}, {}
        self.g_child_id = self.g_edit_id = ""
        return self._reload()

    @rx.event
    def toggle_language(self):
        self._switch_locale()
        return self._reload()

    @rx.event
    def set_child_provider(self, value: str):
        self.child_provider = str(value)

    @rx.event
    def add_child(self, form_data: dict):
        """Add a child (validated in place)."""
        self.child_info = ""
        ip, user_agent = self._client()
        with session_scope() as session:
            user = self._require(session)
            if user is None:
                return self._to_login()
            checked = roster.check_child(str(form_data.get("first_name", "")), str(form_data.get("last_name", "")),
                                         str(form_data.get("date_of_birth", "")))
            provider_id = user.provider_id if not access.is_admin(user) else access._as_id(self.child_provider)
            if not access.can_see_provider(session, user, provider_id):
                checked.errors["provider"] = "roster.error.provider"
            self._child_error_keys = dict(checked.errors)
            if checked.ok:
                child = roster.add_child(session, provider_id, checked)
                audit.record(session, "child_added", actor=accounts.actor_of(user), user_id=user.id, ip=ip,
                             user_agent=user_agent, detail={"child_id": child.id})
                self.child_info = self._t("roster.child_added", name=child.full_name)
                # Straight on to the child's first guardian.
                self.g_child_id, self.g_child_name, self.g_edit_id = str(child.id), child.full_name, ""
                self._fill_guardian_form()
        result = self._reload()
        if result is not None:
            return result
        if not self._child_error_keys:
            return [rx.set_value("child-first", ""), rx.set_value("child-last", ""), rx.set_value("child-dob", ""),
                    rx.set_focus("g-first")]
        first = next(iter(self._child_error_keys))
        return rx.set_focus({"first_name": "child-first", "last_name": "child-last",
                             "date_of_birth": "child-dob"}.get(first, "child-provider"))

    def _fill_guardian_form(self, guardian=None) -> None:
        self.g_first = guardian.first_name if guardian else ""
        self.g_last = guardian.last_name if guardian else ""
        self.g_email = guardian.email if guardian else ""
        self.g_phone = format_phone(guardian.phone) if guardian else ""
        self.g_locale = guardian.preferred_locale if guardian else "en"
        self.g_notify_email = guardian.notify_email if guardian else True
        self.g_notify_sms = guardian.notify_sms if guardian else False
        self._g_error_keys, self.g_errors, self.g_info = {}, {}, ""

    @rx.event
    def open_guardian_form(self, child_id: str):
        """Show the add-guardian form for one child."""
        with session_scope() as session:
            user = self._require(session)
            if user is None:
                return self._to_login()
            child = access.child_for(session, user, child_id)
            if child is None:
                return
            self.g_child_id, self.g_child_name, self.g_edit_id = str(child.id), child.full_name, ""
            self._fill_guardian_form()

    @rx.event
    def edit_guardian(self, child_id: str, guardian_id: str):
        """Show the form filled with one guardian's contact of record."""
        with session_scope() as session:
            user = self._require(session)
            if user is None:
                return self._to_login()
            child = access.child_for(session, user, child_id)
            guardian = access.guardian_for(session, user, guardian_id)
            if child is None or guardian is None:
                return
            self.g_child_id, self.g_child_name, self.g_edit_id = str(child.id), child.full_name, str(guardian.id)
            self._fill_guardian_form(guardian)
        return rx.set_focus("g-first")

    @rx.event
    def close_guardian_form(self):
        self.g_child_id = self.g_edit_id = ""
        self._g_error_keys, self.g_errors = {}, {}

    @rx.event
    def set_g_first(self, v: str):
        self.g_first = str(v)[:80]

    @rx.event
    def set_g_last(self, v: str):
        self.g_last = str(v)[:80]

    @rx.event
    def set_g_email(self, v: str):
        self.g_email = str(v)[:254]

    @rx.event
    def set_g_phone(self, v: str):
        self.g_phone = str(v)[:40]

    @rx.event
    def set_g_locale(self, v: str):
        self.g_locale = v if v in ("en", "es") else "en"

    @rx.event
    def set_g_notify_email(self, v: bool):
        self.g_notify_email = bool(v)

    @rx.event
    def set_g_notify_sms(self, v: bool):
        self.g_notify_sms = bool(v)

    @rx.event
    def save_guardian(self):
        """Validate (email syntax, mobile to E.164, channels) and save the guardian."""
        ip, user_agent = self._client()
        with session_scope() as session:
            user = self._require(session)
            if user is None:
                return self._to_login()
            child = access.child_for(session, user, self.g_child_id)
            if child is None:
                self.g_child_id = ""
                return
            checked = roster.check_guardian(self.g_first, self.g_last, self.g_email, self.g_phone, self.g_locale,
                                            self.g_notify_email, self.g_notify_sms)
            self._g_error_keys = dict(checked.errors)
            self.g_errors = {k: self._t(v) for k, v in checked.errors.items()}
            if not checked.ok:
                first = next(iter(checked.errors))
                return rx.set_focus({"first_name": "g-first", "last_name": "g-last", "email": "g-email",
                                     "phone": "g-phone"}.get(first, "g-email"))
            if self.g_edit_id:
                guardian = access.guardian_for(session, user, self.g_edit_id)
                if guardian is None or guardian.provider_id != child.provider_id:
                    return
                roster.update_guardian(session, guardian, checked)
                event = "guardian_updated"
            else:
                guardian = roster.add_guardian(session, child, checked)
                event = "guardian_added"
            audit.record(session, event, actor=accounts.actor_of(user), user_id=user.id, ip=ip,
                         user_agent=user_agent, detail={"guardian_id": guardian.id, "child_id": child.id})
            self.g_info = self._t("roster.guardian_saved", name=guardian.full_name, child=child.full_name)
        self.g_child_id = self.g_edit_id = ""
        self._g_error_keys = {}
        return self._reload()


S, T = ChildrenState, ChildrenState.tr


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
                rx.text(T["roster.notify_by"], ": ", g.channels, " · ", g.language, size="1",
                        color_scheme="gray"),
                spacing="0",
            ),
            rx.button(T["roster.edit"], variant="ghost", size="2", on_click=S.edit_guardian(child.id, g.id),
                      aria_label=T["roster.edit"] + " " + g.name, min_height="40px"),
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
                          id="add-guardian-" + child.id, min_height="40px"),
                justify="between", width="100%", align="start", wrap="wrap",
            ),
            rx.foreach(child.guardians, lambda g: _guardian(child, g)),
            rx.cond(child.guardians.length() == 0,
                    rx.text(T["roster.no_guardian"], size="2", color_scheme="orange")),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-child": child.name},
    )


def _guardian_form() -> rx.Component:
    return section(
        rx.heading(rx.cond(S.g_edit_id != "", T["roster.edit_guardian_for"], T["roster.add_guardian_for"]),
                   " ", S.g_child_name, as_="h2", size="4", id="guardian-form-heading"),
        rx.grid(
            labelled(T["roster.first_name"], rx.input(id="g-first", value=S.g_first, on_change=S.set_g_first,
                                                      auto_complete="off", width="100%"),
                     html_for="g-first", error=_gerr("first_name")),
            labelled(T["roster.last_name"], rx.input(id="g-last", value=S.g_last, on_change=S.set_g_last,
                                                     auto_complete="off", width="100%"),
                     html_for="g-last", error=_gerr("last_name")),
            labelled(T["roster.email"], rx.input(id="g-email", type="email", value=S.g_email,
                                                 on_change=S.set_g_email, auto_complete="off", width="100%"),
                     html_for="g-email", error=_gerr("email")),
            labelled(T["roster.phone"], rx.input(id="g-phone", type="tel", value=S.g_phone,
                                                 on_change=S.set_g_phone, auto_complete="off", width="100%"),
                     html_for="g-phone", error=_gerr("phone"), hint=T["roster.phone_hint"]),
            labelled(T["roster.language"], rx.el.select(
                rx.el.option(T["language.en"], value="en"), rx.el.option(T["language.es"], value="es"),
                id="g-locale", value=S.g_locale, on_change=S.set_g_locale,
                style={"minHeight": "40px", "padding": "6px", "borderRadius": "6px", "width": "100%"},
            ), html_for="g-locale", error=_gerr("preferred_locale")),
            rx.el.fieldset(
                rx.el.legend(T["roster.notify_by"], style={"fontWeight": "500", "fontSize": "0.9rem"}),
                rx.hstack(
                    rx.checkbox(T["roster.channel.email"], checked=S.g_notify_email, on_change=S.set_g_notify_email,
                                id="g-notify-email", size="3"),
                    rx.checkbox(T["roster.channel.sms"], checked=S.g_notify_sms, on_change=S.set_g_notify_sms,
                                id="g-notify-sms", size="3"),
                    spacing="4", padding_y="6px",
                ),
                rx.cond(_gerr("channels") != "", rx.text(_gerr("channels"), color_scheme="red", size="2", role="alert")),
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


def children_page() -> rx.Component:
    add_child = section(
        rx.heading(T["roster.add_child"], as_="h2", size="4"),
        rx.form(
            rx.vstack(
                rx.grid(
                    labelled(T["roster.first_name"], rx.input(id="child-first", name="first_name",
                                                              auto_complete="off", width="100%"),
                             html_for="child-first", error=_err("first_name")),
                    labelled(T["roster.last_name"], rx.input(id="child-last", name="last_name", auto_complete="off",
                                                             width="100%"),
                             html_for="child-last", error=_err("last_name")),
                    labelled(T["roster.date_of_birth"], rx.input(id="child-dob", name="date_of_birth", type="date",
                                                                 width="100%"),
                             html_for="child-dob", error=_err("date_of_birth")),
                    rx.cond(S.is_admin, labelled(T["roster.provider"], rx.el.select(
                        rx.foreach(S.providers, lambda p: rx.el.option(p["name"], value=p["id"])),
                        id="child-provider", name="provider", value=S.child_provider, on_change=S.set_child_provider,
                        style={"minHeight": "40px", "padding": "6px", "borderRadius": "6px", "width": "100%"},
                    ), html_for="child-provider", error=_err("provider"))),
                    columns=rx.breakpoints(initial="1", sm="3"),
                    spacing="3",
                    width="100%",
                ),
                rx.button(rx.icon("plus", size=16, aria_hidden="true"), T["roster.add_child_button"], type="submit",
                          id="add-child", min_height="44px"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.add_child,
            reset_on_submit=False,
            width="100%",
        ),
        notice(S.child_info, tone="green", icon="check", id="child-info"),
    )
    return portal_frame(
        rx.vstack(
            page_heading(T["roster.title"]),
            add_child,
            rx.cond(S.g_child_id != "", _guardian_form()),
            notice(S.g_info, tone="green", icon="check", id="guardian-info"),
            rx.heading(T["roster.children"], as_="h2", size="4"),
            rx.cond(S.children.length() == 0, rx.text(T["roster.empty"], color_scheme="gray")),
            rx.grid(rx.foreach(S.children, _child_card), columns=rx.breakpoints(initial="1", md="2"), spacing="3",
                    width="100%"),
            spacing="4",
            width="100%",
        ),
        tr=T, signed_in=S.signed_in, user_name=S.user_name, scope_label=S.scope_label, is_admin=S.is_admin,
        current="children", on_logout=S.logout, on_toggle_locale=S.toggle_language, locale=S.locale,
    )
