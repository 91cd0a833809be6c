"""The wizard's database steps as plain functions: what each handler gets back from its worker thread."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.models import Signature, SigningRequest
from careconnect_app.pages.sign import actions
from careconnect_app.pages.sign.actions import LinkChanged, NotVerified, Visit
from careconnect_app.signing import verification
from careconnect_app.statuses import LinkStatus, RequestStatus
from tests.fakes.data import cursive_strokes

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
    assert opened.view.family is None and opened.view.signed is None


def test_opening_takes_the_guardians_language_and_starts_at_landing(make_request):
    request_id, token = make_request(locale="es")
    opened = _run(actions.open_link, token, _visit(), keep_locale=False)
    assert (opened.request_id, opened.locale, opened.resume.step) == (request_id, "es", "landing")
    family = opened.view.family
    assert family.child_name == "Mateo García" and family.requires_verification
    assert [c["value"] for c in family.channels] == ["email", "sms"]
    assert [d["absent"] for d in family.days] == ["", "1", ""] and family.days_absent == "1"
    kept = _run(actions.open_link, token, _visit(locale="en"), keep_locale=True)
    assert kept.locale == "en"


def test_steps_are_refused_on_a_dead_link_or_without_verification(make_request):
    request_id, _token = make_request()
    assert _run(actions.on_live_link, _visit(request_id), actions.mark_reviewed) == NotVerified(True)
    refused = _run(actions.on_live_link, _visit(0), actions.start, need_verified=False)
    assert isinstance(refused, LinkChanged) and refused.view.status == LinkStatus.UNKNOWN
    with session_scope() as s:
        s.get(SigningRequest, request_id).status = RequestStatus.SUPERSEDED
    refused = _run(actions.on_live_link, _visit(request_id), actions.start, need_verified=False)
    assert isinstance(refused, LinkChanged) and refused.view.status == LinkStatus.SUPERSEDED
    assert "newer link" in refused.view.status_body and refused.view.family is not None


def test_verified_parent_resumes_signs_once_and_gets_a_copy(make_request):
    request_id, token = make_request()
    visit = _visit(request_id, _verified_secret(request_id))
    assert _run(actions.on_live_link, visit, actions.start, need_verified=False) is True
    assert _run(actions.open_link, token, visit, keep_locale=True).resume.step == "review"
    _run(actions.on_live_link, visit, actions.mark_reviewed)
    assert _run(actions.open_link, token, visit, keep_locale=True).resume.step == "sign"
    assert _run(actions.on_live_link, visit, actions.signing_channel) == "sms"

    signing = _run(actions.sign, visit, cursive_strokes(), certified=True, consented=True, channel="sms")
    assert signing.outcome.ok and signing.view.status == LinkStatus.SIGNED
    assert signing.view.signed.reference == signing.outcome.reference and signing.view.signed.can_download
    again = _run(actions.sign, visit, cursive_strokes(), certified=True, consented=True, channel="sms")
    assert again.outcome.already_signed and again.view.signed.reference == signing.outcome.reference

    copy = _run(actions.signed_copy, visit)
    assert copy.reference == signing.outcome.reference and copy.document["child"]["name"] == "Mateo García"
    assert _run(actions.signed_copy, _visit(request_id, "someone-else")) is None


def test_a_refused_signature_reads_nothing_back(make_request):
    request_id, _token = make_request(requires_verification=False)
    signing = _run(actions.sign, _visit(request_id), cursive_strokes(), certified=False, consented=True, channel="")
    assert not signing.outcome.ok and signing.outcome.error and signing.view is None


def test_reporting_a_problem_returns_the_disputed_page(make_request):
    request_id, _token = make_request(requires_verification=False)
    visit = _visit(request_id)
    assert _run(actions.on_live_link, visit, actions.report_problem, "no") == "parent.review.problem_too_short"
    view = _run(actions.on_live_link, visit, actions.report_problem, "Wednesday he was here.")
    assert view.status == LinkStatus.DISPUTED and view.family.dispute_text == "Wednesday he was here."


def test_signing_through_the_guard_reads_who_won_from_the_database(make_request):
    """The guard loads the request before the claim, in the same transaction: the outcome and the
    receipt still come from the database (a stale row would say "pending")."""
    request_id, _token = make_request()
    visit = _visit(request_id, _verified_secret(request_id))
    signing = _run(actions.on_live_link, visit, actions.sign_live, cursive_strokes(), certified=True,
                   consented=True)
    assert signing.outcome.ok and signing.view.status == LinkStatus.SIGNED and signing.view.signed.can_download
    with session_scope() as s:
        assert s.get(SigningRequest, request_id).status == "signed"
        evidence = s.exec(select(Signature).where(Signature.signing_request_id == request_id)).one()
        assert evidence.verification_channel == "sms"
    # A second tab that still shows the pad: the guard now refuses (the link is signed).
    again = _run(actions.on_live_link, visit, actions.sign_live, cursive_strokes(), certified=True,
                 consented=True)
    assert isinstance(again, LinkChanged) and again.view.status == LinkStatus.SIGNED
