"""Step 1: who sent what, and a button to start."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.layout import card
from careconnect_app.pages.sign.parts import S, T, primary_button, step_heading


def _fact(label, value) -> rx.Component:
    return rx.box(
        rx.text(label, size="2", as_="div", class_name="cc-muted"),
        rx.text(value, size="4", weight="medium", as_="div"),
    )


def landing() -> rx.Component:
    return card(
        step_heading(T["landing.title"]),
        rx.text(S.intro_text, size="3"),
        rx.grid(
            _fact(T["landing.child"], S.child_name),
            _fact(T["landing.period"], S.period_label),
            _fact(T["landing.from"], S.provider_name),
            _fact(T["landing.agency"], S.agency_name),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        rx.text(T["landing.no_account"], size="2", class_name="cc-muted"),
        rx.text(S.expires_label, size="2", class_name="cc-muted"),
        primary_button(T["landing.start"], on_click=S.start, id="start"),
        rx.link(T["landing.guide"], href=S.guide_href, is_external=True, size="3", id="landing-guide"),
    )
