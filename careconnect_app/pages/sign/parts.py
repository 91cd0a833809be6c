"""Pieces every step of the wizard uses."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.submit_button import submit_button
from careconnect_app.components.words import words
from careconnect_app.pages.sign.state import SignState

# Short names: every line of the wizard's UI reads the state (S) and its words (T).
S = SignState
T = words(SignState, "parent")


def step_heading(text) -> rx.Component:
    # Focus moves here on each step change so screen readers announce the new step.
    return rx.heading(text, as_="h1", size="6", id="step-heading", tab_index=-1)


def primary_button(*children, submit: bool = False, **props) -> rx.Component:
    """The step's main action: full width, large enough for a thumb (`submit`: its form's submit button)."""
    props.setdefault("size", "4")
    props.setdefault("width", "100%")
    props.setdefault("min_height", "48px")
    return (submit_button if submit else rx.button)(*children, **props)


def quiet_button(label, on_click, **props) -> rx.Component:
    """A secondary action shown as a link-like button (still a 44 px touch target)."""
    return rx.button(label, variant="ghost", size="3", on_click=on_click, min_height="44px", **props)


def big_input(id: str, error, describedby: str, **props) -> rx.Component:
    """A text field at least 48 px high, marked invalid while `error` is shown, pointing at its texts."""
    props.setdefault("class_name", "cc-big-input")
    return rx.input(id=id, size="3", width="100%", aria_invalid=rx.cond(error != "", "true", "false"),
                    aria_describedby=describedby, **props)
