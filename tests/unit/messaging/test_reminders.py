"""Automatic reminders: cadence, the same link, quiet hours in the agency's zone, never once closed, one per pass."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.messaging import reminders
from careconnect_app.messaging.backends.base import SECRET_SLOT
from careconnect_app.models import AttendanceSheet, AuditEvent
from careconnect_app.signing import links
from tests.fakes.data import SENT, make_family
from tests.fakes.rows import request_of, send_reminders, set_request


def test_cadence_first_after_2_days_then_every_3_at_most_4(sent_family):
    assert send_reminders(SENT + timedelta(days=1, hours=23)) == []
    first = send_reminders(SENT + timedelta(days=2))
    assert sorted(m.channel for m in first) == ["email", "sms"] and {m.kind for m in first} == {"reminder"}
    assert send_reminders(SENT + timedelta(days=2, hours=1)) == []  # not twice
    r = request_of(sent_family)
    assert r.reminder_count == 1 and r.last_notified_at == SENT + timedelta(days=2)
    assert send_reminders(SENT + timedelta(days=4, hours=23)) == []
    for day in (5, 8, 11):
        assert len(send_reminders(SENT + timedelta(days=day))) == 2
    assert send_reminders(SENT + timedelta(days=14)) == [] and send_reminders(SENT + timedelta(days=20)) == []
    assert request_of(sent_family).reminder_count == 4


def test_reminder_carries_a_link_to_the_same_request_and_is_audited(sent_family):
    (email, sms) = sorted(send_reminders(SENT + timedelta(days=2)), key=lambda m: m.channel)
    link = links.signing_url(SECRET_SLOT)  # each gets a token of its own when it is sent
    assert link in sms.text and link in email.text and link in email.html
    assert all(m.signing_request_id == sent_family.request.id for m in (email, sms))
    assert email.subject.startswith("Reminder:")
    with session_scope() as s:
        assert links.find(s, sent_family.token).id == sent_family.request.id  # the first link still works
        events = s.exec(select(AuditEvent).where(AuditEvent.event == "reminder_sent")).all()
    assert sorted(e.channel for e in events) == ["email", "sms"]
    assert all(e.signing_request_id == sent_family.request.id and '"reminder": 1' in e.detail for e in events)


@pytest.mark.parametrize("utc_hour, minute, sent", [(3, 59, True), (4, 0, False), (12, 0, False),
                                                    (15, 59, False), (16, 0, True), (3, 0, True)])
def test_quiet_hours_in_the_agency_time_zone(sent_family, utc_hour, minute, sent):
    # Los Angeles is UTC-8 in February: quiet from 20:00 (04:00 UTC) to 08:00 (16:00 UTC).
    at = datetime(2026, 2, 5, utc_hour, minute, tzinfo=UTC)
    assert bool(send_reminders(at)) is sent


def test_quiet_hours_follow_each_agency_zone(database):
    with session_scope() as s:
        make_family(s, now=SENT, timezone="America/New_York")
    assert send_reminders(datetime(2026, 2, 5, 1, 0, tzinfo=UTC)) == []  # 20:00 in New York
    assert len(send_reminders(datetime(2026, 2, 5, 0, 30, tzinfo=UTC))) == 2  # 19:30


@pytest.mark.parametrize("change", ["signed", "recalled", "disputed", "superseded", "expired", "in_person",
                                    "sheet_recalled"])
def test_no_reminder_once_the_request_is_closed(sent_family, change):
    if change == "expired":
        set_request(sent_family, expires_at=SENT + timedelta(days=1))
    elif change == "in_person":
        set_request(sent_family, in_person=True)
    elif change == "sheet_recalled":
        with session_scope() as s:
            s.get(AttendanceSheet, sent_family.sheet.id).status = "recalled"
    else:
        set_request(sent_family, status=change)
    assert send_reminders(SENT + timedelta(days=2)) == []


def test_two_schedulers_at_once_send_one_reminder(sent_family):
    barrier = threading.Barrier(2)
    results = []

    def scheduler():
        barrier.wait()
        results.append(reminders.run_due(SENT + timedelta(days=2)))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 2] and request_of(sent_family).reminder_count == 1


def test_only_due_requests_are_read_each_agency_on_its_own_cadence(database):
    """The query returns the due requests only (not every pending one filtered in Python)."""
    with session_scope() as s:
        quick = make_family(s, now=SENT, reminder_first_after_days=1, email="quick@example.com")
        slow = make_family(s, now=SENT, reminder_first_after_days=5, email="slow@example.com")
        for n in range(20):  # sent later: not due yet
            make_family(s, now=SENT + timedelta(days=4), email=f"p{n}@example.com", phone=f"+1555555{n:04d}")
        quick_id, slow_id = quick.request.id, slow.request.id
    at = SENT + timedelta(days=2, hours=1)
    with session_scope() as s:
        assert [r.id for r, _agency in reminders.due_reminders(s, at)] == [quick_id]
        assert [r.id for r, _agency in reminders.due_reminders(s, SENT + timedelta(days=5))] == [quick_id, slow_id]
