"""Automatic reminders (cadence, quiet hours, when never), provider resend, rebuilt links."""

from __future__ import annotations

import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlmodel import select  # noqa: E402

from careconnect_app.db import session_scope  # noqa: E402
from careconnect_app.models import AttendanceSheet, AuditEvent, OutgoingMessage, SigningRequest  # noqa: E402
from careconnect_app.signing import links
from careconnect_app.messaging import reminders
from careconnect_app.portal import resend
from careconnect_app.portal.submission import SubmissionError
from tests.fakes.data import make_family, reconfigure, use_database  # noqa: E402

SENT = datetime(2026, 2, 2, 18, 0, tzinfo=timezone.utc)  # 10:00 in Los Angeles (PST, UTC-8)


@pytest.fixture
def family(tmp_path, monkeypatch):
    use_database(tmp_path, monkeypatch)
    with session_scope() as s:
        return make_family(s, now=SENT, link_lifetime_days=30)


def run(at: datetime) -> list[OutgoingMessage]:
    with session_scope() as s:
        ids = reminders.send_due_reminders(s, at)
        return [s.get(OutgoingMessage, i) for i in ids]


def request_of(family) -> SigningRequest:
    with session_scope() as s:
        return s.get(SigningRequest, family.request.id)


def set_request(family, **values) -> None:
    with session_scope() as s:
        r = s.get(SigningRequest, family.request.id)
        for k, v in values.items():
            setattr(r, k, v)


def test_cadence_first_after_2_days_then_every_3_at_most_4(family):
    assert run(SENT + timedelta(days=1, hours=23)) == []
    first = run(SENT + timedelta(days=2))
    assert sorted(m.channel for m in first) == ["email", "sms"] and {m.kind for m in first} == {"reminder"}
    assert run(SENT + timedelta(days=2, hours=1)) == []  # not twice
    r = request_of(family)
    assert r.reminder_count == 1 and r.last_notified_at == SENT + timedelta(days=2)
    assert run(SENT + timedelta(days=4, hours=23)) == []
    for day in (5, 8, 11):
        assert len(run(SENT + timedelta(days=day))) == 2
    assert run(SENT + timedelta(days=14)) == [] and run(SENT + timedelta(days=20)) == []
    assert request_of(family).reminder_count == 4


def test_reminder_carries_the_same_link_and_is_audited(family):
    (email, sms) = sorted(run(SENT + timedelta(days=2)), key=lambda m: m.channel)
    assert family.url in sms.text and family.url in email.text and family.url in email.html
    assert email.subject.startswith("Reminder:")
    with session_scope() as s:
        assert links.find(s, family.token).id == family.request.id  # the first link still works
        events = s.exec(select(AuditEvent).where(AuditEvent.event == "reminder_sent")).all()
    assert sorted(e.channel for e in events) == ["email", "sms"]
    assert all(e.signing_request_id == family.request.id and '"reminder": 1' in e.detail for e in events)


@pytest.mark.parametrize("utc_hour, minute, sent", [(3, 59, True), (4, 0, False), (12, 0, False),
                                                    (15, 59, False), (16, 0, True), (3, 0, True)])
def test_quiet_hours_in_the_agency_time_zone(family, utc_hour, minute, sent):
    # Los Angeles is UTC-8 in February: quiet from 20:00 (04:00 UTC) to 08:00 (16:00 UTC).
    at = datetime(2026, 2, 5, utc_hour, minute, tzinfo=timezone.utc)
    assert bool(run(at)) is sent


def test_quiet_hours_follow_each_agency_zone(tmp_path, monkeypatch):
    use_database(tmp_path, monkeypatch)
    with session_scope() as s:
        make_family(s, now=SENT, timezone="America/New_York")
    assert run(datetime(2026, 2, 5, 1, 0, tzinfo=timezone.utc)) == []  # 20:00 in New York
    assert len(run(datetime(2026, 2, 5, 0, 30, tzinfo=timezone.utc))) == 2  # 19:30


@pytest.mark.parametrize("change", ["signed", "recalled", "disputed", "superseded", "expired", "in_person",
                                    "sheet_recalled"])
def test_no_reminder_once_the_request_is_closed(family, change):
    if change == "expired":
        set_request(family, expires_at=SENT + timedelta(days=1))
    elif change == "in_person":
        set_request(family, in_person=True)
    elif change == "sheet_recalled":
        with session_scope() as s:
            s.get(AttendanceSheet, family.sheet.id).status = "recalled"
    else:
        set_request(family, status=change)
    assert run(SENT + timedelta(days=2)) == []


def test_two_schedulers_at_once_send_one_reminder(family):
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
    assert sorted(results) == [0, 2] and request_of(family).reminder_count == 1


def resend_at(family, at):
    with session_scope() as s:
        return resend.resend_link(s, s.get(SigningRequest, family.request.id), ip="203.0.113.5", now=at)


def test_resend_same_link_restarts_the_cadence(family):
    at = SENT + timedelta(days=1)
    with session_scope() as s:
        messages = [s.get(OutgoingMessage, i) for i in resend_at(family, at)]
    assert sorted((m.channel, m.kind) for m in messages) == [("email", "resend"), ("sms", "resend")]
    assert all(family.url in m.text for m in messages)
    assert "ready for your signature" in next(m.subject for m in messages if m.channel == "email")
    r = request_of(family)
    assert r.last_notified_at == at and r.reminder_count == 0
    assert run(SENT + timedelta(days=2)) == []  # first reminder now 2 days after the resend
    assert len(run(at + timedelta(days=2))) == 2


def test_resend_refusals(family):
    resend_at(family, SENT + timedelta(days=1))
    with pytest.raises(SubmissionError, match="resend.error.too_soon"):
        resend_at(family, SENT + timedelta(days=1, minutes=9))
    set_request(family, status="signed")
    with pytest.raises(SubmissionError, match="resend.error.not_open"):
        resend_at(family, SENT + timedelta(days=2))


def test_link_cannot_be_rebuilt_under_another_secret_key(family, monkeypatch):
    assert links.rebuild_url(request_of(family)) == family.url
    reconfigure(monkeypatch, CARECONNECT_SECRET_KEY="a-different-secret-key-after-rotation-000000")
    assert links.rebuild_url(request_of(family)) is None
    assert run(SENT + timedelta(days=2)) == []  # skipped (logged), never a broken link
    # A resend then replaces the link with a fresh one for the same guardian.
    ids = resend_at(family, SENT + timedelta(days=2))
    assert ids and request_of(family).status == "superseded"


def test_token_is_stored_encrypted_not_in_clear(family):
    r = request_of(family)
    assert r.token_ciphertext and family.token not in r.token_ciphertext
