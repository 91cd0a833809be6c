"""Step 4: draw the signature, consent, certify, SUBMIT."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.layout import card, field_error
from careconnect_app.components.signature_pad import signature_pad
from careconnect_app.pages.sign.parts import S, T, primary_button, quiet_button, step_heading


def _consent() -> rx.Component:
    return rx.box(
        rx.heading(T["sign.consent_title"], as_="h2", size="3"),
        rx.text(S.consent_text, size="2"),
        padding="12px",
        border_radius="8px",
        background_color=rx.color("gray", 3),
    )


def sign_step() -> rx.Component:
    return card(
        step_heading(T["sign.title"]),
        rx.text(S.signing_as, weight="medium"),
        signature_pad(
            on_change=S.set_strokes,
            clear_label=T["sign.clear"],
            aria_label=T["sign.pad_label"],
            hint=T["sign.pad_hint"],
            height=200,
            disabled=S.busy,
            id="signature-pad",
        ),
        _consent(),
        rx.checkbox(T["sign.consent"], checked=S.consented, on_change=S.set_consented, size="3", id="consent"),
        rx.checkbox(T["sign.certify"], checked=S.certified, on_change=S.set_certified, size="3", id="certify"),
        field_error(S.sign_error, "sign-error"),
        rx.cond(~S.can_submit, rx.text(T["sign.need_all"], size="2", color_scheme="gray", id="submit-hint")),
        primary_button(
            rx.cond(S.busy, T["sign.submitting"], T["sign.submit"]),
            on_click=S.submit_signature,
            disabled=~S.can_submit,
            loading=S.busy,
            id="submit-signature",
            aria_describedby="submit-hint",
        ),
        quiet_button(T["sign.back"], S.back_to_review),
    )
