"""A weekly schedule applied to a period fills only the days with nothing entered."""

from __future__ import annotations

from datetime import timedelta

from careconnect_app.db import session_scope
from careconnect_app.portal import grid, schedule
from tests.fakes.sheets import START, sheet_of


def test_schedule_fills_empty_weekdays_and_keeps_exceptions(weekly_sheet):
    with session_scope() as s:
        sheet = sheet_of(s, weekly_sheet)
        plan, errors = schedule.check(sheet, list(schedule.WORKWEEK), "745a", "4p")
        assert not errors
        filled = schedule.apply(s, sheet, plan)
        # Mon (8:00-16:30), Tue (split day) and Wed (absent) were entered: kept as they are.
        assert filled == [START + timedelta(days=3), START + timedelta(days=4)]
        days = grid.grid_days(s, sheet)
    assert days[0]["pairs"] == [{"in": "08:00", "out": "16:30"}]
    assert days[2]["absent"]
    assert days[3]["pairs"] == days[4]["pairs"] == [{"in": "07:45", "out": "16:00"}]
    assert grid.missing_days(days) == [(START + timedelta(days=5)).isoformat(), (START + timedelta(days=6)).isoformat()]


def test_schedule_within_a_range_of_chosen_weekdays(weekly_sheet):
    with session_scope() as s:
        sheet = sheet_of(s, weekly_sheet)
        plan, _ = schedule.check(sheet, [5, 6, 4], "9:00", "13:00", (START + timedelta(days=5)).isoformat(), "")
        assert schedule.apply(s, sheet, plan) == [START + timedelta(days=5), START + timedelta(days=6)]


def test_schedule_errors_by_field(weekly_sheet):
    with session_scope() as s:
        sheet = sheet_of(s, weekly_sheet)
        plan, errors = schedule.check(sheet, [], "noon-ish", "7:00", "2020-01-01", "")
    assert plan is None
    assert errors == {"weekdays": "schedule.error.weekdays", "check_in": "attendance.error.bad_time",
                      "range": "schedule.error.range"}
    with session_scope() as s:
        _plan, errors = schedule.check(sheet_of(s, weekly_sheet), [0], "16:00", "7:45")
    assert errors == {"check_out": "attendance.error.out_before_in"}


def test_copy_source_is_the_nearest_earlier_day_with_a_record(weekly_sheet):
    with session_scope() as s:
        days = grid.grid_days(s, sheet_of(s, weekly_sheet))
    assert grid.copy_source(days, 0) == -1
    assert grid.copy_source(days, 3) == 2  # Wednesday's absence is a record
    assert grid.copy_source(days, 6) == 2
