"""What we tell portal users about their account, and guardians about a change of their contact.

Written with `compose.queue` like every message (the outbox sends it); the words are in
translations/<locale>/messages.json under "account." and "contact_change.".
"""

from __future__ import annotations

from sqlmodel import Session

from careconnect_app.clock import utcnow
from careconnect_app.common.formatting import format_utc_datetime
from careconnect_app.common.masking import mask_contact
from careconnect_app.i18n import normalise_locale, t
from careconnect_app.messaging import compose
from careconnect_app.models import Agency, Guardian, OutgoingMessage, PortalUser, Provider
from careconnect_app.statuses import Channel, MessageKind


def _email(session: Session, to: str, kind: str, locale: str, prefix: str, values: dict,
           button: tuple[str, str] | None = None, **links: int | None) -> OutgoingMessage:
    subject = t(f"messages.{prefix}.subject", locale, **values)
    paragraphs = [t(f"messages.{prefix}.body", locale, **values), t(f"messages.{prefix}.next", locale, **values)]
    text = "\n\n".join(paragraphs[:1] + ([f"{button[0]}: {button[1]}"] if button else []) + paragraphs[1:])
    return compose.queue(session, channel=Channel.EMAIL, to=to, kind=kind, locale=locale, subject=subject,
                         text=text, html_body=compose.email_html(locale, heading=subject, paragraphs=paragraphs,
                                                                 button=button),
                         **links)


def queue_password_reset(session: Session, user: PortalUser, url: str, locale: str) -> OutgoingMessage:
    """The one-time "choose a new password" link (30 minutes)."""
    locale = normalise_locale(locale)
    return _email(session, user.email, MessageKind.PASSWORD_RESET, locale, "account.reset",
                  {"email": user.email, "minutes": 30}, (t("messages.account.reset.button", locale), url))


def queue_security_notice(session: Session, user: PortalUser, what: str, locale: str) -> OutgoingMessage:
    """Tell the user their password changed or two-step sign-in was turned on (`what`: "password" or "two_factor")."""
    locale = normalise_locale(locale)
    values = {"email": user.email, "when": format_utc_datetime(utcnow(), locale)}
    return _email(session, user.email, MessageKind.ACCOUNT_SECURITY, locale, f"account.{what}", values)


def queue_contact_changed(session: Session, guardian: Guardian, channel: str, old: str, new: str, *,
                          pending: bool) -> OutgoingMessage | None:
    """Tell the guardian's OLD contact that it was replaced (the new one masked); None when nothing to send to."""
    if not old or (channel == Channel.SMS and guardian.sms_opted_out):
        return None
    locale = normalise_locale(guardian.preferred_locale)
    provider = session.get(Provider, guardian.provider_id)
    agency = session.get(Agency, provider.agency_id)
    values = {"guardian": guardian.first_name, "provider": provider.name, "agency": agency.name,
              "agency_phone": agency.contact_phone or agency.contact_email,
              "what": t("messages.contact_change.what." + ("email" if channel == Channel.EMAIL else "phone"), locale),
              "new": mask_contact(channel, new) if new else t("messages.contact_change.removed", locale),
              "pending": t("messages.contact_change.pending", locale) if pending else ""}
    if channel == Channel.EMAIL:
        return _email(session, old, MessageKind.CONTACT_CHANGED, locale, "contact_change", values,
                      guardian_id=guardian.id)
    # SMS words without accents (GSM-7, one segment's worth).
    values |= {"what": t("messages.contact_change.sms_what", locale),
               "pending": t("messages.contact_change.sms_pending", locale) if pending else ""}
    return compose.queue(session, channel=Channel.SMS, to=old, kind=MessageKind.CONTACT_CHANGED, locale=locale,
                         text=t("messages.contact_change.sms", locale, **values), guardian_id=guardian.id)
