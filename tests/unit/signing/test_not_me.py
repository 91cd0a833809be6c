"""After every signature the guardian is told, with a "this was not me" link that opens a dispute.

The link is single-purpose: it can report once, never sign or show the attendance.
"""

from __future__ import annotations

from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.messaging import outbox
from careconnect_app.models import AttendanceSheet, AuditEvent, Guardian, LinkToken, OutgoingMessage, SigningRequest
from careconnect_app.portal import dashboard
from careconnect_app.signing import links, not_me, parent_steps
from careconnect_app.statuses import LinkStatus, PortalStatus, TokenPurpose
from tests.fakes.data import cursive_strokes, review
from tests.fakes.rows import NOT_ME_LINK, delivered, tokens_in


def _sign(request_id: int):
    with session_scope() as s:
        reviewed = review(s, request_id)
    with session_scope() as s:
        return parent_steps.sign(s, request_id, strokes=cursive_strokes(), certified=True, consented=True,
                                 reviewed_hash=reviewed, ip="198.51.100.7", user_agent="phone", locale="en",
                                 verification_channel="sms")


def _signed_with_notice(make_request, database, *, email_only=False):
    request_id, token = make_request()
    if email_only:
        with session_scope() as s:
            s.get(Guardian, s.get(SigningRequest, request_id).guardian_id).notify_sms = False
    outcome = _sign(request_id)
    assert outcome.ok and outcome.message_ids
    outbox.deliver_now(outcome.message_ids)
    notices = delivered(database.outbox, "signed_notice")
    return request_id, token, outcome, notices


def test_the_guardian_is_told_on_every_channel_on_file(make_request, database):
    # This guardian chose email only for links; the notice still goes to the phone on file too.
    request_id, _token, outcome, notices = _signed_with_notice(make_request, database, email_only=True)
    assert sorted(m["channel"] for m in notices) == ["email", "sms"]
    for notice in notices:
        body = notice["text"] + notice["html"]
        assert outcome.reference in body and len(set(tokens_in(body, NOT_ME_LINK))) == 1
    with session_scope() as s:
        stored = s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "signed_notice")).all()
        assert all(not tokens_in(m.text + m.html, NOT_ME_LINK) for m in stored)  # the link is made at send
        events = s.exec(select(AuditEvent).where(AuditEvent.event == "notified",
                                                 AuditEvent.signing_request_id == request_id)).all()
        assert {e.channel for e in events} >= {"email", "sms"}


def test_not_me_opens_a_dispute_the_agency_sees(make_request, database):
    request_id, _token, outcome, notices = _signed_with_notice(make_request, database)
    not_me_token = tokens_in(notices[0]["text"], NOT_ME_LINK)[0]
    with session_scope() as s:
        page = not_me.look(s, not_me_token, ip="203.0.113.4")
        assert page.status == not_me.NotMeStatus.OPEN and page.reference == outcome.reference
        assert page.child_name == "Mateo G."
    with session_scope() as s:
        reported = not_me.report(s, not_me_token, "I was at work all day", ip="203.0.113.4", user_agent="phone")
        assert reported.status == not_me.NotMeStatus.REPORTED and len(reported.message_ids) == 1
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        assert request.signature_disputed_at and request.signature_dispute_text == "I was at work all day"
        event = s.exec(select(AuditEvent).where(AuditEvent.event == "signature_disputed")).one()
        assert event.sheet_id == request.sheet_id and event.actor == "parent" and event.ip == "203.0.113.4"
        told = s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "signature_disputed")).all()
        assert [m.to for m in told] == ["provider@example.com"]  # this agency has no contact email
        sheet_requests = dashboard.requests_by_sheet(s, [request.sheet_id])[request.sheet_id]
        sheet = s.get(AttendanceSheet, request.sheet_id)
        assert dashboard.sheet_status(sheet, sheet_requests) == PortalStatus.SIGNATURE_DISPUTED
    with session_scope() as s:  # once: a second use reports nothing more
        assert not_me.look(s, not_me_token, ip="").status == not_me.NotMeStatus.ALREADY_REPORTED
        assert not_me.report(s, not_me_token, "again", ip="", user_agent="").status == \
            not_me.NotMeStatus.ALREADY_REPORTED
        assert len(s.exec(select(AuditEvent).where(AuditEvent.event == "signature_disputed")).all()) == 1


def test_the_not_me_link_cannot_sign_or_show_the_attendance(make_request, database):
    request_id, _token, _outcome, notices = _signed_with_notice(make_request, database)
    not_me_token = tokens_in(notices[0]["text"], NOT_ME_LINK)[0]
    with session_scope() as s:
        assert links.check(s, not_me_token).status == LinkStatus.UNKNOWN
        assert links.find(s, not_me_token) is None
        rows = s.exec(select(LinkToken).where(LinkToken.purpose == TokenPurpose.NOT_ME)).all()
        assert len(rows) == 2 and {r.signing_request_id for r in rows} == {request_id}  # one per notice
        assert not [r for r in rows if not_me_token in r.token_hash]
        page = not_me.look(s, not_me_token, ip="")
    assert not hasattr(page, "days") and "08:00" not in repr(page) and "García" not in repr(page)


def test_unknown_not_me_tokens_say_so(database):
    with session_scope() as s:
        assert not_me.look(s, "x" * 43, ip="203.0.113.4").status == not_me.NotMeStatus.UNKNOWN
        assert not_me.report(s, "x" * 43, "hm", ip="203.0.113.4", user_agent="").status == not_me.NotMeStatus.UNKNOWN
