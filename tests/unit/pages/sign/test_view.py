"""What the parent's page receives for a link: before the code only the landing; for a link that
cannot be signed only its status; the attendance only for a verified browser."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import SigningRequest
from careconnect_app.pages.sign.state import SignState
from careconnect_app.pages.sign.view import LandingView, ReviewView, SignedView, read_view
from careconnect_app.signing import links, verification
from careconnect_app.statuses import LinkStatus, RequestStatus

# Things the review shows that must not reach a browser before its code: days, times, absence
# reasons, totals, full names of the child and the guardian.
PRIVATE = ("García", "Sick", "8:00", "12:30", "Absent", "4:15", "Ana")


def _view(request_id: int, secret: str = "", locale: str = "en"):
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        return read_view(s, request, links.status_of(request), locale, secret)


def _verified(request_id: int) -> str:
    with session_scope() as s:
        return verification.start_session(s, s.get(SigningRequest, request_id), "sms")


def test_before_the_code_only_the_landing(make_request):
    request_id, _ = make_request()
    view = _view(request_id)
    assert view.status == LinkStatus.OK
    landing = view.landing
    assert (landing.agency_name, landing.provider_name, landing.child_name) == ("Test Agency", "Test Provider",
                                                                               "Mateo G.")
    assert landing.period_label and landing.channels
    assert view.review == ReviewView() and view.signed == SignedView()
    assert not [word for word in PRIVATE if word in repr(view)]


def test_a_verified_browser_gets_the_attendance(make_request):
    request_id, _ = make_request()
    view = _view(request_id, _verified(request_id))
    # Every day of the week, as the signed copy lists them (three with a record).
    assert view.review.review_child.startswith("Mateo García") and len(view.review.days) == 7
    assert view.review.total_hours and "Ana García" in view.review.signing_as


def test_where_no_code_is_required_the_link_is_the_key(make_request):
    request_id, _ = make_request(requires_verification=False)
    assert len(_view(request_id).review.days) == 7


@pytest.mark.parametrize("change", ["expired", RequestStatus.RECALLED, RequestStatus.SUPERSEDED,
                                    RequestStatus.DISPUTED, RequestStatus.CLOSED])
def test_a_link_that_cannot_be_signed_shows_only_its_status(make_request, change):
    request_id, _ = make_request()
    secret = _verified(request_id)  # even a browser that verified before
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        if change == "expired":
            request.expires_at = utcnow() - timedelta(minutes=1)
        else:
            request.status = change
    view = _view(request_id, secret)
    assert view.status != LinkStatus.OK and view.status_body
    # Only the provider's business phone, to call about it (issue 11: no dead ends).
    call = LandingView(provider_phone="(555) 555-0100", provider_phone_href="tel:+15555550100",
                       call_label="Call Test Provider: (555)\u00a0555-0100")
    assert view.landing == call and view.review == ReviewView() and view.signed == SignedView()
    assert not [word for word in PRIVATE if word in repr(view)]


def test_a_signed_link_shows_the_signed_status_and_its_copy_needs_a_code(make_request):
    request_id, _ = make_request()
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        request.status, request.signed_at, request.reference = RequestStatus.SIGNED, utcnow(), "CC-TEST-0001"
    stranger = _view(request_id)
    assert stranger.status == LinkStatus.SIGNED and stranger.signed.signed_label
    assert stranger.signed.copy_needs_code and not stranger.signed.can_download
    assert "CC-TEST-0001" not in repr(stranger) and stranger.review == ReviewView()
    verified = _view(request_id, _verified(request_id))
    assert verified.signed.can_download and verified.signed.reference == "CC-TEST-0001"
    assert verified.review == ReviewView()  # the copy is a PDF download, not state


def test_every_field_of_a_view_is_a_state_var_and_its_hash_stays_on_the_server():
    """The views declare the wizard's vars (state_tools.vars_filled_by): `_show` copies each field by
    name, so a field without its var would fail there, and the shown hash must not reach a browser."""
    sent_to_browser = SignState.base_vars
    for part in (LandingView(), ReviewView(), SignedView()):
        for field in dataclasses.fields(part):
            if field.name.startswith("_"):
                assert field.name not in sent_to_browser
                assert SignState.get_fields()[field.name].default == getattr(part, field.name)
            else:
                assert field.name in sent_to_browser, field.name
                assert sent_to_browser[field.name]._var_type == SignState.get_fields()[field.name].annotated_type
                assert SignState.get_fields()[field.name].default_value() == getattr(part, field.name), field.name
    state = SignState(_reflex_internal_init=True)
    state._shown_hash = "a" * 64
    assert "_shown_hash" not in state.dict()[state.get_full_name()]
    assert "a" * 64 not in str(state.dict())
