"""The parent pages' layout: their header (brand, language switch) in the shared frame, cards, messages."""

from __future__ import annotations

import reflex as rx
from reflex_components_radix.themes.components.checkbox import Checkbox

from careconnect_app.components.frame import brand, centred_column, header_bar, page_frame, skip_link
from careconnect_app.components.words import other_language

__all__ = ["announcer", "call_link", "card", "check_row", "choice_option", "field_error", "language_switch",
           "parent_frame", "skip_link", "status_message"]

PAGE_MAX_WIDTH = "40rem"


def language_switch(label: rx.Var | str, aria_label: rx.Var | str | None, on_choose, locale: rx.Var, *,
                    id: str = "language-switch", size: str = "3", min_height: str = "44px") -> rx.Component:
    """A page's language button (parent pages and the portal's header): it sends the language it
    offers (`other_language`), so a tap made before the page loaded means what it said."""
    offered = other_language(locale)
    props = {"aria_label": aria_label} if aria_label is not None else {}
    return rx.button(
        rx.icon("languages", size=18, aria_hidden="true"),
        rx.el.span(label, lang=offered),
        on_click=on_choose(offered),
        variant="soft",
        high_contrast=True,  # accent-11 on accent-3 is 4.15:1 (< 4.5 for 16 px text)
        size=size,
        id=id,
        min_height=min_height,
        **props,
    )


def parent_frame(*children: rx.Component, header_right: rx.Component, skip_label, lang, title) -> rx.Component:
    """Mobile-first single column; works at 390 px wide and at 200% zoom (it reflows)."""
    header = header_bar(brand("signature", title), header_right, **centred_column(PAGE_MAX_WIDTH),
                        padding_y="0.75rem")
    return page_frame(*children, header=header, skip_label=skip_label, lang=lang, max_width=PAGE_MAX_WIDTH)


def card(*children: rx.Component, **props) -> rx.Component:
    props.setdefault("width", "100%")
    return rx.card(rx.vstack(*children, spacing="4", width="100%"), size="3", **props)


def status_message(title, body, icon: str = "info", tone: str = "blue", *extra: rx.Component) -> rx.Component:
    """A full-card message for link outcomes (expired, recalled, signed ...); focus can be sent to its heading."""
    return card(
        rx.hstack(
            rx.icon(icon, size=28, color=rx.color(tone, 11), aria_hidden="true"),
            rx.heading(title, as_="h1", size="6", id="status-heading", tab_index=-1),
            align="center",
            spacing="3",
        ),
        rx.text(body, size="4"),
        *extra,
    )


def call_link(label, href) -> rx.Component:
    """A tap-to-call button (tel: link) with the number shown, shown only when there is a number."""
    return rx.cond(
        href != "",
        rx.link(rx.icon("phone", size=18, aria_hidden="true"), label, href=href, class_name="cc-call-link",
                id="call-provider"),
    )


def field_error(message: rx.Var, id: str) -> rx.Component:
    """An error text tied to its field with aria-describedby (the page's live region announces it)."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", high_contrast=True, id=id, width="100%"),
    )


def announcer(text: rx.Var) -> rx.Component:
    """The page's one live region: every status change is read once, from here."""
    return rx.el.div(text, id="announcer", role="status", aria_live="polite", aria_atomic="true",
                     class_name="cc-sr-only")


def choice_option(value, label, id: str, detail=None) -> rx.Component:
    """One radio option as a whole-row target (at least 44 px high), with an optional second line."""
    lines = [rx.text(label, weight="medium", size="3")]
    if detail is not None:
        lines.append(rx.text(detail, size="2", class_name="cc-muted"))
    return rx.el.label(
        rx.radio_group.item(value=value, id=id),
        rx.flex(*lines, direction="column", min_width="0"),
        class_name="cc-choice",
    )


def check_row(label, *, checked, on_change, id: str, text_size: str = "3", **label_props) -> rx.Component:
    """A checkbox whose whole row, text included, is the target (at least 44 px high with "cc-choice")."""
    label_props = label_props or {"class_name": "cc-choice"}
    return rx.el.label(
        # The bare Radix checkbox: the high-level one wraps itself in a label of its own (a label in a label).
        Checkbox.create(checked=checked, on_change=on_change, id=id, size="3",
                        custom_attrs={"aria-labelledby": f"{id}-text"}),
        rx.text(label, size=text_size, id=f"{id}-text"),
        **label_props,
    )
