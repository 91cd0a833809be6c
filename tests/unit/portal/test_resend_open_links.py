"""The dashboard's "send again" for a whole sheet: every open link once, each under its own cooldown."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import AttendanceSheet, SigningRequest
from careconnect_app.portal import resend, submission


def _sheet_of(s, request_id: int) -> AttendanceSheet:
    return s.get(AttendanceSheet, s.get(SigningRequest, request_id).sheet_id)


def _notified_long_ago(request_id: int) -> None:
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        request.last_notified_at = utcnow() - timedelta(hours=1)
        s.add(request)


def test_resends_every_open_link_of_the_sheet(make_request):
    (request_id, _token), _second = make_request(guardians=2)
    with session_scope() as s:
        sheet_id = _sheet_of(s, request_id).id
        request_ids = s.exec(select(SigningRequest.id).where(SigningRequest.sheet_id == sheet_id)).all()
    for other_id in request_ids:
        _notified_long_ago(other_id)
    with session_scope() as s:
        message_ids, reasons = resend.resend_open_links(s, _sheet_of(s, request_id))
    assert reasons == set()
    assert len(message_ids) >= 2  # both guardians, by each of their channels


def test_within_the_cooldown_nothing_is_sent(make_request):
    request_id, _token = make_request()
    with session_scope() as s:
        message_ids, reasons = resend.resend_open_links(s, _sheet_of(s, request_id))
    assert message_ids == [] and reasons == {"resend.error.too_soon"}


def test_a_recalled_sheet_has_no_open_link(make_request):
    request_id, _token = make_request()
    with session_scope() as s:
        submission.recall_sheet(s, _sheet_of(s, request_id))
    with session_scope() as s:
        message_ids, reasons = resend.resend_open_links(s, _sheet_of(s, request_id))
    assert message_ids == [] and reasons == {"resend.error.not_open"}
