"""The parent's steps: signing stores the evidence and locks the sheet, once even when raced; refusals; problems."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from sqlmodel import select

from careconnect_app.clock import utcnow
from careconnect_app.common.crypto import keyed_hash, sha256_hex
from careconnect_app.common import audit
from careconnect_app.db import session_scope
from careconnect_app.evidence import manifest
from careconnect_app.messaging import outbox
from careconnect_app.models import (
    AttendanceSheet,
    AuditEvent,
    Guardian,
    OutgoingMessage,
    Signature,
    SigningRequest,
    VerificationCode,
)
from careconnect_app.portal import submission
from careconnect_app.signing import canonical, evidence, links, parent_steps, verification
from tests.fakes.data import cursive_strokes, review
from tests.fakes.rows import in_person_for
from tests.support.race import race
from tests.support.sql import statements_sent
from tests.unit.documents.support import flat


def _sign(request_id, **overrides):
    """Review the page as it reads now (unless a reviewed hash is given), then sign."""
    if "reviewed_hash" not in overrides:
        with session_scope() as s:
            overrides["reviewed_hash"] = review(s, request_id, overrides.get("locale", "en"))
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
        assert document["totals"] == {"minutes": 525 + 495, "days_present": 2, "days_absent": 1,
                                      "days_without_record": 4}
        assert document["certification"]["text"] == "I certify that the attendance shown is accurate."
        assert sig.png.startswith(b"\x89PNG") and sig.ip == "198.51.100.7" and sig.verification_channel == "sms"
        assert json.loads(sig.strokes_json)["strokes"]
        assert s.get(AttendanceSheet, sig.sheet_id).status == "signed"
        assert links.check(s, token).status == links.LinkStatus.SIGNED
        signed_events = s.exec(select(AuditEvent).where(AuditEvent.event == "signed")).all()
        assert len(signed_events) == 1 and sig.document_hash in signed_events[0].detail
        # The document holds the consent and certification texts exactly as shown, in the signing language.
        assert document["consent"]["text"].startswith("By signing here you agree to use an electronic signature")
        assert document["consent"]["agreement"] == "I agree to sign electronically."
        # The manifest, signed with the deployment's key, binds it all and follows the event before signing.
        data = json.loads(sig.manifest_json)
        assert manifest.signature_valid(sig.manifest_json, sig.manifest_signature)
        assert data["document"]["sha256"] == sig.document_hash and data["reference"] == sig.reference
        assert data["texts"]["consent"]["sha256"] == manifest.text_hash(document, "consent")
        assert data["mark"]["png_sha256"] == sha256_hex(sig.png)
        assert data["signer"] == {"name": "Ana García", "guardian_id": sig.guardian_id}
        assert data["verification"]["channel"] == "sms" and data["client"]["ip"] == "198.51.100.7"
        signed_event = signed_events[0]
        assert data["audit"]["previous_event_sha256"] == signed_event.prev_hash != ""
        assert json.loads(signed_event.detail)["manifest_sha256"] == sha256_hex(sig.manifest_json)


def test_the_code_destination_is_kept_as_a_keyed_hash_only(make_request):
    request_id, _ = make_request()
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        guardian = s.get(Guardian, request.guardian_id)
        verification.send_code(s, request, guardian, "sms")
        code = s.exec(select(VerificationCode)).one()
        code.consumed_at = utcnow()
    assert _sign(request_id).ok
    with session_scope() as s:
        data = json.loads(s.exec(select(Signature)).one().manifest_json)
    assert data["verification"]["destination_hmac"] == keyed_hash("evidence-destination", "+15555550123")
    assert "+1555" not in json.dumps(data)


def test_the_hashed_and_the_masked_destination_are_of_the_code_used_last(make_request):
    """The manifest's keyed hash and the record's masked address name the same code: the one consumed
    last, even when an older code (sent to the number before a change) was consumed after a newer one."""
    request_id, _ = make_request()
    now = utcnow()
    with session_scope() as s:
        for destination, consumed_minutes_ago in (("+15555550111", 1), ("+15555550222", 5)):
            s.add(VerificationCode(signing_request_id=request_id, channel="sms", destination=destination,
                                   code_hash="x", created_at=now - timedelta(minutes=10),
                                   expires_at=now + timedelta(minutes=10),
                                   consumed_at=now - timedelta(minutes=consumed_minutes_ago)))
    assert _sign(request_id, verification_channel="sms").ok
    with session_scope() as s:
        sig = s.exec(select(Signature)).one()
    assert json.loads(sig.manifest_json)["verification"]["destination_hmac"] == keyed_hash(
        "evidence-destination", "+15555550111")
    assert sig.code_destination_masked == "(***) ***-0111"


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
    assert _sign(second_id).error == "parent.error.signed_by_other"


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


def test_two_guardians_signing_at_once_one_wins_the_other_is_told(make_request):
    for _round in range(3):
        (first_id, _), (second_id, second_token) = make_request(guardians=2)

        def signer(request_id):
            def step(go):
                go()
                return _sign(request_id)
            return step

        outcomes = race(signer(first_id), signer(second_id))
        assert not any(isinstance(o, BaseException) for o in outcomes), outcomes  # no deadlock traceback
        winner, loser = sorted(outcomes, key=lambda o: not o.ok)
        assert winner.ok and not loser.ok and loser.error == "parent.error.signed_by_other"
        with session_scope() as s:
            assert len(s.exec(select(Signature).where(Signature.signing_request_id.in_([first_id, second_id]))).all()) == 1


def test_an_in_person_signature_is_labelled_provider_assisted_everywhere(make_request):
    request_id, _ = make_request()
    token = in_person_for(request_id)
    with session_scope() as s:
        in_person_id = links.find(s, token).id
    assert _sign(in_person_id).ok
    with session_scope() as s:
        signature = s.exec(select(Signature)).one()
        assert signature.in_person and signature.verification_channel == "sms"
        signed = s.exec(select(AuditEvent).where(AuditEvent.event == "signed")).one()
        assert json.loads(signed.detail)["provider_assisted"] is True
        sheet = s.get(AttendanceSheet, signature.sheet_id)
        certificate, _ = evidence.completion_certificate_pdf(s, sheet, "en")
        copy, _ = evidence.signed_attendance_pdf(s, sheet)  # in the signing language
    assert "Provider-assisted" in flat(certificate) and "Provider-assisted" in flat(copy)
def test_signature_keeps_the_masked_contact_the_code_went_to(make_request, monkeypatch):
    """Finding 2: the certificate printed today's contacts, not the one that received the code."""
    from careconnect_app.models import Guardian
    from careconnect_app.signing import verification

    request_id, _token = make_request()
    monkeypatch.setattr(verification, "new_numeric_code", lambda digits=6: "246810")
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        assert verification.send_code(s, request, s.get(Guardian, request.guardian_id), "sms").ok
    outbox.deliver_due()  # the code is made as it is sent
    with session_scope() as s:
        assert verification.check_code(s, s.get(SigningRequest, request_id), "246810").ok
    with session_scope() as s:  # the contact of record changes before the parent signs
        guardian = s.get(Guardian, s.get(SigningRequest, request_id).guardian_id)
        guardian.phone = "+15555550999"
        s.add(guardian)
    assert _sign(request_id, verification_channel="sms").ok
    with session_scope() as s:
        sig = s.exec(select(Signature)).one()
        assert sig.code_destination_masked == "(***) ***-0123"
        assert evidence.evidence(sig).code_destination == "(***) ***-0123"


def test_signature_without_a_code_records_no_destination(make_request):
    request_id, _token = make_request(requires_verification=False)
    assert _sign(request_id, verification_channel="").ok
    with session_scope() as s:
        assert s.exec(select(Signature)).one().code_destination_masked == ""


def test_signing_writes_its_notices_in_one_insert_and_takes_the_chain_once(make_request, database):
    """The signature's notices (guardian's email and text, provider's certificate) go to the outbox in
    one INSERT on PostgreSQL (SQLite cannot return the ids of a batch in order: one each there), and
    the chain locked for the manifest is not locked again for the events after it;
    the sheet's chain still adds up, the signed event right after the event the manifest names."""
    request_id, _ = make_request()
    with session_scope() as s:
        reviewed = review(s, request_id, "en")
    with statements_sent() as sent:
        outcome = _sign(request_id, reviewed_hash=reviewed)
    assert outcome.ok and len(outcome.message_ids) >= 3
    inserts = sum(q.startswith("INSERT INTO outgoingmessage") for q in sent)
    assert inserts == (1 if database.kind == "postgres" else len(outcome.message_ids))
    assert sum(q.startswith("UPDATE auditchainhead SET length=auditchainhead.length ") for q in sent) == 1
    with session_scope() as s:
        queued = s.exec(select(OutgoingMessage).where(OutgoingMessage.id.in_(outcome.message_ids))).all()
        assert len(queued) == len(outcome.message_ids)
        sig = s.exec(select(Signature)).one()
        events = audit.events_for_sheet(s, sig.sheet_id)
        signed = next(e for e in events if e.event == "signed")
        assert json.loads(sig.manifest_json)["audit"]["previous_event_sha256"] == signed.prev_hash
        assert [e.event for e in events][-2:] == ["signed", "copies_queued"]
        assert audit.check_sheet(s, sig.sheet_id) is None
