"""The sheet's day grid (state): times and absences per day, totals, the days with no record, the
certification and submit. The UI is in grid_view.py.

Each edit saves that one day as a draft; only this substate (and its parents) is loaded for it.
Times are typed ("745a", "7:45", "16:00") and read when the field is left; the field then shows
the time as the page's language writes it, or keeps what was typed with the error beside it.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import reflex as rx

from careconnect_app import attendance, routes
from careconnect_app.common.formatting import NBSP, format_minutes, format_time, format_time_range
from careconnect_app.models import AttendanceSheet
from careconnect_app.pages.portal.base_state import Caller, portal_text
from careconnect_app.pages.portal.sheet.header import SheetState, SheetView
from careconnect_app.pages.portal.sheet.links import SheetLinksState
from careconnect_app.pages.portal.sheet.messages import SheetMessagesState
from careconnect_app.pages.state_tools import Session
from careconnect_app.portal import accounts, grid, submission

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
    summary: str = ""  # the day as the read-only table shows it
    copy_from: str = ""  # the nearest earlier day with a record, for "same as previous day"
    copy_index: int = -1

    def pair_dicts(self) -> list[dict[str, str]]:
        """The pairs as the grid service takes them."""
        return [{"in": p.check_in, "out": p.check_out} for p in self.pairs]

    def grid_dict(self) -> dict[str, Any]:
        return {"iso": self.iso, "absent": self.absent, "pairs": self.pair_dicts()}


def shown_time(value: str, locale: str) -> str:
    """A typed time as the field shows it once read ("745a" -> "7:45 AM"); unreadable text as typed."""
    try:
        parsed = attendance.parse_time(value)
    except ValueError:
        return value
    return format_time(parsed, locale).replace(NBSP, " ") if parsed else ""


def _summary(day: DayRow, locale: str) -> str:
    if day.absent:
        return portal_text(locale, "grid.absent") + (f": {day.reason}" if day.reason else "")
    typed, _ok = grid.parse_pairs(day.pair_dicts())
    return "\n".join(format_time_range(a, b, locale) for a, b in typed if a and b) or "—"


def _checked(sheet: AttendanceSheet, day: DayRow, locale: str) -> DayRow:
    """The day with its errors, hours and summary as the grid rules see them."""
    pairs = day.pair_dicts()
    errors = grid.day_errors(sheet, date.fromisoformat(day.iso), pairs, day.absent)
    day.error = " ".join(portal_text(locale, key) for key in errors)
    day.hours = "—" if day.absent else format_minutes(grid.day_minutes(pairs, day.absent))
    day.summary = _summary(day, locale)
    return day


def _with_copy_sources(days: list[DayRow]) -> list[DayRow]:
    """Point each day at the nearest earlier day with a record ("same as previous day")."""
    plain = [d.grid_dict() for d in days]
    for index, day in enumerate(days):
        day.copy_index = grid.copy_source(plain, index)
        day.copy_from = days[day.copy_index].label if day.copy_index >= 0 else ""
    return days


def _day_label(d: date, locale: str) -> str:
    return portal_text(locale, "day_format", weekday=portal_text(locale, attendance.weekday_key(d)), day=d.day,
                       month=portal_text(locale, f"month.{d.month}"))


def _totals(days: list[DayRow]) -> dict[str, Any]:
    """Totals, and the days with no record (weekdays and weekends apart: a centre closed at weekends
    expects those)."""
    minutes = present = absent = 0
    for day in days:
        day_minutes = grid.day_minutes(day.pair_dicts(), day.absent)
        minutes += day_minutes
        present += 1 if (day_minutes > 0 and not day.absent) else 0
        absent += 1 if day.absent else 0
    missing = set(grid.missing_days([d.grid_dict() for d in days]))
    return {"total_hours": format_minutes(minutes), "days_present": str(present), "days_absent": str(absent),
            "missing_weekdays": ", ".join(d.label for d in days if d.iso in missing and not d.weekend),
            "missing_weekends": ", ".join(d.label for d in days if d.iso in missing and d.weekend),
            "missing_count": len(missing)}


def _save_day(session: Session, caller: Caller, sheet: AttendanceSheet, day: DayRow, locale: str) -> DayRow:
    """Save the day as a draft when its times can be read (a half-typed time waits), then check it."""
    pairs = day.pair_dicts()
    _typed, parsable = grid.parse_pairs(pairs)
    if parsable:
        grid.save_day(session, sheet, date.fromisoformat(day.iso), pairs, day.absent, day.reason,
                      user_id=caller.user.id, actor=accounts.actor_of(caller.user), ip=caller.ip,
                      user_agent=caller.user_agent)
    return _checked(sheet, day, locale)


@dataclasses.dataclass(frozen=True)
class Submitted:
    count: int
    message_ids: list[int]
    first_token: str  # the first parent's link, opened on this device when signing in person
    missing: int = 0  # days with no record, when submitting waits for the provider to confirm them


def _submit(session: Session, caller: Caller, sheet: AttendanceSheet, in_person: bool,
            confirmed_missing: bool) -> Submitted:
    """Submit, unless days have no record and the provider has not confirmed they meant it."""
    missing = grid.missing_days(grid.grid_days(session, sheet))
    if missing and not confirmed_missing:
        return Submitted(0, [], "", missing=len(missing))
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
    missing_weekdays: str = ""
    missing_weekends: str = ""
    missing_count: int = 0
    certify: bool = False

    @staticmethod
    def _read(view: SheetView) -> dict[str, Any]:
        locale = view.locale
        days = _with_copy_sources([
            _checked(view.sheet, DayRow(
                iso=d["iso"], label=_day_label(date.fromisoformat(d["iso"]), locale),
                weekend=date.fromisoformat(d["iso"]).weekday() >= 5, absent=d["absent"], reason=d["reason"],
                pairs=[PairRow(shown_time(p["in"], locale), shown_time(p["out"], locale)) for p in d["pairs"]],
            ), locale)
            for d in grid.grid_days(view.session, view.sheet)
        ])
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
        self._show({"days": _with_copy_sources(days), **_totals(days)})
        if self.message:  # assigned only when shown: an assignment writes the header state too
            self.message = ""
        return None

    @rx.event
    async def set_time(self, index: int, pair: int, which: str, value: str):
        """A check-in or check-out field was left: read the typed time ("745a", "16:00" or "")."""
        value = shown_time(str(value).strip()[:16], self.locale)
        pair, day_index = _small_int(pair), _small_int(index)
        if 0 <= day_index < len(self.days) and 0 <= pair < len(self.days[day_index].pairs):
            current = self.days[day_index].pairs[pair]
            if value == (current.check_in if which == "in" else current.check_out):
                return None  # left without a change: nothing to save

        def change(day: DayRow):
            if 0 <= pair < len(day.pairs) and which in ("in", "out"):
                setattr(day.pairs[pair], "check_in" if which == "in" else "check_out", value)
                if value:
                    day.absent = False

        return await self._edit_day(index, change)

    @rx.event
    async def copy_previous(self, index: int):
        """Same as the previous day: the nearest earlier day's times or absence, copied to this day."""
        day_index = _small_int(index)
        source = self.days[day_index].copy_index if 0 <= day_index < len(self.days) else -1

        def change(day: DayRow):
            if 0 <= source < len(self.days):
                model = self.days[source]
                day.absent, day.reason = model.absent, model.reason
                day.pairs = [dataclasses.replace(p) for p in model.pairs]

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
    async def submit(self, in_person: bool = False, confirmed_missing: bool = False):
        """Certify, lock and send the links (or hand the device to the parent when in person); days with
        no record need the provider's confirmation first."""
        self.message = self.error = ""
        if not self.certify:
            self.error = self._t("submit.error.certify")
            return rx.set_focus("certify")
        done = await self._on_sheet(_submit, in_person is True, confirmed_missing is True, need_editable=True,
                                    refresh=(SheetGridState,))
        if not done.ok:
            return done.redirect
        submitted: Submitted = done.value
        if submitted.missing:
            self.error = self._t("submit.error.missing", count=submitted.missing)
            return None
        self.certify = False
        if in_person and submitted.first_token:
            return rx.redirect(routes.sign_path(submitted.first_token))
        await self._refresh(SheetState, SheetGridState, SheetLinksState, SheetMessagesState)
        self.message = self._t("submit.done", count=submitted.count)
        return SheetMessagesState.follow_delivery  # the worker sends them; the table follows
