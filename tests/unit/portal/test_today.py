"""Today's board: who is in, today's times, submitted sheets closed to taps, and corrections with a reason."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

from sqlmodel import select

from careconnect_app.common import audit
from careconnect_app.db import session_scope
from careconnect_app.models import AttendanceEntry, AttendanceSheet
from careconnect_app.portal import submission, today
from careconnect_app.statuses import AttendanceEvent, Presence, TapAction
from tests.fakes.board import MORNING, door, in_and_out, send, tap, user

_tap = send


def _board(d, user_id=None, now=MORNING):
    with session_scope() as s:
        return today.board(s, user(s, user_id or d.staff), now)


def test_the_board_lists_every_active_child_and_where_they_are(database):
    d = door()
    mateo, olivia, sofia = d.children
    _tap(d, tap(mateo, TapAction.CHECK_IN, MORNING), tap(sofia, TapAction.ABSENT, MORNING, reason="Sick"))
    _tap(d, tap(olivia, TapAction.CHECK_IN, MORNING + timedelta(minutes=5)), now=MORNING + timedelta(minutes=5))
    _tap(d, tap(olivia, TapAction.CHECK_OUT, MORNING + timedelta(hours=3)), now=MORNING + timedelta(hours=3))
    board = _board(d, now=MORNING + timedelta(hours=3))
    assert board.day == date(2026, 11, 16)
    assert [(c.name, c.presence) for c in board.children] == [
        ("Mateo García", Presence.IN), ("Olivia Johnson", Presence.OUT), ("Sofía Hernández", Presence.ABSENT)]
    olivia_card = board.children[1]
    assert [(e.check_in, e.check_out) for e in olivia_card.entries] == [(time(8, 5), time(11, 0))]
    assert board.children[2].entries[0].reason == "Sick"
    assert not any(c.locked for c in board.children)
    # Tomorrow starts empty: everyone checks in again.
    tomorrow = _board(d, now=MORNING + timedelta(days=1))
    assert [c.presence for c in tomorrow.children] == [Presence.OUT] * 3 and not tomorrow.children[0].entries


def test_no_board_for_an_agency_admin(database):
    d = door()
    assert _board(d, user_id=d.admin) is None
    with session_scope() as s:
        assert today.board(s, None) is None


def test_a_submitted_sheet_shows_closed_and_counts_the_taps_kept_aside(database):
    d = door()
    mateo = d.children[0]
    in_and_out(d, mateo, timedelta(hours=1))
    with session_scope() as s:
        submission.submit_sheet(s, s.exec(select(AttendanceSheet).where(AttendanceSheet.child_id == mateo)).one())
    _tap(d, tap(mateo, TapAction.CHECK_IN, MORNING + timedelta(hours=2)), now=MORNING + timedelta(hours=2))
    card = _board(d, now=MORNING + timedelta(hours=2)).children[0]
    assert card.locked and card.held == 1 and card.presence == Presence.OUT


def _entry_ids(child_id):
    with session_scope() as s:
        sheet = s.exec(select(AttendanceSheet).where(AttendanceSheet.child_id == child_id)).one()
        return sheet.id, [e.id for e in s.exec(select(AttendanceEntry).where(AttendanceEntry.sheet_id == sheet.id)
                                                .order_by(AttendanceEntry.id))]


def _correct(d, entry_id, check_in="", check_out="", remove=False, reason="Tapped the wrong child", user_id=None):
    with session_scope() as s:
        return today.correct_entry(s, user(s, user_id or d.staff), today.Correction(entry_id, check_in, check_out,
                                                                                     remove, reason),
                                   ip="10.0.0.9", user_agent="phone", now=MORNING + timedelta(hours=2))


def test_a_mistaken_tap_is_corrected_with_a_reason_on_the_audit_trail(database):
    d = door()
    mateo = d.children[0]
    _tap(d, tap(mateo, TapAction.CHECK_IN, MORNING + timedelta(seconds=41)), now=MORNING + timedelta(seconds=41))
    _tap(d, tap(mateo, TapAction.CHECK_OUT, MORNING + timedelta(hours=1)), now=MORNING + timedelta(hours=1))
    sheet_id, (entry_id,) = _entry_ids(mateo)
    assert _correct(d, entry_id, "08:00", "09:00", reason="") == "today.error.reason"
    assert _correct(d, entry_id, "8 o'clock", "09:00") == "attendance.error.bad_time"
    assert _correct(d, entry_id, "10:00", "09:00") == "attendance.error.out_before_in"
    assert _correct(d, entry_id, "", "") == "today.error.no_times"
    # Only the check-out was wrong: the tapped check-in keeps its seconds.
    assert _correct(d, entry_id, "08:00", "08:45", reason="Left at 8:45, tapped late") == ""
    with session_scope() as s:
        entry = s.get(AttendanceEntry, entry_id)
        assert (entry.check_in, entry.check_out) == (time(8, 0, 41), time(8, 45))
        event = audit.events_for_sheet(s, sheet_id)[-1]
    assert event.event == AttendanceEvent.CORRECTED and event.user_id == d.staff and event.ip == "10.0.0.9"
    assert json.loads(event.detail) == {"day": "2026-11-16", "before": "08:00–09:00", "after": "08:00–08:45",
                                        "reason": "Left at 8:45, tapped late", "via": "board"}


def test_removing_a_check_out_puts_the_child_back_in(database):
    d = door()
    mateo = d.children[0]
    in_and_out(d, mateo, timedelta(minutes=2))
    _sheet_id, (entry_id,) = _entry_ids(mateo)
    assert _correct(d, entry_id, "08:00", "") == ""
    assert _board(d, now=MORNING + timedelta(hours=2)).children[0].presence == Presence.IN


def test_removing_a_record_and_an_absence(database):
    d = door()
    mateo, _olivia, sofia = d.children
    _tap(d, tap(mateo, TapAction.CHECK_IN, MORNING), tap(sofia, TapAction.ABSENT, MORNING, reason="Sick"))
    sheet_id, (entry_id,) = _entry_ids(mateo)
    assert _correct(d, entry_id, remove=True, reason="Wrong child") == ""
    _sofia_sheet, (absence_id,) = _entry_ids(sofia)
    assert _correct(d, absence_id, reason="She came after all") == ""
    board = _board(d, now=MORNING + timedelta(hours=2))
    assert [c.presence for c in board.children] == [Presence.OUT, Presence.OUT, Presence.OUT]
    with session_scope() as s:
        detail = json.loads(audit.events_for_sheet(s, sheet_id)[-1].detail)
    assert (detail["before"], detail["after"]) == ("08:00–?", "—")


def test_corrections_only_on_own_open_sheets(database):
    d = door()
    mateo = d.children[0]
    in_and_out(d, mateo, timedelta(hours=1))
    sheet_id, (entry_id,) = _entry_ids(mateo)
    assert _correct(d, entry_id, "08:00", "09:30", user_id=d.admin) == "error.not_found"
    assert _correct(d, 999_999, "08:00", "09:30") == "error.not_found"
    with session_scope() as s:
        assert today.entry_to_correct(s, user(s, d.staff), entry_id).child_name == "Mateo García"
        assert today.entry_to_correct(s, user(s, d.admin), entry_id) is None
        submission.submit_sheet(s, s.get(AttendanceSheet, sheet_id))
    assert _correct(d, entry_id, "08:00", "09:30") == "today.error.locked"
