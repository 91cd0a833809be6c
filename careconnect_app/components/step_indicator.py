"""The wizard's step indicator: an ordered list with the current step marked for screen readers."""

from __future__ import annotations

import reflex as rx


def _step(item: dict) -> rx.Component:
    # item: {"label": str, "state": "done" | "current" | "todo", "n": str, "sr": str}
    return rx.el.li(
        rx.box(
            rx.cond(item["state"] == "done", rx.icon("check", size=14, aria_hidden="true"), rx.text(item["n"], size="1")),
            class_name="cc-step-dot",
            data_state=item["state"],
            aria_hidden="true",
        ),
        rx.text(item["label"], size="2", weight=rx.cond(item["state"] == "current", "bold", "regular")),
        rx.el.span(item["sr"], class_name="cc-sr-only"),
        aria_current=rx.cond(item["state"] == "current", "step", "false"),
        class_name="cc-step",
    )


def step_indicator(items: rx.Var, label: rx.Var | str, progress_text: rx.Var | str) -> rx.Component:
    return rx.el.nav(
        rx.el.ol(rx.foreach(items, _step), class_name="cc-steps"),
        rx.text(progress_text, size="2", color_scheme="gray", class_name="cc-sr-only"),
        aria_label=label,
        width="100%",
        margin_bottom="1rem",
    )
