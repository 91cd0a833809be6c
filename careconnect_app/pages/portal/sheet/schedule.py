"""Fill a sheet from a weekly schedule ("Mon–Fri 7:45 AM–4:00 PM" over the period or part of it);
days already entered are kept as exceptions."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.portal_layout import disclosure, labelled
from careconnect_app.components.submit_button import submit_button
from careconnect_app.models import AttendanceSheet
from careconnect_app.pages.portal.base_state import Caller
from careconnect_app.pages.portal.sheet.grid import SheetGridState
from careconnect_app.pages.portal.sheet.header import SheetState, T
from careconnect_app.pages.state_tools import Session
from careconnect_app.portal import schedule

WEEKDAYS = range(7)


def _apply(session: Session, _caller: Caller, sheet: AttendanceSheet, form: dict) -> tuple[int, dict[str, str]]:
    """(days filled, error keys by field) for the schedule as submitted."""
    weekdays = [day for day in WEEKDAYS if form.get(f"weekday-{day}")]
    plan, errors = schedule.check(sheet, weekdays, str(form.get("check_in", ""))[:16],
                                  str(form.get("check_out", ""))[:16], str(form.get("from", ""))[:10],
                                  str(form.get("to", ""))[:10])
    if plan is None:
        return 0, errors
    return len(schedule.apply(session, sheet, plan)), {}


class SheetScheduleState(SheetState):
    """The weekly schedule form's outcome (its fields live in the browser until it is submitted)."""

    schedule_errors: dict[str, str] = {}
    schedule_info: str = ""

    @staticmethod
    def _read(view) -> dict:
        return {"schedule_errors": {}, "schedule_info": ""}

    @rx.event
    async def apply_schedule(self, form_data: dict[str, str | bool | None]):  # Reflex adds inputs by id
        """Fill the chosen weekdays of the range that have nothing entered yet."""
        self.schedule_info = ""
        done = await self._on_sheet(_apply, dict(form_data), need_editable=True, refresh=(SheetGridState,))
        if not done.ok:
            return done.redirect
        filled, errors = done.value
        self.schedule_errors = {field: self._t(key) for field, key in errors.items()}
        if errors:
            return rx.set_focus({"weekdays": "weekday-0", "check_in": "schedule-in", "check_out": "schedule-out"}
                                .get(next(iter(errors)), "schedule-from"))
        self.schedule_info = self._t("schedule.done", count=filled)
        return None


S = SheetScheduleState


def _error(field: str):
    return S.schedule_errors.get(field, "")


def _weekday(day: int) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="checkbox", name=f"weekday-{day}", id=f"weekday-{day}", default_checked=day < 5,
                    style={"width": "20px", "height": "20px", "margin": "0"}),
        T[f"weekday.{day}"],
        style={"display": "inline-flex", "gap": "6px", "alignItems": "center", "minHeight": "44px",
               "minWidth": "4.2rem", "cursor": "pointer"},
    )


def _field(label: str, name: str, field_id: str, error: str, **props) -> rx.Component:
    return labelled(T[label], rx.input(name=name, id=field_id, height="44px", size="3", width="100%",
                                       auto_complete="off", **props), html_for=field_id, error=_error(error))


def schedule_panel() -> rx.Component:
    """A closed section with the schedule form (drafts only)."""
    return disclosure(
        rx.heading(T["schedule.title"], as_="h2", size="4"),
        rx.text(T["schedule.intro"], size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                rx.el.fieldset(
                    rx.el.legend(T["schedule.weekdays"], style={"fontWeight": "500", "fontSize": "0.9rem"}),
                    rx.hstack(*[_weekday(day) for day in WEEKDAYS], spacing="2", wrap="wrap"),
                    rx.cond(_error("weekdays") != "", rx.text(_error("weekdays"), color_scheme="red", size="2",
                                                              role="alert", id="weekday-error")),
                    style={"border": "none", "padding": "0", "margin": "0"},
                ),
                rx.grid(
                    _field("grid.in", "check_in", "schedule-in", "check_in"),
                    _field("grid.out", "check_out", "schedule-out", "check_out"),
                    _field("schedule.from", "from", "schedule-from", "range", type="date",
                           min=SheetState.period_start, max=SheetState.period_end, default_value=SheetState.period_start),
                    _field("schedule.to", "to", "schedule-to", "range_to", type="date",
                           min=SheetState.period_start, max=SheetState.period_end, default_value=SheetState.period_end),
                    columns=rx.breakpoints(initial="2", md="4"),
                    spacing="3",
                    width="100%",
                ),
                submit_button(rx.icon("calendar-check", size=16, aria_hidden="true"), T["schedule.apply"],
                              id="apply-schedule", min_height="44px"),
                rx.cond(S.schedule_info != "", rx.callout(S.schedule_info, icon="check", color_scheme="green",
                                                          role="status", width="100%", id="schedule-info")),
                spacing="3",
                width="100%",
            ),
            method="post", on_submit=S.apply_schedule,
            reset_on_submit=False,
            width="100%",
        ),
        id="schedule-section",
    )
