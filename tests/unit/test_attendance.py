"""Attendance rules: a day's times, totals, periods and the due date."""

from __future__ import annotations

from datetime import date, time

import pytest

from careconnect_app import attendance
from careconnect_app.common.formatting import format_minutes

P = date(2026, 11, 2), date(2026, 11, 8)
START, END = date(2026, 11, 16), date(2026, 11, 22)


@pytest.mark.parametrize(
    ("day", "pairs", "absent", "expected"),
    [
        (date(2026, 11, 3), [(time(8), time(12))], False, []),
        (date(2026, 11, 9), [(time(8), time(12))], False, ["attendance.error.outside_period"]),
        (date(2026, 11, 3), [(time(12), time(8))], False, ["attendance.error.out_before_in"]),
        (date(2026, 11, 3), [(time(8), time(12)), (time(11), time(15))], False, ["attendance.error.overlap"]),
        (date(2026, 11, 3), [(time(8), time(12)), (time(12), time(15))], False, []),
        (date(2026, 11, 3), [(time(8), None)], False, ["attendance.error.incomplete_pair"]),
        (date(2026, 11, 3), [(time(8), time(9))], True, ["attendance.error.absent_with_times"]),
    ],
)
def test_validate_day(day, pairs, absent, expected):
    assert attendance.validate_day(day, pairs, absent, *P) == expected


def test_totals_and_formatting():
    days = [attendance.Day(date(2026, 11, 2), pairs=[(time(8), time(12, 30)), (time(13), time(17, 15))]),
            attendance.Day(date(2026, 11, 3), absent=True, absence_reason="Sick")]
    tot = attendance.totals(days)
    assert (tot.minutes, tot.days_present, tot.days_absent) == (525, 1, 1)
    # Hours read as a duration, never as a clock time ("8:45"); no-break spaces keep them on one line.
    assert [format_minutes(m).replace("\u00a0", " ") for m in (525, 480, 45, 0)] == [
        "8 h 45 min", "8 h", "45 min", "0 h"]
    assert " " not in format_minutes(525)
    assert attendance.parse_time("1:05 pm") == time(13, 5) and attendance.parse_time("") is None
    with pytest.raises(ValueError):
        attendance.parse_time("25:99")


def test_periods():
    assert attendance.period_containing(date(2026, 11, 28), "weekly") == (date(2026, 11, 23), date(2026, 11, 29))
    assert attendance.period_containing(date(2026, 2, 10), "monthly") == (date(2026, 2, 1), date(2026, 2, 28))
    assert attendance.period_containing(date(2026, 12, 31), "monthly") == (date(2026, 12, 1), date(2026, 12, 31))
    assert attendance.default_period(date(2026, 11, 28), "weekly") == (START, END)
    assert attendance.default_period(date(2026, 1, 5), "monthly") == (date(2025, 12, 1), date(2025, 12, 31))


def test_due_date():
    assert attendance.due_date(date(2026, 11, 30), 5) == date(2026, 12, 5)
    assert attendance.due_date(date(2026, 12, 31), 5) == date(2027, 1, 5)
    assert attendance.due_date(date(2026, 11, 22), 31) == date(2026, 12, 28)


@pytest.mark.parametrize("typed, expected", [
    ("745a", time(7, 45)), ("7:45", time(7, 45)), ("16:00", time(16)), ("1600", time(16)), ("4p", time(16)),
    ("7:45 AM", time(7, 45)), ("7:45 p. m.", time(19, 45)), ("7:45\u00a0a.\u00a0m.", time(7, 45)),
    ("12a", time(0)), ("12:30p", time(12, 30)), ("0745", time(7, 45)), ("7.45", time(7, 45)), ("7h45", time(7, 45)),
    ("8", time(8)),
])
def test_times_as_a_provider_types_them(typed, expected):
    assert attendance.parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["13p", "0a", "24:00", "7:60", "7:4", "12345", "noon", "7:45 xm", "--:--"])
def test_what_is_not_a_time(typed):
    with pytest.raises(ValueError):
        attendance.parse_time(typed)
