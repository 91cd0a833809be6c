"""Page frame for the parent pages: skip link, header with language switch, main, footer."""

from __future__ import annotations

import reflex as rx

PAGE_MAX_WIDTH = "40rem"


def skip_link(label: rx.Var | str) -> rx.Component:
    return rx.el.a(
        label,
        href="#main",
        class_name="cc-skip-link",
    )


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
    return rx.box(
        skip_link(skip_label),
        rx.el.header(
            rx.hstack(
                rx.hstack(
                    rx.icon("signature", size=22, aria_hidden="true", color=rx.color("accent", 11)),
                    rx.text(title, weight="bold", size="4"),
                    align="center",
                    spacing="2",
                ),
                header_right,
                justify="between",
                align="center",
                width="100%",
                max_width=PAGE_MAX_WIDTH,
                margin_x="auto",
                padding_x="1rem",
                padding_y="0.75rem",
                wrap="wrap",
                gap="0.5rem",
            ),
            border_bottom=f"1px solid {rx.color('gray', 5)}",
            background_color=rx.color("gray", 1),
        ),
        rx.el.main(
            *children,
            id="main",
            tab_index=-1,
            max_width=PAGE_MAX_WIDTH,
            margin_x="auto",
            padding="1rem",
            padding_bottom="3rem",
            width="100%",
        ),
        lang=lang,
        min_height="100vh",
        background_color=rx.color("gray", 2),
    )


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
