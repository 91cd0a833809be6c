"""The provider's resend: a cooldown, a new link to the same request while it is open, a fresh request once
it expired, never an in-person link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.messaging.backends.base import SECRET_SLOT
from careconnect_app.models import OutgoingMessage, SigningRequest
from careconnect_app.portal import resend, submission
from careconnect_app.portal.submission import SubmissionError
from careconnect_app.signing import links
from tests.fakes.data import SENT
from tests.fakes.rows import allow_in_person, request_of, resend_at, send_reminders, set_request
from tests.fakes.sheets import latest_request, sheet_of


def test_resend_cooldown_then_the_same_request(weekly_sheet):
    family = weekly_sheet
    with session_scope() as s:
        submission.submit_sheet(s, sheet_of(s, family))
    with session_scope() as s:
        with pytest.raises(submission.SubmissionError, match="too_soon"):
            resend.resend_link(s, latest_request(s, family))
    later = utcnow() + timedelta(minutes=11)
    with session_scope() as s:
        request = latest_request(s, family)
        ids = resend.resend_link(s, request, now=later)
        assert ids and request.status == "pending"
    with session_scope() as s:
        with pytest.raises(submission.SubmissionError, match="too_soon"):
            resend.resend_link(s, latest_request(s, family), now=later + timedelta(minutes=2))


def test_resend_of_expired_link_issues_a_fresh_one(weekly_sheet):
    family = weekly_sheet
    with session_scope() as s:
        submission.submit_sheet(s, sheet_of(s, family))
    with session_scope() as s:
        r = latest_request(s, family)
        r.expires_at = utcnow() - timedelta(days=1)
        r.last_notified_at = utcnow() - timedelta(days=2)
        s.add(r)
        old_id = r.id
    with session_scope() as s:
        ids = resend.resend_link(s, s.get(SigningRequest, old_id))
        assert ids
    with session_scope() as s:
        assert s.get(SigningRequest, old_id).status == "superseded"
        fresh = latest_request(s, family)
        assert fresh.id != old_id and links.status_of(fresh) == links.LinkStatus.OK


def test_resend_same_link_restarts_the_cadence(sent_family):
    at = SENT + timedelta(days=1)
    with session_scope() as s:
        messages = [s.get(OutgoingMessage, i) for i in resend_at(sent_family, at)]
    assert sorted((m.channel, m.kind) for m in messages) == [("email", "resend"), ("sms", "resend")]
    # Each carries a link of its own to the same request, made when it is sent.
    assert all(links.signing_url(SECRET_SLOT) in m.text for m in messages)
    assert "ready for your signature" in next(m.subject for m in messages if m.channel == "email")
    r = request_of(sent_family)
    assert r.last_notified_at == at and r.reminder_count == 0
    assert send_reminders(SENT + timedelta(days=2)) == []  # first reminder now 2 days after the resend
    assert len(send_reminders(at + timedelta(days=2))) == 2


def test_resend_refusals(sent_family):
    resend_at(sent_family, SENT + timedelta(days=1))
    with pytest.raises(SubmissionError, match="resend.error.too_soon"):
        resend_at(sent_family, SENT + timedelta(days=1, minutes=9))
    set_request(sent_family, status="signed")
    with pytest.raises(SubmissionError, match="resend.error.not_open"):
        resend_at(sent_family, SENT + timedelta(days=2))


def test_an_in_person_link_is_never_emailed(weekly_sheet):
    allow_in_person(weekly_sheet["sheet"])
    with session_scope() as s:
        (issued,) = submission.submit_sheet(s, sheet_of(s, weekly_sheet), in_person=True)
        request_id = issued.request.id
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        request.last_notified_at = utcnow() - timedelta(hours=1)
        with pytest.raises(SubmissionError, match="resend.error.in_person"):
            resend.resend_link(s, request)
    with session_scope() as s:
        assert s.exec(select(OutgoingMessage)).all() == []
