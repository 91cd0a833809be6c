"""The receipt: just signed (step "done"), or a signed link opened again.

Opened again on another day or phone, a signed link shows its status; the reference and the copy
wait until this browser verifies again (where the agency requires codes).
"""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.layout import card
from careconnect_app.pages.sign.parts import S, T, primary_button, step_heading


def done() -> rx.Component:
    return card(
        rx.hstack(
            rx.icon("circle-check", size=32, color=rx.color("green", 11), aria_hidden="true"),
            step_heading(rx.cond(S.step == "done", T["done.title"], T["status.signed.title"])),
            align="center",
            spacing="3",
        ),
        rx.text(S.done_intro, size="3"),
        rx.cond(S.reference != "", rx.fragment(
            rx.box(
                rx.text(T["done.reference"], size="2", as_="div", class_name="cc-muted"),
                rx.text(S.reference, size="7", weight="bold", id="reference", as_="div", font_family="monospace",
                        overflow_wrap="anywhere"),
            ),
            rx.text(T["done.keep"], size="2", class_name="cc-muted"),
        )),
        rx.cond(
            S.copy_needs_code & (S.channels.length() > 0),
            rx.vstack(
                rx.text(T["done.copy_needs_code"], size="2"),
                primary_button(rx.icon("shield-check", aria_hidden="true"), T["done.verify_for_copy"],
                               on_click=S.start_copy_verification, id="verify-for-copy", variant="outline",
                               height="auto", padding_y="12px", white_space="normal"),
                width="100%",
                spacing="2",
            ),
        ),
        rx.cond(
            S.can_download,
            primary_button(rx.icon("download", aria_hidden="true"), T["done.download"],
                           on_click=S.download_copy, id="download-copy", variant="outline",
                           height="auto", padding_y="12px", white_space="normal"),
        ),
    )
