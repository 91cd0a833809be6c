"""Attendance rules: day views, totals, validation, time parsing, and the agency's periods."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from careconnect_app.models import AttendanceEntry, AttendanceSheet


@dataclass
class Day:
    day: date
    absent: bool = False
    absence_reason: str = ""
    pairs: list[tuple[time, time]] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(minutes_between(a, b) for a, b in self.pairs)


def minutes_between(check_in: time, check_out: time) -> int:
    return (check_out.hour * 60 + check_out.minute) - (check_in.hour * 60 + check_in.minute)


def entries_for(session: Session, sheet_id: int) -> list[AttendanceEntry]:
    stmt = (
        select(AttendanceEntry)
        .where(AttendanceEntry.sheet_id == sheet_id)
        .order_by(AttendanceEntry.day, AttendanceEntry.check_in, AttendanceEntry.id)
    )
    return list(session.exec(stmt))


def build_days(entries: list[AttendanceEntry]) -> list[Day]:
    """Group entries by day, in date order."""
    days: dict[date, Day] = {}
    for e in sorted(entries, key=lambda e: (e.day, e.check_in or time.min)):
        d = days.setdefault(e.day, Day(day=e.day))
        if e.absent:
            d.absent = True
            d.absence_reason = e.absence_reason
        elif e.check_in and e.check_out:
            d.pairs.append((e.check_in, e.check_out))
    return list(days.values())


@dataclass
class Totals:
    minutes: int
    days_present: int
    days_absent: int


def totals(days: list[Day]) -> Totals:
    return Totals(
        minutes=sum(d.minutes for d in days if not d.absent),
        days_present=sum(1 for d in days if d.pairs and not d.absent),
        days_absent=sum(1 for d in days if d.absent),
    )


# --- validation (the provider's grid) --------------------------------------------------------


@dataclass
class EntryError:
    day: date
    key: str  # translation key under "portal."


def validate_day(
    day: date,
    pairs: list[tuple[time | None, time | None]],
    absent: bool,
    period_start: date,
    period_end: date,
) -> list[str]:
    """Error keys for one day of the grid (empty list: valid)."""
    errors: list[str] = []
    if not (period_start <= day <= period_end):
        errors.append("attendance.error.outside_period")
    if absent and any(a or b for a, b in pairs):
        errors.append("attendance.error.absent_with_times")
    complete: list[tuple[time, time]] = []
    for a, b in pairs:
        if a is None and b is None:
            continue
        if a is None or b is None:
            errors.append("attendance.error.incomplete_pair")
            continue
        if b <= a:
            errors.append("attendance.error.out_before_in")
            continue
        complete.append((a, b))
    complete.sort()
    for (a1, b1), (a2, b2) in zip(complete, complete[1:]):
        if a2 < b1:
            errors.append("attendance.error.overlap")
            break
    return errors


def validate_entries(sheet: AttendanceSheet, entries: list[AttendanceEntry]) -> list[EntryError]:
    """Validate a whole sheet before it can be submitted."""
    by_day: dict[date, list[AttendanceEntry]] = {}
    for e in entries:
        by_day.setdefault(e.day, []).append(e)
    errors: list[EntryError] = []
    for day, rows in sorted(by_day.items()):
        absent = any(r.absent for r in rows)
        pairs = [(r.check_in, r.check_out) for r in rows if not r.absent]
        errors += [EntryError(day, k) for k in validate_day(day, pairs, absent, sheet.period_start, sheet.period_end)]
    return errors


def period_days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# --- the canonical document -------------------------------------------------------------------


def weekday_key(d: date) -> str:
    return f"weekday.{d.weekday()}"


# Typed times: "745a", "7:45", "7.45", "16:00", "1600", "4p", "7:45 AM", "7:45 a. m." (no seconds).
_TYPED_TIME = re.compile(r"(\d{1,2})(?::?(\d{2}))?(am|pm|a|p)?")


def parse_time(value: str) -> time | None:
    """A time as a provider types it -> time; "" -> None; raises ValueError on anything else.

    Without "a"/"p" the hour is read on the 24-hour clock ("16:00", "7:45" is morning).
    """
    text = (value or "").strip().lower()
    if not text:
        return None
    compact = "".join(text.replace("h", ":").replace(".", "").split())  # "7:45 a. m." -> "7:45am"
    match = _TYPED_TIME.fullmatch(compact)
    if match is None:
        raise ValueError(value)
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "")[:1]
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(value)
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(value)
    return time(hour, minute)


# --- periods (the agency's billing cycle) ---------------------------------------------------


def period_containing(day: date, period_type: str) -> tuple[date, date]:
    """Monday-Sunday weeks, or calendar months."""
    if period_type == "weekly":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    start = day.replace(day=1)
    next_month = (start + timedelta(days=32)).replace(day=1)
    return start, next_month - timedelta(days=1)


def recent_periods(today: date, period_type: str, count: int = 8) -> list[tuple[date, date]]:
    """The current period and the ones before it, newest first."""
    periods = []
    day = today
    for _ in range(count):
        start, end = period_containing(day, period_type)
        periods.append((start, end))
        day = start - timedelta(days=1)
    return periods


def default_period(today: date, period_type: str) -> tuple[date, date]:
    """The period providers usually submit now: the one that just ended."""
    return recent_periods(today, period_type, 2)[1]


def due_date(period_end: date, deadline_day: int) -> date:
    """Sheets are due on the agency's deadline day of the month after the period ends."""
    first_next = (period_end.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_next.replace(day=max(1, min(28, deadline_day)))
