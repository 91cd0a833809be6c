"""Taps from today's board: checked payloads, the right time, on the right sheet, exactly once."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import date, time, timedelta

import pytest
from sqlmodel import select

from careconnect_app.common import audit
from careconnect_app.db import session_scope
from careconnect_app.models import AttendanceEntry, AttendanceSheet, AttendanceTap, Child, PortalUser
from careconnect_app.portal import submission, taps
from careconnect_app.statuses import AttendanceEvent, SheetStatus, TapAction, TapOutcome
from tests.fakes.board import MORNING, door, in_and_out, send, tap

KEY = "3f2b8c1e-9a4d-4e6f-8b1a-2c3d4e5f6a7b"


def _raw(**changes):
    raw = {"key": KEY, "child_id": 7, "action": "check_in", "tapped_at": 1_795_000_000_000,
           "sent_at": 1_795_000_000_500, "offline": False}
    return {**raw, **changes}


def test_parse_tap_takes_only_well_formed_taps():
    parsed = taps.parse_tap(_raw(reason="ignored for a check-in"))
    assert parsed == taps.TapInput(KEY, 7, TapAction.CHECK_IN, 1_795_000_000_000, 1_795_000_000_500, False, "")
    assert taps.parse_tap(_raw(key=KEY.upper())).key == KEY
    assert taps.parse_tap(_raw(action="absent", reason="  Sick \n at home ")).reason == "Sick at home"
    assert taps.parse_tap(_raw(action="absent", reason="x" * 5000)).reason == "x" * taps.MAX_REASON
    assert taps.parse_tap(_raw(offline="yes")).queued is False  # only a real true counts
    for bad in (_raw(key="not-a-uuid"), _raw(key=KEY + "0"), _raw(action="sign"), _raw(child_id=True),
                _raw(child_id=-3), _raw(child_id="7; DROP"), _raw(tapped_at=-1), _raw(tapped_at="soon"),
                _raw(sent_at=None), _raw(tapped_at=2**60), _raw(tapped_at=True), "check_in", None, [_raw()]):
        assert taps.parse_tap(bad) is None, bad


def test_parse_batch_limits_and_deduplicates():
    many = [_raw(key=str(uuid.uuid4())) for _ in range(taps.MAX_BATCH + 10)]
    assert len(taps.parse_batch(many)) == taps.MAX_BATCH
    assert len(taps.parse_batch([_raw(), _raw(), {"key": "x"}])) == 1
    assert taps.parse_batch({"key": KEY}) == [] and taps.parse_batch(None) == []


def test_timing_uses_the_server_clock_and_measures_a_wait_on_it():
    arrival = MORNING
    online = taps.timing(tap(1, TapAction.CHECK_IN, arrival - timedelta(hours=3)), arrival)  # a phone 3 h off
    assert online.tapped_at == arrival and not online.offline
    assert online.device_tapped_at == arrival - timedelta(hours=3)
    # Queued offline for 25 minutes on a phone whose clock is 3 hours wrong: still 25 minutes before arrival.
    wrong_clock = MORNING - timedelta(hours=3)
    queued = tap(1, TapAction.CHECK_IN, wrong_clock, sent=wrong_clock + timedelta(minutes=25), queued=True)
    assert taps.timing(queued, arrival).tapped_at == arrival - timedelta(minutes=25)
    # Not marked queued, but it took longer than LATE_AFTER to arrive: it waited on the device.
    late = taps.timing(tap(1, TapAction.CHECK_IN, MORNING, sent=MORNING + timedelta(minutes=10)), arrival)
    assert late.offline and late.tapped_at == arrival - timedelta(minutes=10)
    # A device clock set back between tap and sending never puts a tap after its arrival.
    backwards = tap(1, TapAction.CHECK_IN, MORNING, sent=MORNING - timedelta(hours=1), queued=True)
    assert taps.timing(backwards, arrival).tapped_at == arrival


def _record(door_ids, *inputs, user_id=None, now=MORNING):
    with session_scope() as s:
        return [r.outcome for r in taps.record_taps(s, s.get(PortalUser, user_id), list(inputs), now=now)] \
            if user_id else send(door_ids, *inputs, now=now)


def _entries(child_id):
    with session_scope() as s:
        sheet = s.exec(select(AttendanceSheet).where(AttendanceSheet.child_id == child_id)).one()
        rows = s.exec(select(AttendanceEntry).where(AttendanceEntry.sheet_id == sheet.id)
                      .order_by(AttendanceEntry.id)).all()
        return sheet, [(e.day, e.check_in, e.check_out, e.absent, e.absence_reason) for e in rows]


def test_two_pairs_in_one_day_fill_the_weeks_draft_sheet(database):
    d = door()
    mateo = d.children[0]
    times = [MORNING, MORNING + timedelta(hours=4, seconds=12), MORNING + timedelta(hours=5),
             MORNING + timedelta(hours=9, minutes=30)]
    actions = [TapAction.CHECK_IN, TapAction.CHECK_OUT, TapAction.CHECK_IN, TapAction.CHECK_OUT]
    for at, action in zip(times, actions):
        assert _record(d, tap(mateo, action, at), now=at) == [TapOutcome.RECORDED]
    sheet, entries = _entries(mateo)
    assert (sheet.period_start, sheet.period_end, sheet.status) == (date(2026, 11, 16), date(2026, 11, 22),
                                                                   SheetStatus.DRAFT)
    monday = date(2026, 11, 16)
    assert entries == [(monday, time(8, 0), time(12, 0, 12), False, ""),
                       (monday, time(13, 0), time(17, 30), False, "")]
    with session_scope() as s:
        events = audit.events_for_sheet(s, sheet.id)
    assert [e.event for e in events] == [AttendanceEvent.TAPPED] * 4
    first = json.loads(events[0].detail)
    assert first["action"] == "check_in" and first["time"] == "08:00:00" and first["offline"] is False
    assert events[0].ip == "10.0.0.5" and events[0].user_id == d.staff


def test_a_tap_sent_twice_is_recorded_once(database):
    d = door()
    first = tap(d.children[0], TapAction.CHECK_IN, MORNING)
    assert _record(d, first) == [TapOutcome.RECORDED]
    # The answer was lost: the device sends the same tap again, alone and in a batch.
    assert _record(d, first, now=MORNING + timedelta(minutes=3)) == [TapOutcome.DUPLICATE]
    again = tap(d.children[1], TapAction.CHECK_IN, MORNING)
    assert _record(d, first, again) == [TapOutcome.DUPLICATE, TapOutcome.RECORDED]
    _sheet, entries = _entries(d.children[0])
    assert len(entries) == 1
    with session_scope() as s:
        assert len(s.exec(select(AttendanceTap).where(AttendanceTap.idempotency_key == first.key)).all()) == 1


def test_the_same_tap_from_two_tabs_at_once_is_recorded_once(database):
    d = door()
    same = tap(d.children[0], TapAction.CHECK_IN, MORNING)
    barrier, outcomes, errors = threading.Barrier(2), [], []

    def send():
        barrier.wait()
        try:
            outcomes.extend(_record(d, same))
        except Exception as exc:  # noqa: BLE001 (a busy SQLite file answers with an error; the device retries)
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:  # the device keeps a tap whose answer failed and sends it again
        outcomes.extend(_record(d, same))
    assert sorted(outcomes) == sorted([TapOutcome.RECORDED, TapOutcome.DUPLICATE])
    assert len(_entries(d.children[0])[1]) == 1


def test_an_offline_tap_keeps_its_time_and_says_so(database):
    d = door()
    made = MORNING - timedelta(minutes=40)  # 07:20 on the device, sent at 08:00
    assert _record(d, tap(d.children[0], TapAction.CHECK_IN, made, sent=MORNING, queued=True)) == [TapOutcome.RECORDED]
    sheet, entries = _entries(d.children[0])
    assert entries[0][1] == time(7, 20)
    with session_scope() as s:
        row = s.exec(select(AttendanceTap)).one()
        event = audit.events_for_sheet(s, sheet.id)[0]
    assert row.offline and row.tapped_at == made and row.received_at == MORNING
    detail = json.loads(event.detail)
    assert detail["offline"] is True and detail["device_time"] == "2026-11-16T15:20:00Z"


def test_the_agency_calendar_decides_the_day(database):
    d = door()
    late_evening = MORNING + timedelta(hours=14, minutes=30)  # 06:30 UTC on Tuesday, 22:30 Monday in LA
    _record(d, tap(d.children[0], TapAction.CHECK_OUT, late_evening), now=late_evening)
    _sheet, entries = _entries(d.children[0])
    assert entries == [(date(2026, 11, 16), None, time(22, 30), False, "")]  # an out with no in: to correct


def test_absent_with_a_reason(database):
    d = door()
    assert _record(d, tap(d.children[2], TapAction.ABSENT, MORNING, reason="Sick")) == [TapOutcome.RECORDED]
    _sheet, entries = _entries(d.children[2])
    assert entries == [(date(2026, 11, 16), None, None, True, "Sick")]


def test_a_submitted_sheet_takes_no_taps_but_keeps_them(database):
    d = door()
    mateo = d.children[0]
    in_and_out(d, mateo, timedelta(hours=8))
    with session_scope() as s:
        sheet = s.exec(select(AttendanceSheet).where(AttendanceSheet.child_id == mateo)).one()
        submission.submit_sheet(s, sheet)
    late = tap(mateo, TapAction.CHECK_IN, MORNING + timedelta(days=1))
    assert _record(d, late, now=MORNING + timedelta(days=1)) == [TapOutcome.LOCKED]
    sheet, entries = _entries(mateo)
    assert len(entries) == 1 and sheet.status == SheetStatus.READY_FOR_PARENT
    with session_scope() as s:
        kept = s.exec(select(AttendanceTap).where(AttendanceTap.idempotency_key == late.key)).one()
        last = audit.events_for_sheet(s, sheet.id)[-1]
    assert kept.outcome == TapOutcome.LOCKED and kept.sheet_id == sheet.id
    assert last.event == AttendanceEvent.TAP_NOT_RECORDED and json.loads(last.detail)["outcome"] == "locked"
    # Recalled: the sheet takes taps again and is a draft.
    with session_scope() as s:
        submission.recall_sheet(s, s.get(AttendanceSheet, sheet.id))
    assert _record(d, tap(mateo, TapAction.CHECK_IN, MORNING + timedelta(days=1, hours=1)),
                   now=MORNING + timedelta(days=1, hours=1)) == [TapOutcome.RECORDED]
    assert _entries(mateo)[0].status == SheetStatus.DRAFT


def test_only_the_providers_own_staff_may_tap_its_children(database):
    d = door()
    assert _record(d, tap(d.other_child, TapAction.CHECK_IN, MORNING)) == [TapOutcome.REFUSED]
    assert _record(d, tap(d.children[0], TapAction.CHECK_IN, MORNING), user_id=d.admin) == [TapOutcome.REFUSED]
    assert _record(d, tap(999_999, TapAction.CHECK_IN, MORNING)) == [TapOutcome.REFUSED]
    with session_scope() as s:
        assert s.exec(select(AttendanceTap)).all() == []
        assert taps.record_taps(s, None, [tap(d.children[0], TapAction.CHECK_IN, MORNING)])[0].outcome == \
            TapOutcome.REFUSED


def test_taps_that_cannot_go_on_a_sheet_are_kept(database):
    d = door()
    with session_scope() as s:
        s.get(Child, d.children[1]).active = False
    old = MORNING - taps.MAX_AGE - timedelta(days=1)
    outcomes = _record(d, tap(d.children[1], TapAction.CHECK_IN, MORNING),
                       tap(d.children[0], TapAction.CHECK_IN, old, sent=MORNING, queued=True))
    assert outcomes == [TapOutcome.INACTIVE, TapOutcome.TOO_OLD]
    with session_scope() as s:
        rows = s.exec(select(AttendanceTap).order_by(AttendanceTap.id)).all()
        assert [r.outcome for r in rows] == ["inactive", "too_old"]
        assert all(r.sheet_id is None for r in rows)
        assert s.exec(select(AttendanceEntry)).all() == []


@pytest.mark.parametrize("period_type, start, end", [("weekly", date(2026, 11, 16), date(2026, 11, 22)),
                                                     ("monthly", date(2026, 11, 1), date(2026, 11, 30))])
def test_the_sheet_follows_the_agency_period(database, period_type, start, end):
    d = door(period_type)
    _record(d, tap(d.children[0], TapAction.CHECK_IN, MORNING))
    sheet, _entries_ = _entries(d.children[0])
    assert (sheet.period_start, sheet.period_end) == (start, end)
