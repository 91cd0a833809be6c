"""The wizard's database steps as plain functions: what each handler gets back from its worker thread."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from sqlmodel import select

from careconnect_app.common import cookie_tickets
from careconnect_app.db import session_scope
from careconnect_app.messaging import outbox
from careconnect_app.models import AttendanceSheet, AuditEvent, LinkToken, Signature, SigningRequest
from careconnect_app.pages.sign import actions
from careconnect_app.pages.sign.actions import LinkChanged, NotVerified, Visit
from careconnect_app.pages.sign.view import LinkView
from careconnect_app.portal import submission
from careconnect_app.signing import verification
from careconnect_app.statuses import LinkStatus, RequestStatus
from tests.fakes.data import cursive_strokes
from tests.fakes.rows import CODE, delivered

PACKAGE = Path(actions.__file__).parent


def _visit(request_id: int = 0, secret: str = "", locale: str = "en") -> Visit:
    return Visit(request_id, secret, locale, "203.0.113.7", "pytest")


def _verified_secret(request_id: int) -> str:
    with session_scope() as s:
        return verification.start_session(s, s.get(SigningRequest, request_id), "sms")


def _run(fn, *args, **kwargs):
    with session_scope() as s:
        return fn(s, *args, **kwargs)


def test_plain_modules_do_not_import_reflex():
    for name in ("actions.py", "view.py"):
        tree = ast.parse((PACKAGE / name).read_text())
        imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        imported += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in imported if m.split(".")[0] == "reflex"], name


def test_unknown_token_names_no_family(database):
    opened = _run(actions.open_link, "no-such-token", _visit(), keep_locale=False)
    assert opened.request_id == 0 and opened.resume is None
    assert opened.view.status == LinkStatus.UNKNOWN and opened.view.status_body
    assert opened.view == LinkView(LinkStatus.UNKNOWN, opened.view.status_body)  # no part names a family


def test_opening_takes_the_guardians_language_and_starts_at_landing(make_request):
    request_id, token = make_request(locale="es")
    opened = _run(actions.open_link, token, _visit(), keep_locale=False)
    assert (opened.request_id, opened.locale, opened.resume.step) == (request_id, "es", "landing")
    landing = opened.view.landing
    assert landing.child_name == "Mateo G." and landing.requires_verification
    assert [c["value"] for c in landing.channels] == ["email", "sms"]
    assert landing.provider_phone_href.startswith("tel:+") and landing.call_label.startswith("Llamar a Test Provider")
    assert opened.view.review.days == []  # not before the code
    verified = _run(actions.open_link, token, _visit(request_id, _verified_secret(request_id)), keep_locale=False)
    review = verified.view.review
    # Every day of the week is listed, as the signed copy lists them; four have no record.
    assert [d["absent"] for d in review.days] == ["", "1", "", "", "", "", ""] and review.days_absent == "1"
    assert [d["recorded"] for d in review.days] == ["1", "1", "1", "", "", "", ""] and review.days_no_record == "4"
    assert review.days[4]["times"] == review.days[4]["hours"] == "—"
    assert review.no_record_note == "4 días del período no tienen registro: aparecen con una raya (—)."
    assert review.consent_text.startswith("Al firmar aquí") and len(review._shown_hash) == 64
    kept = _run(actions.open_link, token, _visit(locale="en"), keep_locale=True)
    assert kept.locale == "en"


def test_steps_are_refused_on_a_dead_link_or_without_verification(make_request):
    request_id, _token = make_request()
    assert _run(actions.on_live_link, _visit(request_id), actions.mark_reviewed, "") == NotVerified(True)
    refused = _run(actions.on_live_link, _visit(0), actions.start, need_verified=False)
    assert isinstance(refused, LinkChanged) and refused.view.status == LinkStatus.UNKNOWN
    with session_scope() as s:
        s.get(SigningRequest, request_id).status = RequestStatus.SUPERSEDED
    refused = _run(actions.on_live_link, _visit(request_id), actions.start, need_verified=False)
    assert isinstance(refused, LinkChanged) and refused.view.status == LinkStatus.SUPERSEDED
    assert "newer link" in refused.view.status_body and refused.view.landing.child_name == ""


def _shown(visit: Visit) -> str:
    """The hash of what the page shows this visitor now (what SignState keeps in _shown_hash)."""
    return _run(actions.reread, visit, LinkStatus.OK).review._shown_hash


def test_verified_parent_resumes_signs_once_and_gets_a_sealed_copy(make_request):
    request_id, token = make_request()
    visit = _visit(request_id, _verified_secret(request_id))
    assert _run(actions.on_live_link, visit, actions.start, need_verified=False) is True
    assert _run(actions.open_link, token, visit, keep_locale=True).resume.step == "review"
    reviewed = _run(actions.on_live_link, visit, actions.mark_reviewed, _shown(visit))
    assert reviewed == _shown(visit)
    resumed = _run(actions.open_link, token, visit, keep_locale=True).resume
    assert (resumed.step, resumed.reviewed_hash) == ("sign", reviewed)
    assert _run(actions.on_live_link, visit, actions.signing_channel) == "sms"

    signing = _run(actions.sign, visit, cursive_strokes(), "", certified=True, consented=True, channel="sms",
                   reviewed_hash=reviewed)
    assert signing.outcome.ok and signing.view.status == LinkStatus.SIGNED
    assert signing.view.signed.reference == signing.outcome.reference and signing.view.signed.can_download
    # The done screen says what was really queued: the copy by email, the reference by text, the certificate.
    intro = signing.view.signed.done_intro
    assert "a***@example.com" in intro and "(***) ***-0123" in intro
    assert "Test Provider is sent the completion certificate" in intro
    again = _run(actions.sign, visit, cursive_strokes(), "", certified=True, consented=True, channel="sms",
                 reviewed_hash=reviewed)
    assert again.outcome.already_signed and again.view.signed.reference == signing.outcome.reference

    parts = _run(actions.signed_copy, visit)
    assert parts.reference == signing.outcome.reference and parts.document["child"]["name"] == "Mateo García"
    assert _run(actions.signed_copy, _visit(request_id, "someone-else")) is None


def test_a_stale_page_is_not_recorded_as_reviewed(make_request):
    request_id, _token = make_request(requires_verification=False)
    visit = _visit(request_id)
    stale = _run(actions.on_live_link, visit, actions.mark_reviewed, "0" * 64)
    assert stale.status == LinkStatus.OK and stale.review._shown_hash == _shown(visit)
    with session_scope() as s:
        assert s.get(SigningRequest, request_id).reviewed_at is None


def test_switching_language_after_review_refuses_the_signature(make_request):
    request_id, _token = make_request(requires_verification=False)
    english = _visit(request_id)
    reviewed = _run(actions.on_live_link, english, actions.mark_reviewed, _shown(english))
    spanish = _visit(request_id, locale="es")
    signing = _run(actions.sign, spanish, cursive_strokes(), "", certified=True, consented=True, channel="",
                   reviewed_hash=reviewed)
    assert signing.outcome.error == "parent.sign.error.language_changed" and signing.outcome.review_again
    assert signing.view.status == LinkStatus.OK  # the page shows the attendance again, in Spanish
    with session_scope() as s:
        assert s.get(SigningRequest, request_id).status == RequestStatus.PENDING
    unreviewed = _run(actions.sign, english, cursive_strokes(), "", certified=True, consented=True, channel="",
                      reviewed_hash="")
    assert unreviewed.outcome.error == "parent.sign.error.not_reviewed"
    assert _run(actions.sign, english, cursive_strokes(), "", certified=True, consented=True, channel="",
                reviewed_hash=reviewed).outcome.ok


def test_recall_and_resubmit_after_review_refuses_the_old_attempt(make_request):
    request_id, _token = make_request(requires_verification=False)
    visit = _visit(request_id)
    reviewed = _run(actions.on_live_link, visit, actions.mark_reviewed, _shown(visit))
    with session_scope() as s:
        sheet = s.get(AttendanceSheet, s.get(SigningRequest, request_id).sheet_id)
        submission.recall_sheet(s, sheet)
        submission.submit_sheet(s, sheet)
    signing = _run(actions.sign, visit, cursive_strokes(), "", certified=True, consented=True, channel="",
                   reviewed_hash=reviewed)
    assert signing.outcome.error == "parent.error.not_signable" and signing.view.status == LinkStatus.RECALLED
    assert "recalled this attendance" in signing.view.status_body


def test_a_refused_signature_reads_nothing_back(make_request):
    request_id, _token = make_request(requires_verification=False)
    signing = _run(actions.sign, _visit(request_id), cursive_strokes(), "", certified=False, consented=True, channel="",
                   reviewed_hash="")
    assert not signing.outcome.ok and signing.outcome.error and signing.view is None


def test_reporting_a_problem_returns_the_disputed_page(make_request):
    request_id, _token = make_request(requires_verification=False)
    visit = _visit(request_id)
    assert _run(actions.on_live_link, visit, actions.report_problem, "no") == "parent.review.problem_too_short"
    view = _run(actions.on_live_link, visit, actions.report_problem, "Wednesday he was here.")
    assert view.status == LinkStatus.DISPUTED and "Test Provider" in view.status_body
    assert "Wednesday" not in repr(view)  # the page shows the words from the form, not read back


def test_a_signed_link_gives_its_copy_after_a_fresh_code(make_request, database):
    request_id, token = make_request()
    visit = _visit(request_id, _verified_secret(request_id))
    reviewed = _run(actions.on_live_link, visit, actions.mark_reviewed, _shown(visit))
    assert _run(actions.sign, visit, cursive_strokes(), "", certified=True, consented=True, channel="sms",
                reviewed_hash=reviewed).outcome.ok
    stranger = _visit(request_id)  # the same link opened later on another phone
    opened = _run(actions.open_link, token, stranger, keep_locale=True)
    assert opened.view.status == LinkStatus.SIGNED and opened.view.signed.copy_needs_code
    assert _run(actions.signed_copy, stranger) is None
    sent = _run(actions.on_live_link, stranger, actions.send_code, "email", need_verified=False, allow_signed=True)
    assert sent.ok
    outbox.deliver_due()
    (code,) = CODE.findall(delivered(database.outbox, "verification_code")[-1]["text"])
    checked = _run(actions.on_live_link, stranger, actions.check_code, code, need_verified=False, allow_signed=True)
    assert checked.outcome.ok and checked.view.status == LinkStatus.SIGNED
    copy = _run(actions.signed_copy, _visit(request_id, checked.outcome.session_secret))
    assert copy is not None and copy.reference


def test_the_audit_trail_says_which_link_was_opened_never_the_token(make_request):
    request_id, token = make_request()
    _run(actions.open_link, token, _visit(), keep_locale=False)
    with session_scope() as s:
        (opened,) = s.exec(select(AuditEvent).where(AuditEvent.event == "link_opened")).all()
        row = s.exec(select(LinkToken).where(LinkToken.signing_request_id == request_id)).one()
    assert json.loads(opened.detail) == {"link_token": row.id} and token not in opened.detail


def test_signing_through_the_guard_reads_who_won_from_the_database(make_request):
    """The guard loads the request before the claim, in the same transaction: the outcome and the
    receipt still come from the database (a stale row would say "pending")."""
    request_id, _token = make_request()
    visit = _visit(request_id, _verified_secret(request_id))
    reviewed = _run(actions.on_live_link, visit, actions.mark_reviewed, _shown(visit))
    signing = _run(actions.on_live_link, visit, actions.sign_live, cursive_strokes(), "", certified=True,
                   consented=True, reviewed_hash=reviewed)
    assert signing.outcome.ok and signing.view.status == LinkStatus.SIGNED and signing.view.signed.can_download
    with session_scope() as s:
        assert s.get(SigningRequest, request_id).status == "signed"
        evidence = s.exec(select(Signature).where(Signature.signing_request_id == request_id)).one()
        assert evidence.verification_channel == "sms"
    # A second tab that still shows the pad: the guard now refuses (the link is signed).
    again = _run(actions.on_live_link, visit, actions.sign_live, cursive_strokes(), "", certified=True,
                 consented=True, reviewed_hash=reviewed)
    assert isinstance(again, LinkChanged) and again.view.status == LinkStatus.SIGNED


def test_a_right_code_comes_with_the_ticket_for_its_sessions_cookie(make_request, database):
    """The code check issues the HttpOnly cookie's ticket in its own transaction (no second one)."""
    request_id, _token = make_request()
    visit = _visit(request_id)
    assert _run(actions.on_live_link, visit, actions.send_code, "email", need_verified=False).ok
    outbox.deliver_due()
    (code,) = CODE.findall(delivered(database.outbox, "verification_code")[-1]["text"])
    wrong_code = str((int(code) + 1) % 10 ** len(code)).zfill(len(code))
    wrong = _run(actions.on_live_link, visit, actions.check_code, wrong_code, need_verified=False)
    assert not wrong.outcome.ok and wrong.cookie_ticket == ""
    checked = _run(actions.on_live_link, visit, actions.check_code, code, need_verified=False)
    assert checked.outcome.ok and checked.cookie_ticket
    grant = _run(cookie_tickets.redeem, checked.cookie_ticket)
    assert (grant.name, grant.value) == (cookie_tickets.PARENT_SESSION_COOKIE, checked.outcome.session_secret)
    assert grant.max_age_seconds == int(verification.SESSION_TTL.total_seconds())
    assert _run(cookie_tickets.redeem, checked.cookie_ticket) is None  # once
