"""After a signature: the guardian's receipt and the staff's certificates are queued with it, and the done
screen says exactly that."""

from __future__ import annotations

import json

from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.messaging import signed_notices
from careconnect_app.models import Agency, AuditEvent, OutgoingMessage, Provider, SigningRequest
from careconnect_app.signing import parent_steps
from careconnect_app.statuses import MessageKind
from tests.fakes.data import cursive_strokes, review


def _sign(request_id: int, locale: str = "en") -> str:
    with session_scope() as s:
        reviewed = review(s, request_id, locale)
    with session_scope() as s:
        outcome = parent_steps.sign(s, request_id, strokes=cursive_strokes(), certified=True, consented=True,
                                    reviewed_hash=reviewed, ip="198.51.100.7", user_agent="pytest", locale=locale,
                                    verification_channel="")
    assert outcome.ok
    return outcome.reference


def _agency_email(request_id: int, address: str) -> None:
    with session_scope() as s:
        request = s.get(SigningRequest, request_id)
        provider = s.exec(select(Provider)).first()
        s.get(Agency, provider.agency_id).contact_email = address
        assert request is not None


def _after_signing(request_id: int) -> list[OutgoingMessage]:
    with session_scope() as s:
        return s.exec(select(OutgoingMessage).where(OutgoingMessage.signing_request_id == request_id,
                                                    OutgoingMessage.kind.in_(("signed_notice",
                                                                              "completion_certificate")))
                      .order_by(OutgoingMessage.id)).all()


def test_receipt_and_certificates_are_queued_with_the_signature(make_request):
    request_id, _ = make_request(requires_verification=False, locale="es")
    _agency_email(request_id, "audits@agency.example")
    reference = _sign(request_id, "es")
    messages = _after_signing(request_id)
    by = {(m.kind, m.channel, m.to): m for m in messages}
    email = by[(MessageKind.SIGNED_NOTICE, "email", "ana@example.com")]
    sms = by[(MessageKind.SIGNED_NOTICE, "sms", "+15555550123")]
    provider = by[(MessageKind.COMPLETION_CERTIFICATE, "email", "provider@example.com")]
    agency = by[(MessageKind.COMPLETION_CERTIFICATE, "email", "audits@agency.example")]
    assert len(messages) == 4
    # The guardian reads it in the language they signed in, with the reference and the hash.
    assert email.locale == sms.locale == "es" and reference in email.text and reference in sms.text
    with session_scope() as s:
        document_hash = s.exec(select(AuditEvent.detail).where(AuditEvent.event == "signed")).one()
    assert json.loads(document_hash)["document_hash"] in email.text
    assert "Su copia en PDF se envio por correo." in sms.text and "/sign/" not in sms.text + email.text
    assert "/not-me/" in sms.text and "/not-me/" in email.text  # the single-purpose link, made at send time
    assert json.loads(email.attachments) == [{"kind": "signed_copy", "sheet_id": email.sheet_id}]
    assert sms.attachments == ""
    for staff in (provider, agency):
        assert json.loads(staff.attachments) == [{"kind": "certificate", "sheet_id": staff.sheet_id, "locale": "en"}]
        assert reference in staff.subject
    with session_scope() as s:
        queued = s.exec(select(AuditEvent).where(AuditEvent.event == "copies_queued")).one()
        assert json.loads(queued.detail) == {"channels": ["email", "sms"], "recipients": ["provider", "agency"]}
        sent = signed_notices.what_was_sent(s, s.get(SigningRequest, request_id))
    assert (sent.copy_to, sent.text_to, sent.provider, sent.agency) == (
        ["a***@example.com"], ["(***) ***-0123"], True, True)


def test_a_text_only_guardian_is_told_how_to_get_the_copy(make_request):
    request_id, _ = make_request(requires_verification=False, email="")
    _sign(request_id)
    (sms, certificate) = _after_signing(request_id)
    assert sms.channel == "sms" and "For a PDF copy, open your link again." in sms.text
    assert certificate.to == "provider@example.com"  # the agency has no contact email: nothing to it
    with session_scope() as s:
        sent = signed_notices.what_was_sent(s, s.get(SigningRequest, request_id))
    assert (sent.copy_to, sent.provider, sent.agency) == ([], True, False)
