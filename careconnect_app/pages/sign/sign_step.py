"""Step 4: sign (draw on the pad, or type the full name), consent, certify, SUBMIT."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.layout import card, check_row, choice_option, field_error
from careconnect_app.components.signature_pad import signature_pad
from careconnect_app.pages.sign.parts import S, T, big_input, primary_button, quiet_button, step_heading
from careconnect_app.statuses import SignatureMethod


def _consent() -> rx.Component:
    return rx.box(
        rx.heading(T["sign.consent_title"], as_="h2", size="3"),
        rx.text(S.consent_text, size="2"),
        padding="0.75rem",
        border_radius="8px",
        background_color=rx.color("gray", 3),
        overflow_wrap="anywhere",
    )


def _method_choice() -> rx.Component:
    """Draw or type: a radio group a keyboard, a switch or a screen reader can use."""
    return rx.el.fieldset(
        rx.el.legend(T["sign.method_label"], class_name="cc-legend"),
        rx.radio_group.root(
            rx.flex(
                choice_option(SignatureMethod.DRAWN, T["sign.method.draw"], "method-drawn"),
                choice_option(SignatureMethod.TYPED, T["sign.method.type"], "method-typed"),
                direction="column",
                gap="0.5rem",
                width="100%",
            ),
            value=S.signature_method,
            on_change=S.choose_method,
            name="signature-method",
            size="3",
        ),
        class_name="cc-fieldset",
    )


def _typed() -> rx.Component:
    """The full name typed, shown back in the handwriting font the server will draw it in."""
    return rx.vstack(
        rx.el.label(T["sign.type_label"], html_for="typed-name", class_name="cc-label"),
        big_input("typed-name", S.typed_error, "typed-hint typed-error", name="typed-name", auto_complete="name",
                  max_length=80, on_change=S.set_typed_name.debounce(250)),
        rx.text(T["sign.type_hint"], size="2", id="typed-hint"),
        field_error(S.typed_error, "typed-error"),
        rx.box(
            rx.text(S.typed_preview, class_name="cc-typed-signature", as_="div"),
            role="img",
            aria_label=T["sign.type_preview_label"] + ": " + S.typed_preview,
            id="typed-preview",
            class_name="cc-typed-box",
        ),
        spacing="2",
        width="100%",
    )


def _pad() -> rx.Component:
    return signature_pad(
        on_change=S.set_strokes,
        clear_label=T["sign.clear"],
        aria_label=T["sign.pad_label"],
        hint=T["sign.pad_hint"],
        height=200,
        disabled=S.busy,
        id="signature-pad",
    )


def sign_step() -> rx.Component:
    return card(
        step_heading(T["sign.title"]),
        rx.text(S.signing_as, weight="medium"),
        _method_choice(),
        rx.cond(S.signature_method == SignatureMethod.TYPED, _typed(), _pad()),
        _consent(),
        check_row(T["sign.consent"], checked=S.consented, on_change=S.set_consented, id="consent"),
        check_row(T["sign.certify"], checked=S.certified, on_change=S.set_certified, id="certify"),
        field_error(S.sign_error, "sign-error"),
        rx.cond(~S.can_submit, rx.text(T["sign.need_all"], size="2", id="submit-hint")),
        # Never `disabled` while it is only not ready: a keyboard or screen-reader user can reach it,
        # hears why (aria-describedby), and pressing it says what is missing.
        primary_button(
            rx.cond(S.busy, T["sign.submitting"], T["sign.submit"]),
            on_click=S.submit_signature,
            loading=S.busy,
            id="submit-signature",
            variant=rx.cond(S.can_submit, "solid", "outline"),
            aria_disabled=rx.cond(S.can_submit, "false", "true"),
            aria_describedby=rx.cond(S.can_submit, "", "submit-hint sign-error"),
        ),
        quiet_button(T["sign.back"], S.back_to_review),
    )
