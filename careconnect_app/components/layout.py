"""The parent pages' layout: their header (brand, language switch) in the shared frame, cards, messages."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.frame import brand, centred_column, header_bar, page_frame, skip_link

__all__ = ["card", "field_error", "language_switch", "parent_frame", "skip_link", "status_message"]

PAGE_MAX_WIDTH = "40rem"


def language_switch(label: rx.Var | str, aria_label: rx.Var | str, on_click, lang: rx.Var | str) -> rx.Component:
    return rx.button(
        rx.icon("languages", size=18, aria_hidden="true"),
        rx.el.span(label, lang=lang),
        on_click=on_click,
        variant="soft",
        high_contrast=True,  # accent-11 on accent-3 is 4.15:1 (< 4.5 for 16 px text)
        size="3",
        aria_label=aria_label,
        id="language-switch",
        min_height="44px",
    )


def parent_frame(*children: rx.Component, header_right: rx.Component, skip_label, lang, title) -> rx.Component:
    """Mobile-first single column; works at 390 px wide and at 200% zoom (it reflows)."""
    header = header_bar(brand("signature", title), header_right, **centred_column(PAGE_MAX_WIDTH),
                        padding_y="0.75rem")
    return page_frame(*children, header=header, skip_label=skip_label, lang=lang, max_width=PAGE_MAX_WIDTH)


def card(*children: rx.Component, **props) -> rx.Component:
    props.setdefault("width", "100%")
    return rx.card(rx.vstack(*children, spacing="4", width="100%"), size="3", **props)


def status_message(title, body, icon: str = "info", tone: str = "blue") -> rx.Component:
    """A full-card message for link outcomes (expired, recalled, signed ...)."""
    return card(
        rx.hstack(
            rx.icon(icon, size=28, color=rx.color(tone, 10), aria_hidden="true"),
            rx.heading(title, as_="h1", size="6"),
            align="center",
            spacing="3",
        ),
        rx.text(body, size="4"),
        role="status",
    )


def field_error(message: rx.Var, id: str) -> rx.Component:
    """An error text tied to its field with aria-describedby, announced when it appears."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", id=id, width="100%"),
    )
