"""Step 3: the week's attendance, with Sign & Submit or "Report a problem"."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.layout import card, field_error
from careconnect_app.components.submit_button import submit_button
from careconnect_app.pages.sign.parts import S, T, primary_button, step_heading


def _total(label, value, id: str) -> rx.Component:
    return rx.box(
        rx.text(label, size="2", as_="div", class_name="cc-muted"),
        rx.text(value, size="5", weight="bold", as_="div", id=id, class_name="cc-nowrap"),
        class_name="cc-total",
    )


def _dash(text) -> rx.Component:
    """"—" on screen; screen readers hear "No record" instead of a punctuation mark."""
    return rx.fragment(rx.el.span(text, aria_hidden="true"), rx.el.span(T["review.no_record"], class_name="cc-sr-only"))


def _day_row(day: dict) -> rx.Component:
    # Every day of the period has a row; a day without any record reads "—" (the guide says so).
    return rx.el.tr(
        rx.el.th(day["label"], scope="row", class_name="cc-nowrap"),
        rx.el.td(rx.cond(
            day["recorded"] == "1",
            rx.cond(day["absent"] == "1", rx.badge(day["times"], color_scheme="orange", size="2",
                                                   high_contrast=True), day["times"]),
            _dash(day["times"]),
        )),
        rx.el.td(rx.cond(day["recorded"] == "1", day["hours"], _dash(day["hours"])), class_name="cc-num"),
        class_name=rx.cond(day["recorded"] == "1", "", "cc-no-record"),
    )


def _days_table() -> rx.Component:
    return rx.cond(
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
    )


def _problem_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(T["review.problem_title"], as_="h2", size="4"),
            rx.el.label(T["review.problem_label"], html_for="problem-text", class_name="cc-label"),
            rx.text_area(id="problem-text", name="problem", rows="4", width="100%", size="3", max_length=2000,
                         aria_describedby="problem-error"),
            field_error(S.problem_error, "problem-error"),
            rx.hstack(
                submit_button(T["review.problem_send"], size="3", min_height="44px", id="send-problem"),
                rx.button(T["review.problem_cancel"], type="button", variant="soft", size="3",
                          on_click=S.close_problem, min_height="44px"),
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        method="post", on_submit=S.send_problem,
        width="100%",
    )


def _actions() -> rx.Component:
    return rx.vstack(
        primary_button(T["review.sign"], on_click=S.go_sign, id="go-sign"),
        rx.button(T["review.problem"], variant="outline", color_scheme="orange", high_contrast=True, size="3",
                  width="100%", min_height="44px", on_click=S.open_problem, id="report-problem"),
        width="100%",
        spacing="3",
    )


def review() -> rx.Component:
    return card(
        step_heading(T["review.title"]),
        rx.cond(S.review_notice != "", rx.callout(S.review_notice, icon="refresh-cw", color_scheme="amber",
                                                  role="alert", id="review-notice", width="100%")),
        rx.text(S.review_intro, size="3"),
        rx.text(S.review_child, " · ", S.period_label, weight="medium", id="review-child"),
        rx.el.div(
            _total(T["review.total_hours"], S.total_hours, "total-hours"),
            _total(T["review.days_present"], S.days_present, "days-present"),
            _total(T["review.days_absent"], S.days_absent, "days-absent"),
            _total(T["review.days_no_record"], S.days_no_record, "days-no-record"),
            class_name="cc-totals",
        ),
        rx.cond(S.no_record_note != "", rx.text(S.no_record_note, size="2", id="no-record-note")),
        _days_table(),
        rx.text(T["provider_certification"], size="2", class_name="cc-muted"),
        rx.cond(S.problem_open, _problem_form(), _actions()),
    )
