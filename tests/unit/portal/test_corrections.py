"""Grid edits of a sheet built from live taps are corrections on its audit trail; typed sheets are not."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

from sqlmodel import select

from careconnect_app.common import audit
from careconnect_app.db import session_scope
from careconnect_app.models import AttendanceEntry, AttendanceSheet
from careconnect_app.portal import corrections, grid, taps
from careconnect_app.statuses import AttendanceEvent, TapAction
from tests.fakes.board import MORNING, door, tap, user
from tests.fakes.sheets import START, sheet_of


def test_day_summary_reads_like_the_day():
    entry = AttendanceEntry
    assert corrections.day_summary([]) == "—"
    assert corrections.day_summary([entry(sheet_id=1, day=START, check_in=time(13), check_out=None),
                                    entry(sheet_id=1, day=START, check_in=time(8, 2, 41), check_out=time(12))]) == \
        "08:02–12:00, 13:00–?"
    assert corrections.day_summary([entry(sheet_id=1, day=START, absent=True, absence_reason="Sick")]) == \
        "absent (Sick)"


def test_grid_edits_of_a_tapped_sheet_are_audited_as_corrections(database):
    d = door()
    mateo = d.children[0]
    with session_scope() as s:
        taps.record_taps(s, user(s, d.staff), [tap(mateo, TapAction.CHECK_IN, MORNING)], now=MORNING)
    with session_scope() as s:
        sheet = s.exec(select(AttendanceSheet).where(AttendanceSheet.child_id == mateo)).one()
        grid.save_day(s, sheet, date(2026, 11, 16), [{"in": "08:00", "out": "16:00"}], False, "",
                      user_id=d.staff, ip="10.1.1.1", user_agent="laptop")
        # Saving the same day again changes nothing: no second correction.
        grid.save_day(s, sheet, date(2026, 11, 16), [{"in": "08:00", "out": "16:00"}], False, "", user_id=d.staff)
        events = audit.events_for_sheet(s, sheet.id)
    assert [e.event for e in events] == [AttendanceEvent.TAPPED, AttendanceEvent.CORRECTED]
    assert json.loads(events[1].detail) == {"day": "2026-11-16", "before": "08:00–?", "after": "08:00–16:00",
                                            "via": "grid"}
    assert (events[1].user_id, events[1].ip, events[1].actor) == (d.staff, "10.1.1.1", "provider")


def test_a_typed_sheet_is_not_a_correction(weekly_sheet):
    with session_scope() as s:
        sheet = sheet_of(s, weekly_sheet)
        grid.save_day(s, sheet, START + timedelta(days=3), [{"in": "08:00", "out": "12:00"}], False, "")
        assert not corrections.is_live(s, sheet.id)
        assert audit.events_for_sheet(s, sheet.id) == []
