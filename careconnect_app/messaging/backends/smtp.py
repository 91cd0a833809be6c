"""Email: SMTP (smtplib) and SendGrid v3 (official SDK) backends, and their configuration checks.

Both send the same content as text and HTML (multipart/alternative) and carry our message id
(X-CareConnect-Message-Id header, SendGrid custom_args) so delivery receipts can be matched.
"""

from __future__ import annotations

import json
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.error import URLError

from careconnect_app.config import Settings
from careconnect_app.models import OutgoingMessage
from careconnect_app.messaging.outbox import SendError

MESSAGE_ID_ARG = "careconnect_message_id"  # SendGrid custom_args key, echoed in every event
SMTP_SECURITY = ("starttls", "tls", "none")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def build_mime(message: OutgoingMessage, settings: Settings) -> EmailMessage:
    mime = EmailMessage()
    mime["From"] = formataddr((settings.email_from_name, settings.email_from))
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Message-ID"] = make_msgid(idstring=f"cc{message.id}", domain=settings.email_from.split("@")[-1])
    mime["X-CareConnect-Message-Id"] = str(message.id)
    mime.set_content(message.text)  # text first: clients show the last part they understand
    if message.html:
        mime.add_alternative(message.html, subtype="html")
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

    def send(self, message: OutgoingMessage) -> str:
        mime = build_mime(message, self.settings)
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


class SendGridEmail:
    name = "sendgrid"

    def __init__(self, settings: Settings):
        from sendgrid import SendGridAPIClient

        self.settings = settings
        self.client = SendGridAPIClient(settings.sendgrid_api_key, host=settings.sendgrid_api_host.rstrip("/"))
        self.client.client.timeout = settings.send_timeout_seconds  # copied to every sub-client

    def payload(self, message: OutgoingMessage) -> dict:
        from sendgrid.helpers.mail import CustomArg, From, Mail

        mail = Mail(from_email=From(self.settings.email_from, self.settings.email_from_name),
                    to_emails=message.to, subject=message.subject, plain_text_content=message.text,
                    html_content=message.html or None)
        mail.custom_arg = CustomArg(MESSAGE_ID_ARG, str(message.id))
        return mail.get()

    def send(self, message: OutgoingMessage) -> str:
        from python_http_client.exceptions import HTTPError

        try:
            response = self.client.send(self.payload(message))
        except HTTPError as exc:
            raise sendgrid_error(exc) from exc
        except URLError as exc:  # urllib raises this before the request was fully sent
            raise SendError(f"SendGrid unreachable: {exc.reason}") from exc
        except Exception as exc:  # timeout or reset while waiting for the answer: maybe sent
            raise SendError(f"SendGrid did not answer: {type(exc).__name__}: {exc}", ambiguous=True) from exc
        headers = response.headers
        return (headers.get("X-Message-Id") or headers.get("x-message-id") or "") if headers else ""


def sendgrid_error(exc) -> SendError:
    status = exc.status_code
    try:
        errors = json.loads(exc.body or b"{}").get("errors") or []
    except (ValueError, AttributeError):
        errors = []
    detail = "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, dict)) or str(exc.reason)
    if status == 429 or status >= 500:
        retry_after = (exc.headers or {}).get("Retry-After") if hasattr(exc.headers, "get") else None
        return SendError(f"SendGrid {status}: {detail}",
                         retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None)
    # 400 bad request, 401/403 key or sender, 413 too large: the same request will fail again.
    bad_address = any(str(e.get("field") or "").startswith("personalizations") for e in errors
                      if isinstance(e, dict))
    return SendError(f"SendGrid {status}: {detail}"[:500], permanent=True, contact="invalid" if bad_address else "")


def configuration_problems(settings: Settings) -> list[str]:
    problems = []
    if settings.email_backend in ("smtp", "sendgrid") and not _EMAIL.match(settings.email_from):
        problems.append(f"CARECONNECT_EMAIL_FROM {settings.email_from!r} is not an email address.")
    if settings.email_backend == "smtp":
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
    if settings.email_backend == "sendgrid":
        if not settings.sendgrid_api_key:
            problems.append("SENDGRID_API_KEY must be set.")
        elif not settings.sendgrid_api_key.startswith("SG."):
            problems.append("SENDGRID_API_KEY does not look like a SendGrid API key (they start with 'SG.').")
        if not settings.sendgrid_api_host.startswith(("http://", "https://")):
            problems.append("SENDGRID_API_HOST must be an http(s) URL.")
        problems += _webhook_key_problems(settings)
    return problems


def _webhook_key_problems(settings: Settings) -> list[str]:
    key = settings.sendgrid_webhook_public_key
    if not key:
        return ["SENDGRID_WEBHOOK_PUBLIC_KEY must be set (Mail Settings > Signed Event Webhook): without it "
                "bounces are refused and never shown to the provider."]
    try:
        from sendgrid.helpers.eventwebhook import EventWebhook
        EventWebhook(key)
    except Exception:
        return ["SENDGRID_WEBHOOK_PUBLIC_KEY is not a valid ECDSA public key (paste the key SendGrid shows, "
                "without the BEGIN/END lines)."]
    return []
