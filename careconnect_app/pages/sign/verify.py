"""Step 2 (when the agency requires it): choose email or text, then enter the code."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.layout import card, choice_option, field_error
from careconnect_app.pages.sign.parts import S, T, big_input, primary_button, quiet_button, step_heading


def _channel_option(channel: dict) -> rx.Component:
    return choice_option(channel["value"], channel["label"], "channel-" + channel["value"], channel["masked"])


def _channel_choice() -> rx.Component:
    return rx.vstack(
        rx.el.fieldset(
            rx.el.legend(T["verify.choose"], class_name="cc-legend"),
            rx.radio_group.root(
                rx.vstack(rx.foreach(S.channels, _channel_option), spacing="2", width="100%"),
                value=S.verify_channel,
                on_change=S.choose_channel,
                name="channel",
                size="3",
            ),
            class_name="cc-fieldset",
        ),
        primary_button(T["verify.send"], on_click=S.send_code, loading=S.busy, id="send-code"),
        spacing="4",
        width="100%",
    )


def _code_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.cond(S.verify_info != "", rx.callout(S.verify_info, icon="mail-check", width="100%")),
            rx.el.label(T["verify.code_label"], html_for="verification-code", class_name="cc-label"),
            # A wrong code stays in the field, marked invalid and pointing at the message.
            big_input("verification-code", S.verify_error, "verify-error code-hint", name="code",
                      input_mode="numeric", auto_complete="one-time-code", max_length=6, placeholder="123456",
                      class_name="cc-code-input cc-big-input", required=True),
            rx.text(T["verify.code_hint"], size="2", id="code-hint"),
            primary_button(T["verify.verify"], submit=True, id="verify-code"),
            rx.hstack(
                quiet_button(T["verify.resend"], S.send_code, type="button", id="resend-code"),
                quiet_button(T["verify.other_channel"], S.change_channel, type="button", id="change-channel"),
                wrap="wrap",
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        method="post", on_submit=S.submit_code,
        reset_on_submit=False,
        width="100%",
    )


def verify() -> rx.Component:
    return card(
        step_heading(T["verify.title"]),
        rx.text(T["verify.intro"], size="3"),
        field_error(S.verify_error, "verify-error"),
        rx.cond(
            S.channels.length() == 0,
            rx.callout(T["verify.no_channel"], icon="info", color_scheme="amber"),
            rx.cond(S.code_sent, _code_form(), _channel_choice()),
        ),
    )
