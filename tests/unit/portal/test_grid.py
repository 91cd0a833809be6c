"""The day grid: errors and hours per day, drafts that survive a reload, no edits once submitted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from careconnect_app.db import session_scope
from careconnect_app.portal import grid, submission
from tests.fakes.sheets import START, sheet_of


def test_day_errors_and_hours(weekly_sheet):
    with session_scope() as s:
        sheet = sheet_of(s, weekly_sheet)
        mon = START
        assert grid.day_errors(sheet, mon, [{"in": "09:00", "out": "08:00"}], False) == [
            "attendance.error.out_before_in"]
        assert grid.day_errors(sheet, mon, [{"in": "08:00", "out": "12:00"},
                                            {"in": "11:00", "out": "13:00"}], False) == [
            "attendance.error.overlap"]
        assert grid.day_errors(sheet, mon, [{"in": "08:00", "out": ""}], False) == [
            "attendance.error.incomplete_pair"]
        assert grid.day_errors(sheet, date(2026, 11, 30), [{"in": "08:00", "out": "09:00"}], False) == [
            "attendance.error.outside_period"]
        assert "attendance.error.bad_time" in grid.day_errors(sheet, mon, [{"in": "8 o'clock", "out": ""}],
                                                              False)
        assert grid.day_minutes([{"in": "07:45", "out": "11:30"}, {"in": "13:00", "out": "17:15"}],
                                False) == 480
        assert grid.day_minutes([{"in": "07:45", "out": "11:30"}], True) == 0


def test_grid_round_trip_keeps_drafts(weekly_sheet):
    with session_scope() as s:
        sheet = sheet_of(s, weekly_sheet)
        grid.save_day(s, sheet, START + timedelta(days=3), [{"in": "08:00", "out": ""}], False, "")
        days = grid.grid_days(s, sheet)
    assert len(days) == 7
    assert days[0]["pairs"] == [{"in": "08:00", "out": "16:30"}]
    assert len(days[1]["pairs"]) == 2
    assert days[2]["absent"] and days[2]["reason"] == "Sick"
    assert days[3]["pairs"] == [{"in": "08:00", "out": ""}]  # an unfinished pair survives a reload
    assert days[4]["pairs"] == [{"in": "", "out": ""}]


def test_locked_sheet_cannot_be_edited(weekly_sheet):
    with session_scope() as s:
        sheet = sheet_of(s, weekly_sheet)
        submission.submit_sheet(s, sheet)
        with pytest.raises(ValueError):
            grid.save_day(s, sheet, START, [{"in": "08:00", "out": "09:00"}], False, "")
