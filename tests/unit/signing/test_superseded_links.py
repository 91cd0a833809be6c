"""A link replaced by a resend says "replaced", never "another guardian signed" (regression).

Before the statuses were one enum, `resend_link` marked the old request "superseded" and
`links.status_of` read "superseded" as "signed by another guardian": a parent who opened an
old link after a resend was told someone else had signed.
"""

from __future__ import annotations

from datetime import timedelta

from careconnect_app.clock import utcnow
from careconnect_app.db import session_scope
from careconnect_app.models import SigningRequest
from careconnect_app.portal import resend
from careconnect_app.signing import links, parent_steps
from careconnect_app.statuses import LinkStatus, RequestStatus
from tests.fakes.data import cursive_strokes, review


def _expire_and_resend(request_id: int) -> int:
    """The provider resends a link that expired: a fresh request replaces the old one."""
    with session_scope() as s:
        old = s.get(SigningRequest, request_id)
        old.expires_at = utcnow() - timedelta(days=1)
        old.last_notified_at = utcnow() - timedelta(days=2)
        s.add(old)
    with session_scope() as s:
        assert resend.resend_link(s, s.get(SigningRequest, request_id))
        return s.exec(SigningRequest.__table__.select().where(SigningRequest.id != request_id)).first().id


def test_old_link_after_a_resend_says_replaced(make_request):
    request_id, token = make_request()
    new_id = _expire_and_resend(request_id)
    with session_scope() as s:
        assert s.get(SigningRequest, request_id).status == RequestStatus.SUPERSEDED
        assert links.check(s, token).status == LinkStatus.SUPERSEDED
        assert links.status_of(s.get(SigningRequest, new_id)) == LinkStatus.OK


def test_other_guardians_link_says_another_guardian_signed(make_request):
    (first_id, _first_token), (_second_id, second_token) = make_request(guardians=2, requires_verification=False)
    with session_scope() as s:
        reviewed = review(s, first_id)
    with session_scope() as s:
        outcome = parent_steps.sign(s, first_id, strokes=cursive_strokes(), certified=True, consented=True,
                                    reviewed_hash=reviewed, ip="203.0.113.7", user_agent="pytest", locale="en",
                                    verification_channel="")
        assert outcome.ok
    with session_scope() as s:
        assert links.check(s, second_token).status == LinkStatus.SIGNED_BY_OTHER
        assert links.find(s, second_token).status == RequestStatus.CLOSED
