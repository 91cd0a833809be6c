"""Email over SMTP (smtplib): STARTTLS, implicit TLS or plain, with login; and its configuration checks.

The message goes as text and HTML (multipart/alternative) and carries our message id in the
X-CareConnect-Message-Id header, so a bounce can be matched to it.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from careconnect_app.config import Settings
from careconnect_app.messaging.backends.base import Attachment, SendError
from careconnect_app.models import OutgoingMessage

SMTP_SECURITY = ("starttls", "tls", "none")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def build_mime(message: OutgoingMessage, settings: Settings, attachments: Sequence[Attachment] = ()) -> EmailMessage:
    mime = EmailMessage()
    mime["From"] = formataddr((settings.email_from_name, settings.email_from))
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Message-ID"] = make_msgid(idstring=f"cc{message.id}", domain=settings.email_from.split("@")[-1])
    mime["X-CareConnect-Message-Id"] = str(message.id)
    mime.set_content(message.text)  # text first: clients show the last part they understand
    if message.html:
        mime.add_alternative(message.html, subtype="html")
    for attachment in attachments:  # the body becomes the first part of a multipart/mixed
        maintype, _, subtype = attachment.content_type.partition("/")
        mime.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return mime


class SmtpEmail:
    name = "smtp"

    def __init__(self, settings: Settings):
        self.settings = settings

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_security == "tls":
            smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.send_timeout_seconds,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.send_timeout_seconds)
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.smtp_username:
            smtp.login(s.smtp_username, s.smtp_password)
        return smtp

    def send(self, message: OutgoingMessage, attachments: Sequence[Attachment] = ()) -> str:
        mime = build_mime(message, self.settings, attachments)
        sending = False
        try:
            with self._connect() as smtp:
                sending = True
                smtp.send_message(mime)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _smtp_error("recipient refused", code, text, contact="invalid") from exc
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused, auth ...
            raise _smtp_error(type(exc).__name__, exc.smtp_code, exc.smtp_error) from exc
        except (smtplib.SMTPException, OSError) as exc:  # disconnects, timeouts, TLS: the network
            # Cut off during the transaction: the server may have queued the mail already.
            raise SendError(f"SMTP unreachable: {type(exc).__name__}: {exc}", ambiguous=sending) from exc
        return mime["Message-ID"]


def _smtp_error(what: str, code: int, text: bytes | str, contact: str = "") -> SendError:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    permanent = 500 <= code < 600  # 4xx is the server's "try again later"
    return SendError(f"SMTP {code} {what}: {text}"[:500], permanent=permanent,
                     contact=contact if permanent else "")


def sender_problems(settings: Settings) -> list[str]:
    """The From address every real email backend needs."""
    if _EMAIL.match(settings.email_from):
        return []
    return [f"CARECONNECT_EMAIL_FROM {settings.email_from!r} is not an email address."]


def configuration_problems(settings: Settings) -> list[str]:
    if settings.email_backend != "smtp":
        return []
    problems = sender_problems(settings)
    if not settings.smtp_host:
        problems.append("SMTP_HOST must be set.")
    if not 0 < settings.smtp_port < 65536:
        problems.append(f"SMTP_PORT {settings.smtp_port} is not a port number.")
    if settings.smtp_security not in SMTP_SECURITY:
        problems.append(f"SMTP_SECURITY={settings.smtp_security!r} is unknown; use starttls, tls or none.")
    if bool(settings.smtp_username) != bool(settings.smtp_password):
        problems.append("Set both SMTP_USERNAME and SMTP_PASSWORD, or neither.")
    if settings.is_prod and settings.smtp_security == "none" and settings.smtp_username:
        problems.append("SMTP_SECURITY=none would send the SMTP password in clear; use starttls or tls.")
    return problems


