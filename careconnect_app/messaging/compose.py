"""What we tell guardians and providers, rendered in their language and queued in the outbox.

This module decides *what* is sent to *whom*; `delivery` decides *how* (file, SMTP, SendGrid,
Twilio) and retries. Every message is written to the database before any attempt to send it.
"""

from __future__ import annotations

import html

from sqlmodel import Session

from careconnect_app.common.formatting import format_date, format_period
from careconnect_app.i18n import normalise_locale, t
from careconnect_app.messaging import wakeup
from careconnect_app.models import (
    Agency,
    AttendanceSheet,
    Child,
    Guardian,
    OutgoingMessage,
    Provider,
    SigningRequest,
)
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
) -> OutgoingMessage:
    """Write one message to the outbox table; the delivery worker sends it."""
    message = OutgoingMessage(
        channel=channel, to=to, kind=kind, locale=locale, subject=subject, text=text,
        html=html_body, guardian_id=guardian_id, signing_request_id=signing_request_id,
        sheet_id=sheet_id,
    )
    session.add(message)
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


def queue_ready_to_sign(
    session: Session,
    request: SigningRequest,
    url: str,
    *,
    kind: str = MessageKind.READY_TO_SIGN,
    channels: tuple[str, ...] | None = None,
) -> list[OutgoingMessage]:
    """Tell a guardian their child's attendance is ready to sign (also reminders and resends).

    `channels` forces the channels to use (a fallback after the other one failed); by default
    the guardian's own choices are used.
    """
    guardian = session.get(Guardian, request.guardian_id)
    sheet = session.get(AttendanceSheet, request.sheet_id)
    child = session.get(Child, sheet.child_id)
    provider = session.get(Provider, sheet.provider_id)
    agency = session.get(Agency, provider.agency_id)
    locale = normalise_locale(guardian.preferred_locale)
    prefix = "messages.reminder" if kind == MessageKind.REMINDER else "messages.ready"
    values = dict(
        guardian=guardian.first_name, child=child.first_name, child_full=child.full_name,
        provider=provider.name, agency=agency.name, period=format_period(sheet.period_start, sheet.period_end, locale),
        expires=format_date(request.expires_at, locale), url=url,
    )
    sent = []
    if channels is None:
        targets = guardian_channels(guardian)
    else:
        targets = [(c, a) for c, a in (("email", guardian.email), ("sms", guardian.phone)) if c in channels and a]
    for channel, to in targets:
        if channel == "email":
            subject = t(f"{prefix}.email.subject", locale, **values)
            paragraphs = [
                t("messages.ready.email.greeting", locale, **values),
                t(f"{prefix}.email.body", locale, **values),
            ]
            footer = [
                t("messages.ready.email.expires", locale, **values),
                t("messages.ready.email.problem", locale, **values),
                t("messages.ready.email.security", locale, **values),
            ]
            text = "\n\n".join(paragraphs + [f"{t('messages.ready.email.button', locale)}: {url}"] + footer)
            body = email_html(locale, heading=subject, paragraphs=paragraphs,
                              button=(t("messages.ready.email.button", locale), url), footer=footer)
            sent.append(queue(session, channel="email", to=to, kind=kind, locale=locale, subject=subject,
                              text=text, html_body=body, guardian_id=guardian.id,
                              signing_request_id=request.id, sheet_id=sheet.id))
        else:
            text = t(f"{prefix}.sms", locale, **values)
            sent.append(queue(session, channel="sms", to=to, kind=kind, locale=locale, text=text,
                              guardian_id=guardian.id, signing_request_id=request.id, sheet_id=sheet.id))
    return sent


def queue_verification_code(
    session: Session,
    request: SigningRequest,
    guardian: Guardian,
    channel: str,
    to: str,
    code: str,
    locale: str,
) -> OutgoingMessage:
    """The one-time code, to the contact of record on the chosen channel only."""
    locale = normalise_locale(locale)
    values = {"code": code, "minutes": 10}
    if channel == "email":
        subject = t("messages.code.email.subject", locale, **values)
        paragraphs = [t("messages.code.email.body", locale, **values), code,
                      t("messages.code.email.warning", locale, **values)]
        return queue(session, channel="email", to=to, kind=MessageKind.VERIFICATION_CODE, locale=locale,
                     subject=subject, text="\n\n".join(paragraphs),
                     html_body=email_html(locale, heading=subject, paragraphs=paragraphs),
                     guardian_id=guardian.id, signing_request_id=request.id, sheet_id=request.sheet_id)
    return queue(session, channel="sms", to=to, kind=MessageKind.VERIFICATION_CODE, locale=locale,
                 text=t("messages.code.sms", locale, **values), guardian_id=guardian.id,
                 signing_request_id=request.id, sheet_id=request.sheet_id)


def queue_problem_reported(session: Session, request: SigningRequest, problem: str) -> OutgoingMessage | None:
    """Tell the provider a parent says the attendance is wrong (with their words)."""
    sheet = session.get(AttendanceSheet, request.sheet_id)
    provider = session.get(Provider, sheet.provider_id)
    if not provider or not provider.email:
        return None
    guardian = session.get(Guardian, request.guardian_id)
    child = session.get(Child, sheet.child_id)
    locale = "en"
    values = dict(guardian=guardian.full_name, child=child.full_name, period=format_period(sheet.period_start, sheet.period_end, locale),
                  problem=problem)
    subject = t("messages.problem.subject", locale, **values)
    paragraphs = [t("messages.problem.body", locale, **values), f"“{problem}”",
                  t("messages.problem.next", locale, **values)]
    return queue(session, channel="email", to=provider.email, kind=MessageKind.PROBLEM_REPORTED, locale=locale,
                 subject=subject, text="\n\n".join(paragraphs),
                 html_body=email_html(locale, heading=subject, paragraphs=paragraphs),
                 signing_request_id=request.id, sheet_id=sheet.id)
