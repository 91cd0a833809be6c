"""The sheet's day grid (UI): typed times per day with "same as previous day", the read-only table
once submitted (or for the agency), the days with no record, the certification and submit."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.portal_layout import certify_box, confirm_dialog, section
from careconnect_app.pages.portal.sheet.grid import MAX_PAIRS, SheetGridState
from careconnect_app.pages.portal.sheet.header import SheetState, T

G = SheetGridState
TARGET = "44px"  # the smallest control on a phone


def _time_field(day: rx.Var, index, pair: rx.Var, j, which: str) -> rx.Component:
    """One typed time. The column heading above the grid is its visible label; the accessible name
    repeats it with the day ("Check-in Thu Oct 1")."""
    field_id = f"{which}-{index}-{j}"
    value = pair.check_in if which == "in" else pair.check_out
    # Uncontrolled: typing stays in the browser; leaving the field sends it once. The key follows
    # the value, so the field shows the time as read ("745a" -> "7:45 AM").
    return rx.input(default_value=value, key=f"{field_id}-{value}", id=field_id, class_name="pt-time",
                    on_blur=lambda v: G.set_time(index, j, which, v), auto_complete="off", height=TARGET, size="3",
                    aria_label=T[f"grid.{which}"] + " " + day.label,
                    custom_attrs={"aria-invalid": rx.cond(day.error != "", "true", "false"),
                                  "aria-describedby": f"day-error-{index}"})


def _pair(day: rx.Var, index, pair: rx.Var, j) -> rx.Component:
    return rx.hstack(
        _time_field(day, index, pair, j, "in"),
        _time_field(day, index, pair, j, "out"),
        rx.cond(
            day.pairs.length() > 1,
            rx.icon_button(rx.icon("x", size=18), variant="ghost", color_scheme="gray", on_click=G.remove_pair(index, j),
                           aria_label=T["grid.remove_pair"] + " " + day.label, width=TARGET, height=TARGET),
        ),
        spacing="2",
        align="center",
    )


def _absent(day: rx.Var, index) -> rx.Component:
    return rx.el.label(
        rx.checkbox(checked=day.absent, on_change=lambda v: G.set_absent(index, v), id=f"absent-{index}", size="3",
                    custom_attrs={"aria-label": T["grid.absent"] + " " + day.label}),
        T["grid.absent"],
        style={"display": "flex", "gap": "8px", "alignItems": "center", "minHeight": TARGET, "cursor": "pointer",
               "paddingInline": "4px"},
    )


def _day_actions(day: rx.Var, index) -> rx.Component:
    """Same as the previous day, another pair of times."""
    return rx.hstack(
        rx.cond(day.copy_index >= 0, rx.icon_button(
            rx.icon("copy", size=18, aria_hidden="true"), variant="soft", on_click=G.copy_previous(index),
            aria_label=T["grid.same_as"] + " " + day.copy_from, title=T["grid.same_as"] + " " + day.copy_from,
            id=f"copy-{index}", width=TARGET, height=TARGET)),
        rx.cond(~day.absent & (day.pairs.length() < MAX_PAIRS), rx.icon_button(
            rx.icon("plus", size=18, aria_hidden="true"), variant="soft", color_scheme="gray",
            on_click=G.add_pair(index), aria_label=T["grid.add_pair"] + " " + day.label, title=T["grid.add_pair"],
            id=f"add-pair-{index}", width=TARGET, height=TARGET)),
        spacing="2",
        align="center",
        class_name="pt-day-actions",
    )


def _reason(day: rx.Var, index) -> rx.Component:
    return rx.input(default_value=day.reason, id=f"reason-{index}", key=day.iso + "-reason", height=TARGET, size="3",
                    on_blur=lambda v: G.set_reason(index, v), max_length=200, placeholder=T["grid.reason"],
                    aria_label=T["grid.reason"] + " " + day.label, class_name="pt-time")


def _day(day: rx.Var, index) -> rx.Component:
    """One day: on a phone, the day, its buttons and hours, then its times; wide, all on one line."""
    return rx.box(
        rx.box(
            rx.text(day.label, weight="medium", id=f"day-label-{index}", class_name="pt-day-label"),
            _day_actions(day, index),
            rx.hstack(
                rx.cond(~day.absent, rx.vstack(rx.foreach(day.pairs, lambda p, j: _pair(day, index, p, j)),
                                               spacing="1"),
                        _reason(day, index)),
                _absent(day, index),
                spacing="2", align="center", wrap="wrap", class_name="pt-day-times",
            ),
            rx.text(rx.el.span(T["grid.hours"], ": ", class_name="cc-sr-only"), day.hours, weight="medium",
                    id=f"hours-{index}", class_name="pt-day-hours"),
            class_name="pt-day-row",
        ),
        rx.cond(day.error != "", rx.text(day.error, color_scheme="red", size="2", role="alert",
                                         id=f"day-error-{index}")),
        class_name="pt-day",
        custom_attrs={"data-weekend": rx.cond(day.weekend, "true", "false"),
                      "data-error": rx.cond(day.error != "", "true", "false"), "data-day": day.iso},
        padding_x="8px",
    )


def _grid_heading() -> rx.Component:
    """The columns' names: the visible labels of every day's fields, and how to type a time."""
    return rx.box(
        rx.text(T["grid.day"], class_name="pt-day-label"),
        rx.hstack(rx.text(T["grid.in"], class_name="pt-col"), rx.text(T["grid.out"], class_name="pt-col"),
                  class_name="pt-day-times"),
        class_name="pt-day-row pt-grid-head", aria_hidden="true",
    )


def _readonly_days() -> rx.Component:
    """One line per day: what the parent sees ("—" for a day with no record)."""
    return rx.el.table(
        rx.el.thead(rx.el.tr(rx.el.th(T["grid.day"], scope="col"), rx.el.th(T["grid.times"], scope="col"),
                             rx.el.th(T["grid.hours"], scope="col", class_name="cc-num"))),
        rx.el.tbody(rx.foreach(G.days, lambda d, i: rx.el.tr(
            rx.el.th(d.label, scope="row", style={"fontWeight": "500"}),
            rx.el.td(d.summary),
            rx.el.td(d.hours, class_name="cc-num", id=f"hours-{i}"),
            custom_attrs={"data-day": d.iso},
        ))),
        class_name="cc-days",
        id="grid-readonly",
    )


def _total(label: str, value: rx.Var, total_id: str) -> rx.Component:
    return rx.box(rx.text(T[label], size="1", color_scheme="gray"),
                  rx.text(value, size="5", weight="bold", id=total_id))


def grid_panel() -> rx.Component:
    """The day grid with its totals: typed times until submitted, then a read-only table."""
    locked_note = rx.cond(SheetState.signed, T["grid.signed_locked"],
                          rx.cond(SheetState.read_only, T["grid.read_only"], T["grid.locked"]))
    return section(
        rx.hstack(
            rx.heading(T["grid.title"], as_="h2", size="4"),
            rx.hstack(
                _total("grid.total_hours", G.total_hours, "total-hours"),
                _total("grid.days_present", G.days_present, "days-present"),
                _total("grid.days_absent", G.days_absent, "days-absent"),
                spacing="6",
                wrap="wrap",
                role="status",
                aria_live="polite",
            ),
            justify="between", wrap="wrap", width="100%", align="center",
        ),
        rx.text(rx.cond(SheetState.editable, T["grid.autosave"], locked_note), size="1", color_scheme="gray"),
        rx.cond(SheetState.editable, rx.text(T["grid.typing_hint"], size="2", id="grid-hint")),
        rx.cond(SheetState.editable, rx.box(_grid_heading(), rx.foreach(G.days, _day), width="100%", id="grid"),
                _readonly_days()),
    )


def missing_days_notice() -> rx.Component:
    """Which days have no record: the parent would see "—" for them."""
    return rx.cond(G.missing_count > 0, rx.callout(
        rx.vstack(
            rx.text(T["submit.missing_title"], " (", G.missing_count, ")", weight="bold"),
            rx.cond(G.missing_weekdays != "", rx.text(T["submit.missing_weekdays"], " ", G.missing_weekdays)),
            rx.cond(G.missing_weekends != "", rx.text(T["submit.missing_weekends"], " ", G.missing_weekends)),
            rx.text(T["submit.missing_hint"], size="2"),
            spacing="1",
        ),
        icon="calendar-x", color_scheme="amber", width="100%", id="missing-days",
    ))


def _submit_button(in_person: bool) -> rx.Component:
    """Submit at once, or, with days lacking a record, after a dialog naming them."""
    label, icon, button_id = (("submit.in_person", "tablet-smartphone", "submit-in-person") if in_person
                              else ("submit.button", "send", "submit-sheet"))
    props = {"variant": "outline"} if in_person else {}

    def button(**events) -> rx.Component:
        return rx.button(rx.icon(icon, size=16, aria_hidden="true"), T[label], id=button_id, min_height=TARGET,
                         **props, **events)

    return rx.cond(
        G.missing_count > 0,
        confirm_dialog(button(), title=T["submit.missing_title"], body=T["submit.missing_confirm"],
                       details=rx.vstack(
                           rx.cond(G.missing_weekdays != "", rx.text(T["submit.missing_weekdays"], " ",
                                                                     G.missing_weekdays, size="2")),
                           rx.cond(G.missing_weekends != "", rx.text(T["submit.missing_weekends"], " ",
                                                                     G.missing_weekends, size="2")),
                           spacing="2", margin_top="0.5rem"),
                       confirm_label=T["submit.anyway"], cancel_label=T["cancel"],
                       on_confirm=G.submit(in_person, True), id=f"{button_id}-dialog", tone="blue"),
        button(on_click=G.submit(in_person, False)),
    )


def submit_panel() -> rx.Component:
    """Certify and submit: send the links, or sign in person on this device."""
    return section(
        rx.heading(T["submit.title"], as_="h2", size="4"),
        missing_days_notice(),
        certify_box(T["submit.certify"], checked=G.certify, on_change=G.set_certify, id="certify"),
        rx.hstack(_submit_button(False), _submit_button(True), spacing="3", wrap="wrap"),
    )
