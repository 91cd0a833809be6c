"""What we tell guardians and providers, rendered in their language and queued in the outbox.

This module decides *what* is sent to *whom*; `outbox` decides *how* (file, SMTP, SendGrid,
Twilio) and retries. Every message is written to the database before any attempt to send it,
with `SECRET_SLOT` where its link token or code goes: the delivery worker makes the secret when
it sends the message (messaging.secret_slot), so no link or code is ever stored readable.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from sqlmodel import Session

from careconnect_app.common.family import Family
from careconnect_app.common.formatting import format_date, format_period
from careconnect_app.i18n import normalise_locale, t
from careconnect_app.messaging import wakeup
from careconnect_app.messaging.backends.base import SECRET_SLOT
from careconnect_app.models import (
    Agency,
    AttendanceSheet,
    Child,
    Guardian,
    OutgoingMessage,
    Provider,
    SigningRequest,
)
from careconnect_app.signing.links import not_me_url, signing_url, verify_url
from careconnect_app.statuses import Channel, MessageKind


def email_html(locale: str, *, heading: str, paragraphs: list[str], button: tuple[str, str] | None = None,
               footer: list[str] | None = None) -> str:
    """A small, accessible HTML email (inline styles: most mail clients drop <style>)."""
    esc = html.escape
    parts = [
        f'<!doctype html><html lang="{esc(locale)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width"><title>{esc(heading)}</title></head>'
        '<body style="margin:0;padding:24px;background:#f4f6fb;font-family:Arial,Helvetica,sans-serif;'
        'color:#13213c;font-size:16px;line-height:1.5">'
        '<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:12px;padding:24px">'
        f'<h1 style="font-size:22px;margin:0 0 16px">{esc(heading)}</h1>'
    ]
    parts += [f'<p style="margin:0 0 14px">{esc(p)}</p>' for p in paragraphs]
    if button:
        label, url = button
        parts.append(
            f'<p style="margin:24px 0"><a href="{esc(url, quote=True)}" style="background:#1d4ed8;color:#ffffff;'
            'padding:14px 22px;border-radius:8px;text-decoration:none;font-weight:bold;display:inline-block">'
            f"{esc(label)}</a></p>"
            f'<p style="font-size:13px;color:#475569;word-break:break-all">{esc(url)}</p>'
        )
    for line in footer or []:
        parts.append(f'<p style="font-size:13px;color:#475569;margin:0 0 8px">{esc(line)}</p>')
    parts.append("</div></body></html>")
    return "".join(parts)


def queue(
    session: Session,
    *,
    channel: str,
    to: str,
    kind: str,
    locale: str,
    text: str,
    subject: str = "",
    html_body: str = "",
    guardian_id: int | None = None,
    signing_request_id: int | None = None,
    sheet_id: int | None = None,
    attachments: list[dict] | None = None,
    flush: bool = True,
) -> OutgoingMessage:
    """Write one message to the outbox table; the delivery worker sends it.

    `attachments` says which files to attach (messaging/attachments.py renders them at send time).
    `flush=False`: the caller flushes (the message has no id until then), so that the messages it
    queues together are written in one INSERT.
    """
    message = OutgoingMessage(
        channel=channel, to=to, kind=kind, locale=locale, subject=subject, text=text,
        html=html_body, guardian_id=guardian_id, signing_request_id=signing_request_id,
        sheet_id=sheet_id, attachments=json.dumps(attachments) if attachments else "",
    )
    session.add(message)
    if flush:
        session.flush()
    wakeup.message_queued(session)  # the delivery workers wake when this transaction commits
    return message


def usable_contact(guardian: Guardian, channel: str) -> str:
    """The contact of record on that channel, or "" when it is missing or dead (bounce, STOP)."""
    if channel == Channel.EMAIL:
        return guardian.email if guardian.email and not guardian.email_undeliverable else ""
    return guardian.phone if guardian.phone and not guardian.sms_opted_out else ""


def guardian_channels(guardian: Guardian) -> list[tuple[str, str]]:
    """(channel, address) pairs to notify: the guardian's choices, minus dead contacts.

    Falls back to the other channel when the chosen one cannot be used (STOP, bounce).
    """
    usable = {c: usable_contact(guardian, c) for c in Channel}
    wanted = {Channel.EMAIL: guardian.notify_email, Channel.SMS: guardian.notify_sms}
    chosen = [(c, usable[c]) for c in Channel if wanted[c] and usable[c]]
    if not chosen:
        chosen = [(c, usable[c]) for c in Channel if usable[c]][:1]
    return chosen


@dataclass(frozen=True)
class _Family:
    """The rows a message about a signing request names, and the guardian's language."""

    guardian: Guardian
    sheet: AttendanceSheet
    child: Child
    provider: Provider
    agency: Agency
    locale: str

    @classmethod
    def of(cls, session: Session, request: SigningRequest, locale: str | None = None) -> _Family:
        rows = Family.of(session, request)
        return cls(rows.guardian, rows.sheet, rows.child, rows.provider, rows.agency,
                   normalise_locale(locale or rows.guardian.preferred_locale))

    def values(self, **more: object) -> dict:
        """The names and dates the message texts are filled with."""
        values = dict(guardian=self.guardian.first_name, guardian_full=self.guardian.full_name,
                      child=self.child.first_name, child_full=self.child.full_name, provider=self.provider.name,
                      agency=self.agency.name,
                      period=format_period(self.sheet.period_start, self.sheet.period_end, self.locale))
        return values | more


def _queue_email(session: Session, family: _Family, request: SigningRequest, *, to: str, kind: str, subject: str,
                 paragraphs: list[str], footer: list[str] | None = None,
                 button: tuple[str, str] | None = None, attachments: list[dict] | None = None,
                 flush: bool = True) -> OutgoingMessage:
    """One email to the guardian about this request (text and HTML from the same words)."""
    lines = paragraphs + ([f"{button[0]}: {button[1]}"] if button else []) + (footer or [])
    return queue(session, channel="email", to=to, kind=kind, locale=family.locale, subject=subject,
                 text="\n\n".join(lines),
                 html_body=email_html(family.locale, heading=subject, paragraphs=paragraphs, button=button,
                                      footer=footer),
                 guardian_id=family.guardian.id, signing_request_id=request.id, sheet_id=request.sheet_id,
                 attachments=attachments, flush=flush)


def _queue_sms(session: Session, family: _Family, request: SigningRequest, *, to: str, kind: str,
               text: str, flush: bool = True) -> OutgoingMessage:
    return queue(session, channel="sms", to=to, kind=kind, locale=family.locale, text=text,
                 guardian_id=family.guardian.id, signing_request_id=request.id, sheet_id=request.sheet_id, flush=flush)


def queue_ready_to_sign(
    session: Session,
    request: SigningRequest,
    *,
    kind: str = MessageKind.READY_TO_SIGN,
    channels: tuple[str, ...] | None = None,
) -> list[OutgoingMessage]:
    """Tell a guardian their child's attendance is ready to sign (also reminders and resends).

    Each message gets a link of its own when it is sent. `channels` forces the channels to use
    (a fallback after the other one failed); by default the guardian's own choices are used.
    """
    family = _Family.of(session, request)
    locale = family.locale
    prefix = "messages.reminder" if kind == MessageKind.REMINDER else "messages.ready"
    url = signing_url(SECRET_SLOT)
    values = family.values(expires=format_date(request.expires_at, locale), url=url)
    guardian = family.guardian
    if channels is None:
        targets = guardian_channels(guardian)
    else:
        targets = [(c, a) for c, a in ((Channel.EMAIL, guardian.email), (Channel.SMS, guardian.phone))
                   if c in channels and a]
    sent = []
    for channel, to in targets:
        if channel == Channel.EMAIL:
            sent.append(_queue_email(
                session, family, request, to=to, kind=kind, subject=t(f"{prefix}.email.subject", locale, **values),
                paragraphs=[t("messages.ready.email.greeting", locale, **values),
                            t(f"{prefix}.email.body", locale, **values)],
                button=(t("messages.ready.email.button", locale), url),
                footer=[t(f"messages.ready.email.{line}", locale, **values)
                        for line in ("expires", "problem", "security")]))
        else:
            sent.append(_queue_sms(session, family, request, to=to, kind=kind,
                                   text=t(f"{prefix}.sms", locale, **values)))
    return sent


def queue_verification_code(
    session: Session,
    request: SigningRequest,
    channel: str,
    to: str,
    locale: str,
) -> OutgoingMessage:
    """The one-time code, to the contact of record on the chosen channel only (made when sent)."""
    family = _Family.of(session, request, locale)
    values = {"code": SECRET_SLOT, "minutes": 10}
    if channel == Channel.EMAIL:
        return _queue_email(session, family, request, to=to, kind=MessageKind.VERIFICATION_CODE,
                            subject=t("messages.code.email.subject", family.locale, **values),
                            paragraphs=[t("messages.code.email.body", family.locale, **values), SECRET_SLOT,
                                        t("messages.code.email.warning", family.locale, **values)])
    return _queue_sms(session, family, request, to=to, kind=MessageKind.VERIFICATION_CODE,
                      text=t("messages.code.sms", family.locale, **values))


def queue_signed_notice(session: Session, request: SigningRequest, *, document_hash: str, locale: str,
                        signed_on: str, attachments: list[dict]) -> list[OutgoingMessage]:
    """After a signature: tell the guardian on every channel on file, in the signing language, with
    the reference, the document's fingerprint, the sealed copy (email) and a "this was not me" link.

    Every usable contact, whatever the guardian chose for links: someone who signed in their
    place must not be able to keep it from them by choosing a channel. Not flushed: the caller's
    next flush writes them together.
    """
    family = _Family.of(session, request, locale)
    locale = family.locale
    url = not_me_url(SECRET_SLOT)
    how = t("messages.signed.in_person" if request.in_person else "messages.signed.remote", locale,
            provider=family.provider.name)
    values = family.values(reference=request.reference, date=signed_on, how=how, url=url, hash=document_hash,
                           verify_url=verify_url())
    targets = [(channel, usable_contact(family.guardian, channel)) for channel in Channel]
    targets = [(channel, to) for channel, to in targets if to]
    emailed = any(channel == Channel.EMAIL for channel, _ in targets)
    sent = []
    for channel, to in targets:
        if channel == Channel.EMAIL:
            message = _queue_email(
                session, family, request, to=to, kind=MessageKind.SIGNED_NOTICE,
                subject=t("messages.signed.email.subject", locale, **values),
                paragraphs=[t(f"messages.{key}", locale, **values) for key in (
                    "ready.email.greeting", "signed.email.body", "signed.reference", "signed.hash",
                    "signed.email.attached", "signed.email.not_me")],
                button=(t("messages.signed.email.button", locale), url),
                footer=[t("messages.ready.email.security", locale, **values)], attachments=attachments, flush=False)
        else:
            copy = t("messages.signed.copy_emailed.sms" if emailed else "messages.signed.copy_link.sms", locale)
            message = _queue_sms(session, family, request, to=to, kind=MessageKind.SIGNED_NOTICE,
                                 text=t("messages.signed.sms", locale, copy=copy, **values), flush=False)
        sent.append(message)
    return sent


def queue_problem_reported(session: Session, request: SigningRequest, problem: str) -> OutgoingMessage | None:
    """Tell the provider a parent says the attendance is wrong (with their words)."""
    family = _Family.of(session, request, "en")
    if not family.provider.email:
        return None
    values = family.values(guardian=family.guardian.full_name, child=family.child.full_name, problem=problem)
    subject = t("messages.problem.subject", "en", **values)
    paragraphs = [t("messages.problem.body", "en", **values), f"“{problem}”", t("messages.problem.next", "en", **values)]
    return queue(session, channel="email", to=family.provider.email, kind=MessageKind.PROBLEM_REPORTED, locale="en",
                 subject=subject, text="\n\n".join(paragraphs),
                 html_body=email_html("en", heading=subject, paragraphs=paragraphs),
                 signing_request_id=request.id, sheet_id=request.sheet_id)


def queue_signature_disputed(session: Session, request: SigningRequest, text: str) -> list[OutgoingMessage]:
    """Tell the provider and the agency that the guardian says the signature was not theirs."""
    family = _Family.of(session, request, "en")
    how = t("messages.signed.in_person" if request.in_person else "messages.signed.remote", "en",
            provider=family.provider.name)
    values = family.values(guardian=family.guardian.full_name, child=family.child.full_name,
                           reference=request.reference, date=format_date(request.signed_at, "en"), how=how)
    subject = t("messages.disputed.subject", "en", **values)
    paragraphs = [t("messages.disputed.body", "en", **values)] + ([f"“{text}”"] if text else []) + [
        t("messages.disputed.next", "en", **values)]
    recipients = dict.fromkeys(a for a in (family.provider.email, family.agency.contact_email) if a)
    return [queue(session, channel="email", to=to, kind=MessageKind.SIGNATURE_DISPUTED, locale="en",
                  subject=subject, text="\n\n".join(paragraphs),
                  html_body=email_html("en", heading=subject, paragraphs=paragraphs),
                  signing_request_id=request.id, sheet_id=request.sheet_id)
            for to in recipients]


def queue_staff_invite(session: Session, *, email: str, name: str, inviter: str, scope: str, url: str,
                       expires, locale: str) -> OutgoingMessage:
    """A new portal login's one-time link to set a password (email only)."""
    locale = normalise_locale(locale)
    values = dict(name=name, inviter=inviter, scope=scope, expires=format_date(expires, locale))
    subject = t("messages.staff_invite.subject", locale, **values)
    paragraphs = [t("messages.staff_invite.body", locale, **values)]
    footer = [t("messages.staff_invite.expires", locale, **values), t("messages.staff_invite.ignore", locale)]
    button = t("messages.staff_invite.button", locale)
    text = "\n\n".join(paragraphs + [f"{button}: {url}"] + footer)
    return queue(session, channel="email", to=email, kind=MessageKind.STAFF_INVITE, locale=locale, subject=subject,
                 text=text, html_body=email_html(locale, heading=subject, paragraphs=paragraphs, button=(button, url),
                                                 footer=footer))
