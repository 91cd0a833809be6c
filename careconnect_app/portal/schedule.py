"""A weekly schedule applied to a stretch of a sheet: "Mon–Fri 7:45–16:00 from the 1st to the 31st".

Days that already have a record (an absence, other times) are exceptions and are kept; only days
with nothing entered are filled. Errors are translation keys under "portal." by field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlmodel import Session

from careconnect_app import attendance
from careconnect_app.models import AttendanceSheet
from careconnect_app.portal import grid

WORKWEEK = (0, 1, 2, 3, 4)  # Monday to Friday


@dataclass(frozen=True)
class WeeklySchedule:
    weekdays: frozenset[int]  # 0 = Monday
    check_in: time
    check_out: time
    start: date
    end: date


def _typed_time(value: str, field: str, errors: dict[str, str]) -> time | None:
    try:
        parsed = attendance.parse_time(value)
    except ValueError:
        parsed = None
    if parsed is None:
        errors[field] = "attendance.error.bad_time"
    return parsed


def _day(value: str, sheet: AttendanceSheet, fallback: date, errors: dict[str, str]) -> date:
    if not (value or "").strip():
        return fallback
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        day = None
    if day is None or not sheet.period_start <= day <= sheet.period_end:
        errors["range"] = "schedule.error.range"
        return fallback
    return day


def check(sheet: AttendanceSheet, weekdays: list[int], check_in: str, check_out: str, start: str = "",
          end: str = "") -> tuple[WeeklySchedule | None, dict[str, str]]:
    """The schedule as typed, checked against the sheet's period: (schedule, {}) or (None, errors)."""
    errors: dict[str, str] = {}
    chosen = frozenset(d for d in weekdays if isinstance(d, int) and 0 <= d <= 6)
    if not chosen:
        errors["weekdays"] = "schedule.error.weekdays"
    arrive = _typed_time(check_in, "check_in", errors)
    leave = _typed_time(check_out, "check_out", errors)
    if arrive and leave and leave <= arrive:
        errors["check_out"] = "attendance.error.out_before_in"
    first = _day(start, sheet, sheet.period_start, errors)
    last = _day(end, sheet, sheet.period_end, errors)
    if last < first:
        errors["range"] = "schedule.error.range"
    if errors:
        return None, errors
    return WeeklySchedule(chosen, arrive, leave, first, last), {}


def apply(session: Session, sheet: AttendanceSheet, schedule: WeeklySchedule) -> list[date]:
    """Fill the schedule's days that have no record yet; returns the days filled."""
    pair = [{"in": schedule.check_in.strftime("%H:%M"), "out": schedule.check_out.strftime("%H:%M")}]
    filled = []
    for day in grid.grid_days(session, sheet):
        when = date.fromisoformat(day["iso"])
        if schedule.start <= when <= schedule.end and when.weekday() in schedule.weekdays and not grid.has_record(day):
            grid.save_day(session, sheet, when, pair, False, "")
            filled.append(when)
    return filled
