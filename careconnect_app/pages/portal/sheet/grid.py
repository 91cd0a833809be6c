"""The sheet's day grid: times and absences per day, totals, the certification and submit.

Each edit saves that one day as a draft; only this substate (and its parents) is loaded for it.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import reflex as rx

from careconnect_app import attendance, routes
from careconnect_app.common.formatting import format_minutes
from careconnect_app.components.portal_layout import certify_box, section
from careconnect_app.models import AttendanceSheet
from careconnect_app.pages.portal.base_state import Caller, portal_text
from careconnect_app.pages.portal.sheet.header import SheetState, SheetView, T
from careconnect_app.pages.portal.sheet.links import SheetLinksState
from careconnect_app.pages.portal.sheet.messages import SheetMessagesState
from careconnect_app.pages.state_tools import Session
from careconnect_app.portal import grid, submission

MAX_PAIRS = 4


def _small_int(value: object) -> int:
    """A list index from the browser (any client may send anything): -1 when not a small int."""
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -1
    return number if 0 <= number < 1000 else -1


@dataclasses.dataclass
class PairRow:
    check_in: str = ""
    check_out: str = ""


@dataclasses.dataclass
class DayRow:
    iso: str = ""
    label: str = ""
    weekend: bool = False
    absent: bool = False
    reason: str = ""
    pairs: list[PairRow] = dataclasses.field(default_factory=list)
    hours: str = ""
    error: str = ""

    def pair_dicts(self) -> list[dict[str, str]]:
        """The pairs as the grid service takes them."""
        return [{"in": p.check_in, "out": p.check_out} for p in self.pairs]


def _checked(sheet: AttendanceSheet, day: DayRow, locale: str) -> DayRow:
    """The day with its errors and hours as the grid rules see them."""
    pairs = day.pair_dicts()
    errors = grid.day_errors(sheet, date.fromisoformat(day.iso), pairs, day.absent)
    day.error = " ".join(portal_text(locale, key) for key in errors)
    day.hours = "—" if day.absent else format_minutes(grid.day_minutes(pairs, day.absent))
    return day


def _day_label(d: date, locale: str) -> str:
    return portal_text(locale, "day_format", weekday=portal_text(locale, attendance.weekday_key(d)), day=d.day,
                       month=portal_text(locale, f"month.{d.month}"))


def _totals(days: list[DayRow]) -> dict[str, str]:
    minutes = present = absent = 0
    for day in days:
        day_minutes = grid.day_minutes(day.pair_dicts(), day.absent)
        minutes += day_minutes
        present += 1 if (day_minutes > 0 and not day.absent) else 0
        absent += 1 if day.absent else 0
    return {"total_hours": format_minutes(minutes), "days_present": str(present), "days_absent": str(absent)}


def _save_day(session: Session, _caller: Caller, sheet: AttendanceSheet, day: DayRow, locale: str) -> DayRow:
    """Save the day as a draft when its times can be read (a half-typed time waits), then check it."""
    pairs = day.pair_dicts()
    _typed, parsable = grid.parse_pairs(pairs)
    if parsable:
        grid.save_day(session, sheet, date.fromisoformat(day.iso), pairs, day.absent, day.reason)
    return _checked(sheet, day, locale)


@dataclasses.dataclass(frozen=True)
class Submitted:
    count: int
    message_ids: list[int]
    first_token: str  # the first parent's link, opened on this device when signing in person


def _submit(session: Session, caller: Caller, sheet: AttendanceSheet, in_person: bool) -> Submitted:
    issued = submission.submit_sheet(session, sheet, user_id=caller.user.id, ip=caller.ip,
                                     user_agent=caller.user_agent, in_person=in_person)
    first_token = routes.last_segment(urlsplit(issued[0].url).path, routes.SIGN_PREFIX) if issued else ""
    return Submitted(len(issued), [m for link in issued for m in link.message_ids], first_token)


class SheetGridState(SheetState):
    """The attendance day grid, its totals, the per-day edits, the certification and submit."""

    days: list[DayRow] = []
    total_hours: str = "0:00"
    days_present: str = "0"
    days_absent: str = "0"
    certify: bool = False

    @staticmethod
    def _read(view: SheetView) -> dict[str, Any]:
        days = [
            _checked(view.sheet, DayRow(
                iso=d["iso"], label=_day_label(date.fromisoformat(d["iso"]), view.locale),
                weekend=date.fromisoformat(d["iso"]).weekday() >= 5, absent=d["absent"], reason=d["reason"],
                pairs=[PairRow(p["in"], p["out"]) for p in d["pairs"]],
            ), view.locale)
            for d in grid.grid_days(view.session, view.sheet)
        ]
        return {"days": days, **_totals(days)}

    async def _edit_day(self, index: object, change) -> Any:
        """Apply `change` to a copy of one day, save it as a draft, show it re-checked and the totals."""
        index = _small_int(index)
        if not 0 <= index < len(self.days):
            return None
        days = [dataclasses.replace(d, pairs=[dataclasses.replace(p) for p in d.pairs]) for d in self.days]
        change(days[index])
        done = await self._on_sheet(_save_day, days[index], self.locale, need_editable=True)
        if not done.ok:
            return done.redirect
        days[index] = done.value
        self._show({"days": days, **_totals(days)})
        if self.message:  # assigned only when shown: an assignment writes the header state too
            self.message = ""
        return None

    @rx.event
    async def set_time(self, index: int, pair: int, which: str, value: str):
        """A check-in or check-out time changed ("HH:MM" or "")."""
        value = str(value)[:8]
        pair = _small_int(pair)

        def change(day: DayRow):
            if 0 <= pair < len(day.pairs) and which in ("in", "out"):
                setattr(day.pairs[pair], "check_in" if which == "in" else "check_out", value)
                if value:
                    day.absent = False

        return await self._edit_day(index, change)

    @rx.event
    async def add_pair(self, index: int):
        """Another check-in/check-out pair on this day."""
        def change(day: DayRow):
            if len(day.pairs) < MAX_PAIRS:
                day.pairs.append(PairRow())

        return await self._edit_day(index, change)

    @rx.event
    async def remove_pair(self, index: int, pair: int):
        """Remove one check-in/check-out pair (a day keeps at least one)."""
        pair = _small_int(pair)

        def change(day: DayRow):
            if 0 <= pair < len(day.pairs):
                day.pairs.pop(pair)
            if not day.pairs:
                day.pairs.append(PairRow())

        return await self._edit_day(index, change)

    @rx.event
    async def set_absent(self, index: int, absent: bool):
        """Mark the day absent (times are cleared) or present again."""
        def change(day: DayRow):
            day.absent = bool(absent)
            if day.absent:
                day.pairs = [PairRow()]
            else:
                day.reason = ""

        return await self._edit_day(index, change)

    @rx.event
    async def set_reason(self, index: int, reason: str):
        """The reason of an absence (saved when the field loses focus)."""
        reason = str(reason)[:200]

        def change(day: DayRow):
            day.reason = reason

        return await self._edit_day(index, change)

    @rx.event
    def set_certify(self, value: bool):
        """The provider's certification box above submit."""
        self.certify = bool(value)

    @rx.event
    async def submit(self, in_person: bool = False):
        """Certify, lock and send the links (or hand the device to the parent when in person)."""
        self.message = self.error = ""
        if not self.certify:
            self.error = self._t("submit.error.certify")
            return rx.set_focus("certify")
        done = await self._on_sheet(_submit, bool(in_person), need_editable=True)
        if not done.ok:
            return done.redirect
        submitted: Submitted = done.value
        self.certify = False
        if in_person and submitted.first_token:
            return rx.redirect(routes.sign_path(submitted.first_token))
        await self._refresh(SheetState, SheetGridState, SheetLinksState, SheetMessagesState)
        self.message = self._t("submit.done", count=submitted.count)
        return SheetMessagesState.follow_delivery  # the worker sends them; the table follows


G = SheetGridState


def _time_field(day: rx.Var, index, pair: rx.Var, j, which: str) -> rx.Component:
    field_id = f"{which}-{index}-{j}"
    return rx.vstack(
        rx.el.label(T[f"grid.{which}"], html_for=field_id, style={"fontSize": "0.8rem"}),
        rx.input(type="time", value=pair.check_in if which == "in" else pair.check_out, id=field_id,
                 class_name="pt-time", on_change=lambda v: G.set_time(index, j, which, v),
                 disabled=day.absent | ~SheetState.editable),
        spacing="0",
    )


def _pair(day: rx.Var, index, pair: rx.Var, j) -> rx.Component:
    return rx.hstack(
        _time_field(day, index, pair, j, "in"),
        _time_field(day, index, pair, j, "out"),
        rx.cond(
            SheetState.editable & (day.pairs.length() > 1),
            rx.icon_button(rx.icon("x", size=16), variant="ghost", color_scheme="gray", size="2",
                           on_click=G.remove_pair(index, j), aria_label=T["grid.remove_pair"], margin_top="18px"),
        ),
        spacing="2",
        align="start",
    )


def _absence(day: rx.Var, index) -> rx.Component:
    return rx.vstack(
        rx.checkbox(T["grid.absent"], checked=day.absent, on_change=lambda v: G.set_absent(index, v),
                    id=f"absent-{index}", disabled=~SheetState.editable, size="2"),
        rx.cond(
            day.absent,
            rx.vstack(
                rx.el.label(T["grid.reason"], html_for=f"reason-{index}", style={"fontSize": "0.8rem"}),
                rx.input(default_value=day.reason, id=f"reason-{index}", key=day.iso + "-reason",
                         on_blur=lambda v: G.set_reason(index, v), disabled=~SheetState.editable, max_length=200),
                spacing="0",
            ),
        ),
        spacing="1",
    )


def _day(day: rx.Var, index) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.text(day.label, weight="medium", min_width="8.5rem", id=f"day-label-{index}"),
            rx.vstack(
                rx.cond(~day.absent, rx.foreach(day.pairs, lambda p, j: _pair(day, index, p, j))),
                rx.cond(
                    SheetState.editable & ~day.absent & (day.pairs.length() < MAX_PAIRS),
                    rx.button(rx.icon("plus", size=14, aria_hidden="true"), T["grid.add_pair"], variant="ghost",
                              size="1", on_click=G.add_pair(index), id=f"add-pair-{index}"),
                ),
                spacing="1",
            ),
            _absence(day, index),
            rx.vstack(
                rx.text(T["grid.hours"], size="1", color_scheme="gray"),
                rx.text(day.hours, weight="medium", id=f"hours-{index}"),
                spacing="0",
                align="end",
                margin_left="auto",
            ),
            gap="12px",
            wrap="wrap",
            align="start",
            width="100%",
        ),
        rx.cond(day.error != "", rx.text(day.error, color_scheme="red", size="2", role="alert",
                                         id=f"day-error-{index}")),
        class_name="pt-day",
        custom_attrs={"data-weekend": rx.cond(day.weekend, "true", "false"),
                      "data-error": rx.cond(day.error != "", "true", "false"), "data-day": day.iso},
        padding_x="8px",
    )


def _total(label: str, value: rx.Var, total_id: str) -> rx.Component:
    return rx.box(rx.text(T[label], size="1", color_scheme="gray"),
                  rx.text(value, size="5", weight="bold", id=total_id))


def grid_panel() -> rx.Component:
    """The day grid with its totals (editable until submitted)."""
    locked_note = rx.cond(SheetState.signed, T["grid.signed_locked"], T["grid.locked"])
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
        rx.box(rx.foreach(G.days, _day), width="100%", id="grid"),
    )


def submit_panel() -> rx.Component:
    """Certify and submit: send the links, or sign in person on this device."""
    return section(
        rx.heading(T["submit.title"], as_="h2", size="4"),
        certify_box(T["submit.certify"], checked=G.certify, on_change=G.set_certify, id="certify"),
        rx.hstack(
            rx.button(rx.icon("send", size=16, aria_hidden="true"), T["submit.button"], on_click=G.submit(False),
                      id="submit-sheet", min_height="44px"),
            rx.button(rx.icon("tablet-smartphone", size=16, aria_hidden="true"), T["submit.in_person"],
                      on_click=G.submit(True), variant="outline", id="submit-in-person", min_height="44px"),
            spacing="3",
            wrap="wrap",
        ),
    )
