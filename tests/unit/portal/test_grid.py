"""The day grid: errors and hours per day, drafts that survive a reload, no edits once submitted."""

from __future__ import annotations

import threading

from datetime import date, timedelta

import pytest
from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.models import AttendanceSheet, Child
from careconnect_app.portal import grid, submission
from careconnect_app.portal.submission import SubmissionError
from tests.fakes.sheets import START, sheet_of
from tests.support.race import race


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
        with pytest.raises(SubmissionError, match="sheet.error.locked"):
            grid.save_day(s, sheet, START, [{"in": "08:00", "out": "09:00"}], False, "")


def _edit(sheet_id, wait_for: threading.Event):
    def step(go):
        with session_scope() as s:
            sheet = s.get(AttendanceSheet, sheet_id)  # the grid the provider is typing in
            go()
            wait_for.wait(30)
            grid.save_day(s, sheet, START, [{"in": "06:00", "out": "19:00"}], False, "")
        return "saved"
    return step


def _submit(sheet_id, wait_for: threading.Event, done: threading.Event):
    def step(go):
        with session_scope() as s:
            sheet = s.get(AttendanceSheet, sheet_id)
            go()
            wait_for.wait(30)
            submission.submit_sheet(s, sheet)
        done.set()
        return "submitted"
    return step


def _commit_then(step, done: threading.Event):
    def wrapped(go):
        try:
            return step(go)
        finally:
            done.set()
    return wrapped


@pytest.mark.parametrize("edit_first", [True, False])
def test_no_edit_lands_after_the_sheet_locked(weekly_sheet, edit_first):
    """Both load the sheet first; the second writes after the first committed (a stale grid)."""
    sheet_id = weekly_sheet["sheet"]
    edited, submitted, go_now = threading.Event(), threading.Event(), threading.Event()
    go_now.set()
    if edit_first:  # the submit waits for the edit's commit, then locks the sheet with it
        edit_step = _edit(sheet_id, wait_for=go_now)
        steps = [_commit_then(edit_step, edited), _submit(sheet_id, wait_for=edited, done=submitted)]
        edit, submit = race(*steps)
    else:  # the edit waits for the submit's commit: it must be refused, not land on the locked sheet
        steps = [_submit(sheet_id, wait_for=go_now, done=submitted), _edit(sheet_id, wait_for=submitted)]
        submit, edit = race(*steps)
    assert submit == "submitted"
    with session_scope() as s:
        monday = grid.grid_days(s, s.get(AttendanceSheet, sheet_id))[0]["pairs"]
    if edit_first:
        assert edit == "saved" and monday == [{"in": "06:00", "out": "19:00"}]
    else:  # the sheet went to the parents as it was; the late edit is refused with a reason
        assert isinstance(edit, SubmissionError) and edit.key == "sheet.error.locked"
        assert monday == [{"in": "08:00", "out": "16:30"}]


def test_two_record_clicks_start_one_sheet(weekly_sheet):
    def record(go):
        with session_scope() as s:
            child = s.get(Child, weekly_sheet["child"])
            go()
            return grid.get_or_create_sheet(s, child, START + timedelta(days=7), START + timedelta(days=13)).id

    first, second, third = race(record, record, record)
    assert first == second == third and isinstance(first, int)
    with session_scope() as s:
        assert len(s.exec(select(AttendanceSheet).where(AttendanceSheet.child_id == weekly_sheet["child"])).all()) == 2
