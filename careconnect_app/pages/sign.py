"""The parent signing wizard at /sign/<token>: landing, verify, review, sign, done."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.layout import card, field_error, language_switch, parent_frame, status_message
from careconnect_app.components.signature_pad import signature_pad
from careconnect_app.components.step_indicator import step_indicator
from careconnect_app.pages.sign_state import SignState
from careconnect_app.statuses import PARENT_VIEW, LinkStatus

S = SignState
T = SignState.tr


def _heading(text) -> rx.Component:
    # Focus moves here on each step change so screen readers announce the new step.
    return rx.heading(text, as_="h1", size="6", id="step-heading", tab_index=-1)


def _primary(*children, **props) -> rx.Component:
    props.setdefault("size", "4")
    props.setdefault("width", "100%")
    props.setdefault("min_height", "48px")
    return rx.button(*children, **props)


def _fact(label, value) -> rx.Component:
    return rx.box(
        rx.text(label, size="2", color_scheme="gray", as_="div"),
        rx.text(value, size="4", weight="medium", as_="div"),
    )


def landing() -> rx.Component:
    return card(
        _heading(T["landing.title"]),
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
        rx.text(T["landing.no_account"], size="2", color_scheme="gray"),
        rx.text(S.expires_label, size="2", color_scheme="gray"),
        _primary(T["landing.start"], on_click=S.start, id="start"),
        rx.link(T["landing.guide"], href="/guide", is_external=True, size="3"),
    )


def _channel_option(channel: dict) -> rx.Component:
    return rx.el.label(
        rx.radio_group.item(value=channel["value"], id="channel-" + channel["value"]),
        rx.vstack(
            rx.text(channel["label"], weight="medium", size="3"),
            rx.text(channel["masked"], size="2", color_scheme="gray"),
            spacing="0",
        ),
        display="flex",
        gap="12px",
        align_items="center",
        padding="12px",
        min_height="48px",
        border=f"1px solid {rx.color('gray', 6)}",
        border_radius="8px",
        cursor="pointer",
    )


def verify() -> rx.Component:
    choose = rx.vstack(
        rx.el.fieldset(
            rx.el.legend(T["verify.choose"], style={"fontWeight": "600", "marginBottom": "8px"}),
            rx.radio_group.root(
                rx.vstack(rx.foreach(S.channels, _channel_option), spacing="2", width="100%"),
                value=S.verify_channel,
                on_change=S.choose_channel,
                name="channel",
                size="3",
            ),
            style={"border": "0", "padding": "0", "margin": "0", "width": "100%"},
        ),
        _primary(T["verify.send"], on_click=S.send_code, loading=S.busy, id="send-code"),
        spacing="4",
        width="100%",
    )
    enter = rx.form(
        rx.vstack(
            rx.cond(S.verify_info != "", rx.callout(S.verify_info, icon="mail-check", role="status", width="100%")),
            rx.el.label(T["verify.code_label"], html_for="verification-code", style={"fontWeight": "600"}),
            rx.input(
                id="verification-code",
                name="code",
                input_mode="numeric",
                auto_complete="one-time-code",
                max_length=6,
                placeholder="123456",
                size="3",
                width="100%",
                class_name="cc-code-input",
                aria_describedby="verify-error code-hint",
                required=True,
            ),
            rx.text(T["verify.code_hint"], size="2", color_scheme="gray", id="code-hint"),
            _primary(T["verify.verify"], type="submit", id="verify-code"),
            rx.hstack(
                rx.button(T["verify.resend"], variant="ghost", size="3", on_click=S.send_code, type="button",
                          id="resend-code", min_height="44px"),
                rx.button(T["verify.other_channel"], variant="ghost", size="3", on_click=S.change_channel,
                          type="button", id="change-channel", min_height="44px"),
                wrap="wrap",
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.submit_code,
        reset_on_submit=True,
        width="100%",
    )
    return card(
        _heading(T["verify.title"]),
        rx.text(T["verify.intro"], size="3"),
        field_error(S.verify_error, "verify-error"),
        rx.cond(
            S.channels.length() == 0,
            rx.callout(T["verify.no_channel"], icon="info", color_scheme="amber"),
            rx.cond(S.code_sent, enter, choose),
        ),
    )


def _day_row(day: dict) -> rx.Component:
    return rx.el.tr(
        rx.el.th(day["label"], scope="row", style={"fontWeight": "500"}),
        rx.el.td(rx.cond(day["absent"] == "1", rx.badge(day["times"], color_scheme="orange", size="2"), day["times"])),
        rx.el.td(day["hours"], class_name="cc-num"),
    )


def _total(label, value, id: str) -> rx.Component:
    return rx.box(
        rx.text(label, size="2", color_scheme="gray", as_="div"),
        rx.text(value, size="6", weight="bold", as_="div", id=id),
        text_align="center",
    )


def problem_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(T["review.problem_title"], as_="h2", size="4"),
            rx.el.label(T["review.problem_label"], html_for="problem-text"),
            rx.text_area(id="problem-text", name="problem", rows="4", width="100%", size="3", max_length=2000,
                         aria_describedby="problem-error"),
            field_error(S.problem_error, "problem-error"),
            rx.hstack(
                rx.button(T["review.problem_send"], type="submit", size="3", color_scheme="orange",
                          min_height="44px", id="send-problem"),
                rx.button(T["review.problem_cancel"], type="button", variant="soft", size="3",
                          on_click=S.close_problem, min_height="44px"),
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.send_problem,
        width="100%",
    )


def review() -> rx.Component:
    return card(
        _heading(T["review.title"]),
        rx.text(S.review_intro, size="3"),
        rx.text(S.child_name, " · ", S.period_label, weight="medium", id="review-child"),
        rx.grid(
            _total(T["review.total_hours"], S.total_hours, "total-hours"),
            _total(T["review.days_present"], S.days_present, "days-present"),
            _total(T["review.days_absent"], S.days_absent, "days-absent"),
            columns="3",
            width="100%",
            spacing="2",
        ),
        rx.cond(
            S.days.length() > 0,
            rx.el.table(
                rx.el.thead(rx.el.tr(
                    rx.el.th(T["review.day"], scope="col"),
                    rx.el.th(T["review.times"], scope="col"),
                    rx.el.th(T["review.hours"], scope="col", class_name="cc-num"),
                )),
                rx.el.tbody(rx.foreach(S.days, _day_row)),
                class_name="cc-days",
                id="attendance-days",
            ),
            rx.text(T["review.no_records"]),
        ),
        rx.text(T["provider_certification"], size="2", color_scheme="gray"),
        rx.cond(
            S.problem_open,
            problem_form(),
            rx.vstack(
                _primary(T["review.sign"], on_click=S.go_sign, id="go-sign"),
                rx.button(T["review.problem"], variant="outline", color_scheme="orange", size="3", width="100%",
                          min_height="44px", on_click=S.open_problem, id="report-problem"),
                width="100%",
                spacing="3",
            ),
        ),
    )


def sign_step() -> rx.Component:
    return card(
        _heading(T["sign.title"]),
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
        rx.box(
            rx.heading(T["sign.consent_title"], as_="h2", size="3"),
            rx.text(S.consent_text, size="2"),
            padding="12px",
            border_radius="8px",
            background_color=rx.color("gray", 3),
        ),
        rx.checkbox(T["sign.consent"], checked=S.consented, on_change=S.set_consented, size="3", id="consent"),
        rx.checkbox(T["sign.certify"], checked=S.certified, on_change=S.set_certified, size="3", id="certify"),
        field_error(S.sign_error, "sign-error"),
        rx.cond(~S.can_submit, rx.text(T["sign.need_all"], size="2", color_scheme="gray", id="submit-hint")),
        _primary(
            rx.cond(S.busy, T["sign.submitting"], T["sign.submit"]),
            on_click=S.submit_signature,
            disabled=~S.can_submit,
            loading=S.busy,
            id="submit-signature",
            aria_describedby="submit-hint",
        ),
        rx.button(T["sign.back"], variant="ghost", size="3", on_click=S.back_to_review, min_height="44px"),
    )


def done() -> rx.Component:
    return card(
        rx.hstack(
            rx.icon("circle-check", size=32, color=rx.color("green", 10), aria_hidden="true"),
            _heading(rx.cond(S.step == "done", T["done.title"], T["status.signed.title"])),
            align="center",
            spacing="3",
        ),
        rx.text(S.done_intro, size="3"),
        rx.box(
            rx.text(T["done.reference"], size="2", color_scheme="gray", as_="div"),
            rx.text(S.reference, size="7", weight="bold", id="reference", as_="div", font_family="monospace"),
        ),
        rx.text(T["done.keep"], size="2", color_scheme="gray"),
        rx.cond(
            S.can_download,
            _primary(rx.icon("download", aria_hidden="true"), T["done.download"],
                     on_click=S.download_copy, id="download-copy", variant="outline",
                     height="auto", padding_y="12px", white_space="normal"),
        ),
        role="status",
    )


def wizard() -> rx.Component:
    return rx.vstack(
        rx.cond(S.in_person, rx.callout(T["in_person_banner"], icon="tablet-smartphone", width="100%")),
        rx.cond(
            S.step != "done",
            step_indicator(S.step_items, T["steps_label"], S.progress_text),
        ),
        rx.match(
            S.step,
            ("verify", verify()),
            ("review", review()),
            ("sign", sign_step()),
            ("done", done()),
            landing(),
        ),
        width="100%",
        spacing="3",
    )


# Outcomes shown as a title and a body; ok (the wizard), signed (the done card) and disputed
# (with the parent's own words) have their own views.
_PLAIN_OUTCOMES = tuple(s for s in LinkStatus if s not in (LinkStatus.OK, LinkStatus.SIGNED, LinkStatus.DISPUTED,
                                                          LinkStatus.UNKNOWN))


def _outcome(status: LinkStatus) -> rx.Component:
    """A link outcome: its icon and colour from the exhaustive PARENT_VIEW map, its words by status."""
    view = PARENT_VIEW[status]
    return status_message(T[f"status.{status}.title"], S.status_body, view.icon, view.tone)


def by_status() -> rx.Component:
    return rx.match(
        S.status,
        ("loading", rx.center(rx.spinner(size="3"), rx.text(T["loading"]), padding="3rem", gap="12px",
                              role="status")),
        ("ok", wizard()),
        ("signed", done()),
        *[(status, _outcome(status)) for status in _PLAIN_OUTCOMES],
        ("disputed", rx.vstack(
            _outcome(LinkStatus.DISPUTED),
            rx.cond(S.dispute_text != "", card(
                rx.text(T["status.disputed.your_message"], size="2", color_scheme="gray"),
                rx.blockquote(S.dispute_text),
            )),
            width="100%",
        )),
        _outcome(LinkStatus.UNKNOWN),
    )


def sign_page() -> rx.Component:
    return parent_frame(
        by_status(),
        rx.vstack(
            rx.cond(S.provider_phone != "", rx.text(S.footer_help, size="2", color_scheme="gray")),
            rx.text(T["footer.privacy"], size="2", color_scheme="gray"),
            rx.link(T["guide.title"], href="/guide", size="2"),
            margin_top="1.5rem",
            spacing="2",
        ),
        header_right=language_switch(T["switch_to"], T["switch_to_label"], S.toggle_locale,
                                     rx.cond(S.locale == "en", "es", "en")),
        skip_label=T["skip_to_content"],
        lang=S.locale,
        title=T["app_name"],
    )
