"""What is sent once a sheet is signed: the guardian's notice, the provider's and the agency's certificate.

Queued in the signing transaction (the outbox sends them, with retries), so a signature is never
kept without its notices nor the other way round. The guardian's notice goes to every contact on
file (whatever they chose for links): it is their alert that a signature was made in their name,
with a single-purpose "this was not me" link made at send time; the email carries the sealed
signed copy, the text message the reference and the document hash. The done screen says exactly
what was queued (`what_was_sent`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from careconnect_app.clock import as_utc, utcnow
from careconnect_app.common import audit
from careconnect_app.common.family import Family
from careconnect_app.common.formatting import format_date, format_period, format_phone, zone
from careconnect_app.common.masking import mask_contact
from careconnect_app.config import get_settings
from careconnect_app.i18n import normalise_locale, t
from careconnect_app.messaging import attachments, compose
from careconnect_app.models import OutgoingMessage, SigningRequest
from careconnect_app.routes import VERIFY
from careconnect_app.statuses import Actor, Channel, MessageKind

STAFF_LOCALE = "en"  # provider and agency staff read the portal's default language


class _Facts(Family):
    """The request's rows, and the values the notices are worded with."""

    def values(self, locale: str, reference: str, document_hash: str) -> dict[str, str]:
        signed_on = as_utc(self.request.signed_at or utcnow()).astimezone(zone(self.agency.timezone))
        phone = format_phone(self.agency.contact_phone)
        return dict(
            guardian=self.guardian.first_name, guardian_full=self.guardian.full_name, child=self.child.first_name,
            child_full=self.child.full_name, provider=self.provider.name, agency=self.agency.name,
            agency_phone=f" ({phone})" if phone else "", reference=reference, hash=document_hash,
            period=format_period(self.sheet.period_start, self.sheet.period_end, locale),
            date=format_date(signed_on, locale), verify_url=get_settings().base_url + VERIFY,
        )


def queue_after_signing(session: Session, request: SigningRequest, *, reference: str, document_hash: str,
                        locale: str, audit_after: str | None = None) -> list[OutgoingMessage]:
    """Queue the guardian's receipt (in the signing language) and the staff's certificates; audit what went where.

    `audit_after`: the sheet's newest audit event, when the caller holds its chain (`audit.record`'s `after`)."""
    # Not flushed one by one: the audit event's flush writes them all in one INSERT.
    facts = _Facts.of(session, request)
    queued = _guardian_notice(session, facts, normalise_locale(locale), reference, document_hash)
    values = facts.values(STAFF_LOCALE, reference, document_hash)
    recipients = []
    for role, address in (("provider", facts.provider.email), ("agency", facts.agency.contact_email)):
        if address:
            queued.append(_certificate(session, facts, address, values))
            recipients.append(role)
    audit.record(session, "copies_queued", actor=Actor.SYSTEM, sheet_id=facts.sheet.id, signing_request_id=request.id,
                 detail={"channels": [m.channel for m in queued if m.kind == MessageKind.SIGNED_NOTICE],
                         "recipients": recipients}, after=audit_after)
    return queued


def _guardian_notice(session: Session, facts: _Facts, locale: str, reference: str,
                     document_hash: str) -> list[OutgoingMessage]:
    """The guardian's notice on every contact on file, the sealed copy attached to the email."""
    values = facts.values(locale, reference, document_hash)
    return compose.queue_signed_notice(session, facts.request, document_hash=document_hash, locale=locale,
                                       signed_on=values["date"], attachments=[attachments.signed_copy(facts.sheet.id)])


def _certificate(session: Session, facts: _Facts, to: str, values: dict[str, str]) -> OutgoingMessage:
    subject = t("messages.certificate.email.subject", STAFF_LOCALE, **values)
    paragraphs = [t(f"messages.{key}", STAFF_LOCALE, **values)
                  for key in ("certificate.email.body", "signed.reference", "signed.hash", "certificate.email.verify")]
    return compose.queue(
        session, channel=Channel.EMAIL, to=to, kind=MessageKind.COMPLETION_CERTIFICATE, locale=STAFF_LOCALE,
        subject=subject, text="\n\n".join(paragraphs),
        html_body=compose.email_html(STAFF_LOCALE, heading=subject, paragraphs=paragraphs),
        signing_request_id=facts.request.id, sheet_id=facts.sheet.id,
        attachments=[attachments.certificate(facts.sheet.id, STAFF_LOCALE)], flush=False)


# --- what the done screen says -----------------------------------------------------------------------


@dataclass
class WhatWasSent:
    """The notices queued for a signature, as the parent's done screen reports them."""

    copy_to: list[str] = field(default_factory=list)  # masked email addresses that get the PDF
    text_to: list[str] = field(default_factory=list)  # masked phone numbers that get the reference
    provider: bool = False
    agency: bool = False


def what_was_sent(session: Session, request: SigningRequest) -> WhatWasSent:
    # The three columns the screen needs, not whole messages (their bodies and HTML): signing reads this back.
    rows = session.exec(select(OutgoingMessage.kind, OutgoingMessage.channel, OutgoingMessage.to).where(
        OutgoingMessage.signing_request_id == request.id,
        OutgoingMessage.kind.in_((MessageKind.SIGNED_NOTICE, MessageKind.COMPLETION_CERTIFICATE)),  # type: ignore[attr-defined]
        OutgoingMessage.fallback_for_id.is_(None)))  # type: ignore[union-attr]
    sent = WhatWasSent()
    facts = _Facts.of(session, request)
    for m in rows:
        if m.kind == MessageKind.SIGNED_NOTICE:
            (sent.copy_to if m.channel == Channel.EMAIL else sent.text_to).append(mask_contact(m.channel, m.to))
        elif m.to == facts.provider.email:
            sent.provider = True
        else:
            sent.agency = True
    return sent
