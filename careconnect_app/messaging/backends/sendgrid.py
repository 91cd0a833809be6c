"""Email through SendGrid's v3 Mail Send API (official SDK; host overridable for tests)."""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Sequence
from urllib.error import URLError

from careconnect_app.config import Settings
from careconnect_app.messaging.backends.base import Attachment, SendError
from careconnect_app.messaging.backends.smtp import sender_problems
from careconnect_app.models import OutgoingMessage

MESSAGE_ID_ARG = "careconnect_message_id"  # custom_args key, echoed in every event webhook


def _no_tracking():
    """Every SendGrid tracking off for each message, whatever the account's defaults say.

    Click tracking would rewrite the signing link through SendGrid's redirect host (the token
    would sit in a third party's logs, and a parent sees a strange address); open tracking adds
    a pixel; subscription tracking and Google Analytics add links and parameters.
    """
    from sendgrid.helpers.mail import ClickTracking, Ganalytics, OpenTracking, SubscriptionTracking, TrackingSettings

    return TrackingSettings(click_tracking=ClickTracking(False, False), open_tracking=OpenTracking(False),
                            subscription_tracking=SubscriptionTracking(False), ganalytics=Ganalytics(False))


class _OneOpener:
    """`urllib.request` for python_http_client (SendGrid's HTTP layer), with one opener reused.

    The SDK builds a fresh opener for every request, which reads every environment variable for
    proxy settings each time (a quarter of an email's CPU in the worker). urllib's own `urlopen`
    reuses one opener for every call and thread; this does the same.
    """

    def __init__(self):
        self._opener = None

    def build_opener(self):
        if self._opener is None:
            self._opener = urllib.request.build_opener()
        return self._opener

    def __getattr__(self, name: str):
        return getattr(urllib.request, name)


def _reuse_one_opener() -> None:
    """Installed by each new backend (settings changed): its opener reads the proxy settings afresh."""
    import python_http_client.client as http_client

    http_client.urllib = _OneOpener()


class SendGridEmail:
    name = "sendgrid"

    def __init__(self, settings: Settings):
        from sendgrid import SendGridAPIClient

        _reuse_one_opener()

        self.settings = settings
        self.client = SendGridAPIClient(settings.sendgrid_api_key, host=settings.sendgrid_api_host.rstrip("/"))
        self.client.client.timeout = settings.send_timeout_seconds  # copied to every sub-client

    def warm(self) -> None:
        """Load the SDK's mail helpers and error types now rather than in the first send."""
        from python_http_client.exceptions import HTTPError  # noqa: F401

        self.payload(OutgoingMessage(channel="email", to="warm@example.org", subject="-", text="-", kind="warm"))

    def payload(self, message: OutgoingMessage, attachments: Sequence[Attachment] = ()) -> dict:
        from sendgrid.helpers import mail as sg

        mail = sg.Mail(from_email=sg.From(self.settings.email_from, self.settings.email_from_name),
                       to_emails=message.to, subject=message.subject, plain_text_content=message.text,
                       html_content=message.html or None)
        mail.custom_arg = sg.CustomArg(MESSAGE_ID_ARG, str(message.id))
        mail.tracking_settings = _no_tracking()
        for a in attachments:
            mail.add_attachment(sg.Attachment(sg.FileContent(base64.b64encode(a.data).decode("ascii")),
                                              sg.FileName(a.filename), sg.FileType(a.content_type),
                                              sg.Disposition("attachment")))
        return mail.get()

    def send(self, message: OutgoingMessage, attachments: Sequence[Attachment] = ()) -> str:
        from python_http_client.exceptions import HTTPError

        try:
            response = self.client.send(self.payload(message, attachments))
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


def configuration_problems(settings: Settings) -> list[str]:
    if settings.email_backend != "sendgrid":
        return []
    problems = sender_problems(settings)
    if not settings.sendgrid_api_key:
        problems.append("SENDGRID_API_KEY must be set.")
    elif not settings.sendgrid_api_key.startswith("SG."):
        problems.append("SENDGRID_API_KEY does not look like a SendGrid API key (they start with 'SG.').")
    if not settings.sendgrid_api_host.startswith(("http://", "https://")):
        problems.append("SENDGRID_API_HOST must be an http(s) URL.")
    return problems + _webhook_key_problems(settings)
