"""Submit and recall: each is one conditional UPDATE of the sheet, so a race has one winner.

The races run with threads (tests/support/race.py) on SQLite and PostgreSQL; `stagger` forces
each order in turn, so both outcomes are checked every run.
"""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from careconnect_app.db import session_scope
from careconnect_app.models import (
    Agency,
    AttendanceSheet,
    OutgoingMessage,
    Signature,
    SigningRequest,
)
from careconnect_app.portal import submission
from careconnect_app.portal.submission import SubmissionError
from careconnect_app.signing import links, parent_steps
from careconnect_app.statuses import RequestStatus, SheetStatus
from tests.fakes.data import cursive_strokes, review
from tests.fakes.rows import allow_in_person, start_in_person
from tests.fakes.sheets import sheet_of
from tests.support.race import race


def _sheet_id_of(request_id: int) -> int:
    with session_scope() as s:
        return s.get(SigningRequest, request_id).sheet_id


def _recall(sheet_id: int):
    def step(go):
        with session_scope() as s:
            sheet = s.get(AttendanceSheet, sheet_id)  # what the portal page had loaded
            go()
            submission.recall_sheet(s, sheet)
        return "recalled"
    return step


def _parent_signs(request_id: int):
    with session_scope() as s:
        reviewed = review(s, request_id)

    def step(go):
        go()
        with session_scope() as s:
            return parent_steps.sign(s, request_id, strokes=cursive_strokes(), certified=True, consented=True,
                                     reviewed_hash=reviewed, ip="198.51.100.7", user_agent="phone", locale="en",
                                     verification_channel="sms")
    return step


@pytest.mark.parametrize("recall_first", [True, False])
def test_a_recall_racing_the_parents_signature_never_orphans_it(make_request, recall_first):
    for _round in range(3):
        request_id, _token = make_request()
        sheet_id = _sheet_id_of(request_id)
        steps = [_recall(sheet_id), _parent_signs(request_id)]
        recall, signing = race(*(steps if recall_first else steps[::-1]), stagger=0.15)[:: 1 if recall_first else -1]
        with session_scope() as s:
            sheet = s.get(AttendanceSheet, sheet_id)
            signatures = s.exec(select(func.count()).select_from(Signature).where(Signature.sheet_id == sheet_id)).one()
            request = s.get(SigningRequest, request_id)
        if sheet.status == SheetStatus.SIGNED:
            assert signing.ok and signatures == 1 and request.status == RequestStatus.SIGNED
            assert isinstance(recall, SubmissionError) and recall.key == "attendance.error.not_recallable"
        else:
            assert sheet.status == SheetStatus.RECALLED and recall == "recalled"
            assert signatures == 0 and request.status == RequestStatus.RECALLED
            assert not signing.ok and signing.error == "parent.error.not_signable"


def _submit(sheet_id: int):
    def step(go):
        with session_scope() as s:
            sheet = s.get(AttendanceSheet, sheet_id)
            go()
            return len(submission.submit_sheet(s, sheet))
    return step


def test_a_double_submit_issues_one_set_of_links(weekly_sheet):
    sheet_id = weekly_sheet["sheet"]
    results = race(_submit(sheet_id), _submit(sheet_id), stagger=0.15)
    # Whichever commits first wins (the stagger usually makes it the first; a loaded box may not).
    assert sorted(results, key=lambda r: isinstance(r, SubmissionError))[0] == 1
    refused = [r for r in results if isinstance(r, SubmissionError)]
    assert len(refused) == 1 and refused[0].key == "attendance.error.not_draft"
    with session_scope() as s:
        requests = s.exec(select(SigningRequest).where(SigningRequest.sheet_id == sheet_id)).all()
        messages = s.exec(select(OutgoingMessage).where(OutgoingMessage.sheet_id == sheet_id)).all()
        assert len(requests) == 1 and len(messages) == 1  # the guardian has email only
        assert sheet_of(s, weekly_sheet).status == SheetStatus.READY_FOR_PARENT


def test_simultaneous_submits_still_issue_one_set(weekly_sheet):
    sheet_id = weekly_sheet["sheet"]
    outcomes = race(*[_submit(sheet_id) for _ in range(4)])
    assert sorted(str(o) if isinstance(o, int) else o.key for o in outcomes) == ["1"] + ["attendance.error.not_draft"] * 3
    with session_scope() as s:
        assert len(s.exec(select(SigningRequest).where(SigningRequest.sheet_id == sheet_id)).all()) == 1


def test_recall_refused_once_signed_says_why(make_request):
    request_id, _ = make_request()
    with session_scope() as s:
        stale = s.get(AttendanceSheet, _sheet_id_of(request_id))
        reviewed = review(s, request_id)
        assert parent_steps.sign(s, request_id, strokes=cursive_strokes(), certified=True, consented=True,
                                 reviewed_hash=reviewed, ip="",
                                 user_agent="", locale="en", verification_channel="sms").ok
    with session_scope() as s:
        with pytest.raises(SubmissionError, match="not_recallable"):
            submission.recall_sheet(s, stale)


# --- in-person signing: an agency setting, off by default -----------------------------------------


def test_in_person_signing_is_off_by_default_and_refused(weekly_sheet):
    assert Agency(name="New").allow_in_person_signing is False
    with session_scope() as s:
        with pytest.raises(SubmissionError, match="sheet.error.in_person_off"):
            submission.submit_sheet(s, sheet_of(s, weekly_sheet), in_person=True)
    with session_scope() as s:
        submission.submit_sheet(s, sheet_of(s, weekly_sheet))
    with pytest.raises(SubmissionError, match="sheet.error.in_person_off"):
        start_in_person(weekly_sheet["sheet"], weekly_sheet["guardian"])


def test_an_in_person_link_needs_the_parents_code_even_where_links_need_none(weekly_sheet):
    allow_in_person(weekly_sheet["sheet"])  # this agency does not require codes for remote links
    with session_scope() as s:
        (issued,) = submission.submit_sheet(s, sheet_of(s, weekly_sheet), in_person=True)
        assert issued.request.in_person and issued.request.requires_verification
        assert issued.message_ids == []  # nothing is sent: the parent is at the provider's device
    token = start_in_person(weekly_sheet["sheet"], weekly_sheet["guardian"])
    with session_scope() as s:
        request = links.find(s, token)
        assert request.in_person and request.requires_verification


def test_in_person_signing_is_refused_while_a_request_is_disputed(make_request):
    request_id, _ = make_request()
    sheet_id = _sheet_id_of(request_id)
    allow_in_person(sheet_id)
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        guardian_id = request.guardian_id
        in_person_token = start_in_person(sheet_id, guardian_id)  # issued before the dispute
        assert parent_steps.report_problem(s, request, "Tuesday is wrong", ip="", user_agent="") == ""
    with pytest.raises(SubmissionError, match="sheet.error.in_person_disputed"):
        start_in_person(sheet_id, guardian_id)
    with session_scope() as s:
        in_person_id = links.find(s, in_person_token).id
    refused = _parent_signs(in_person_id)(lambda: None)
    assert not refused.ok and refused.error == "parent.error.in_person_disputed"
