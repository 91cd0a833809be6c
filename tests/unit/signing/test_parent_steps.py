"""The parent's steps: signing stores the evidence and locks the sheet, once even when raced; refusals; problems."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import AttendanceSheet, AuditEvent, OutgoingMessage, Signature, SigningRequest
from careconnect_app.portal import submission
from careconnect_app.signing import canonical, links, parent_steps
from tests.fakes.data import cursive_strokes


def _sign(request_id, **overrides):
    args = dict(strokes=cursive_strokes(), certified=True, consented=True, ip="198.51.100.7",
                user_agent="Mozilla/5.0 (iPhone)", locale="en", verification_channel="sms")
    args.update(overrides)
    with session_scope() as s:
        return parent_steps.sign(s, request_id, **args)


def test_sign_stores_evidence_and_locks_the_sheet(make_request):
    request_id, token = make_request()
    outcome = _sign(request_id)
    assert outcome.ok and outcome.reference.startswith("CC-")
    with session_scope() as s:
        sig = s.exec(select(Signature)).one()
        document = json.loads(sig.document_json)
        assert sig.document_hash == canonical.document_hash(document)
        assert document["child"]["name"] == "Mateo García"
        assert document["totals"] == {"minutes": 525 + 495, "days_present": 2, "days_absent": 1}
        assert document["certification"]["text"] == "I certify that the attendance shown is accurate."
        assert sig.ip == "198.51.100.7" and sig.verification_channel == "sms"
        assert sig.png == b""  # drawn later from the strokes (evidence.signature_png), not in the request
        assert json.loads(sig.strokes_json)["strokes"]
        assert s.get(AttendanceSheet, sig.sheet_id).status == "signed"
        assert links.check(s, token).status == links.LinkStatus.SIGNED
        signed_events = s.exec(select(AuditEvent).where(AuditEvent.event == "signed")).all()
        assert len(signed_events) == 1 and sig.document_hash in signed_events[0].detail


def test_refuses_blank_simple_uncertified_or_unconsented(make_request):
    request_id, _ = make_request()
    assert _sign(request_id, strokes={"strokes": [], "width": 300, "height": 200}).error == "parent.signature.error.empty"
    line = {"strokes": [[[0.1 + i * 0.02, 0.5, i * 10] for i in range(30)]], "width": 300, "height": 200}
    assert _sign(request_id, strokes=line).error == "parent.signature.error.too_simple"
    assert _sign(request_id, certified=False).error == "parent.sign.error.certify"
    assert _sign(request_id, consented=False).error == "parent.sign.error.consent"
    with session_scope() as s:
        assert s.exec(select(Signature)).all() == []
        assert s.get(SigningRequest, request_id).status == "pending"


def test_second_submit_is_recognised_not_signed_twice(make_request):
    request_id, _ = make_request()
    first, second = _sign(request_id), _sign(request_id)
    assert first.ok and not second.ok and second.already_signed and second.reference == first.reference


def test_racing_submits_sign_exactly_once(make_request):
    request_id, _ = make_request()
    results, barrier = [], threading.Barrier(6)

    def worker():
        barrier.wait()
        results.append(_sign(request_id))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sum(r.ok for r in results) == 1
    assert all(r.ok or r.already_signed for r in results)
    with session_scope() as s:
        assert len(s.exec(select(Signature)).all()) == 1


def test_expired_or_recalled_request_cannot_be_signed(make_request):
    request_id, _ = make_request()
    with session_scope() as s:
        req = s.get(SigningRequest, request_id)
        req.expires_at = utcnow() - timedelta(minutes=1)
        s.add(req)
    assert _sign(request_id).error == "parent.error.not_signable"
    request_id, token = make_request()
    with session_scope() as s:
        submission.recall_sheet(s, s.get(AttendanceSheet, s.get(SigningRequest, request_id).sheet_id))
    assert _sign(request_id).error == "parent.error.not_signable"
    with session_scope() as s:
        assert links.check(s, token).status == links.LinkStatus.RECALLED


def test_one_guardian_signing_completes_the_sheet_for_all(make_request):
    (first_id, _), (second_id, second_token) = make_request(guardians=2)
    assert _sign(first_id).ok
    with session_scope() as s:
        assert links.check(s, second_token).status == links.LinkStatus.SIGNED_BY_OTHER
    assert _sign(second_id).error == "parent.error.not_signable"


def test_problem_report_disputes_and_tells_the_provider(make_request):
    request_id, token = make_request()
    with session_scope() as s:
        req = s.get(SigningRequest, request_id)
        assert parent_steps.report_problem(s, req, "no", ip="", user_agent="") == "parent.review.problem_too_short"
        assert parent_steps.report_problem(s, req, "Tuesday she was home sick", ip="", user_agent="") == ""
    with session_scope() as s:
        assert links.check(s, token).status == links.LinkStatus.DISPUTED
        msg = s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "problem_reported")).one()
        assert msg.to == "provider@example.com" and "Tuesday she was home sick" in msg.text
