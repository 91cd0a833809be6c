"""SMS through Twilio's Messages API (official SDK; base URL overridable for tests) and its configuration checks."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from careconnect_app import routes
from careconnect_app.config import Settings
from careconnect_app.messaging.backends.base import Attachment, SendError, sent_as
from careconnect_app.messaging.backends.twilio_http import PooledHttpClient
from careconnect_app.messaging.sms_text import sms_body
from careconnect_app.models import OutgoingMessage

# Twilio error codes that no retry can fix; "contact" tells delivery what it says about the number.
PERMANENT_TWILIO_CODES = {
    21211: ("invalid phone number", "invalid"),
    21214: ("phone number cannot be reached", "invalid"),
    21217: ("phone number does not appear to be valid", "invalid"),
    21408: ("sending to this region is not enabled on the Twilio account", ""),
    21606: ("the From number cannot send SMS", ""),
    21610: ("the parent replied STOP to our SMS (unsubscribed)", "opted_out"),
    21612: ("the number cannot be reached by SMS from this sender", "invalid"),
    21614: ("the number is not a mobile number", "invalid"),
    20003: ("Twilio rejected the account SID or auth token", ""),
}


class TwilioSms:
    """Twilio Messages API through the official SDK (base URL overridable for tests)."""

    name = "twilio"

    def __init__(self, settings: Settings):
        self.settings = settings
        self._local = threading.local()
        self._base_url = settings.twilio_api_base.rstrip("/") or "https://api.twilio.com"
        # One connection pool for every sending thread (twilio_http); no connection is made here.
        self._http = PooledHttpClient(self._base_url, timeout=settings.send_timeout_seconds,
                                      connections=settings.delivery_concurrency)

    def _client(self):
        # One SDK client per thread (its lazily built API objects are not made for sharing), all on
        # one thread-safe connection pool.
        client = getattr(self._local, "client", None)
        if client is None:
            from twilio.rest import Client

            client = Client(self.settings.twilio_account_sid, self.settings.twilio_auth_token,
                            http_client=self._http)
            if self.settings.twilio_api_base:
                # Domain.absolute_url() joins Api.base_url ("https://api.twilio.com") with the path.
                client.api.base_url = self._base_url
            self._local.client = client
        return client

    def warm(self) -> None:
        """Load the SDK's Messages API now (it imports lazily, ~0.1 s on first use) and this thread's client."""
        from twilio.base import deserialize, serialize  # noqa: F401 (imported for the first send)
        from twilio.base.exceptions import TwilioException  # noqa: F401

        self._client().api.v2010.account.messages  # noqa: B018 (the attribute chain does the imports)

    def status_callback(self, message: OutgoingMessage) -> str:
        # Our id rides in the URL: a callback can beat our own "sent" commit (no MessageSid yet).
        return f"{self.settings.webhook_base_url}{routes.TWILIO_STATUS}?mid={message.id}"

    def send(self, message: OutgoingMessage, attachments: Sequence[Attachment] = ()) -> str:
        """Text only: an SMS carries no files (`attachments` is part of the shared contract)."""
        from twilio.base.exceptions import TwilioException

        sender = ({"messaging_service_sid": self.settings.twilio_messaging_service_sid}
                  if self.settings.twilio_messaging_service_sid else {"from_": self.settings.twilio_from_number})
        try:
            created = self._client().messages.create(
                to=message.to, body=sms_body(message.text), status_callback=self.status_callback(message),
                **sender)
        except TwilioException as exc:
            raise twilio_error(exc) from exc
        except Exception as exc:  # requests' ConnectionError, Timeout ...: the network, retry later
            # A retry asks Twilio first (lookup), so no extra wait is needed here.
            raise SendError(f"Twilio unreachable: {type(exc).__name__}: {exc}") from exc
        return created.sid or ""

    def sent_at(self, message_sid: str) -> datetime | None:
        """When Twilio received a message (a parent's reply), from Twilio's own record; None if unknown."""
        if not re.fullmatch(r"(SM|MM)[0-9a-fA-F]{32}", message_sid or ""):
            return None
        try:
            created = self._client().messages(message_sid).fetch().date_created
        except Exception:
            return None  # Twilio unreachable or no such message: the caller falls back to arrival time
        if created is None:
            return None
        return created if created.tzinfo else created.replace(tzinfo=timezone.utc)

    def lookup(self, message: OutgoingMessage) -> str | None:
        """After a crash mid-send: the Twilio sid if Twilio has this SMS, "" if it has not."""
        try:
            recent = self._client().messages.list(to=message.to, limit=50)
        except Exception:
            return None  # cannot tell
        since = message.claimed_at - timedelta(minutes=2) if message.claimed_at else None  # clock skew
        body = sent_as(sms_body(message.text))
        for m in recent:
            if body.match(m.body or "") and (since is None or m.date_created is None or m.date_created >= since):
                return m.sid
        return ""


def twilio_error(exc) -> SendError:
    status = getattr(exc, "status", None) or 0
    code = getattr(exc, "code", None)
    detail = getattr(exc, "msg", "") or getattr(exc, "detail", "") or str(exc)
    if status == 429 or status >= 500:
        return SendError(f"Twilio {status}: {detail}", retry_after=None)
    if code in PERMANENT_TWILIO_CODES:
        reason, contact = PERMANENT_TWILIO_CODES[code]
        return SendError(f"Twilio {code}: {reason}", permanent=True, contact=contact)
    # Other 4xx: our request is wrong; retrying the same request cannot succeed.
    return SendError(f"Twilio {status} {code}: {detail}", permanent=True)


_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")


def configuration_problems(settings: Settings) -> list[str]:
    if settings.sms_backend != "twilio":
        return []
    problems = []
    if not _ACCOUNT_SID.match(settings.twilio_account_sid):
        problems.append("TWILIO_ACCOUNT_SID must be set to your Account SID (AC followed by 32 hex digits).")
    if not settings.twilio_auth_token:
        problems.append("TWILIO_AUTH_TOKEN must be set (it also verifies Twilio's webhooks).")
    if settings.twilio_messaging_service_sid:
        if not _SERVICE_SID.match(settings.twilio_messaging_service_sid):
            problems.append("TWILIO_MESSAGING_SERVICE_SID must look like MG followed by 32 hex digits.")
    elif not settings.twilio_from_number:
        problems.append("Set TWILIO_FROM_NUMBER (E.164, e.g. +15555550123) or TWILIO_MESSAGING_SERVICE_SID.")
    elif not _E164.match(settings.twilio_from_number):
        problems.append(f"TWILIO_FROM_NUMBER {settings.twilio_from_number!r} is not in E.164 form, "
                        "e.g. +15555550123.")
    if settings.twilio_api_base and not settings.twilio_api_base.startswith(("http://", "https://")):
        problems.append("TWILIO_API_BASE must be an http(s) URL.")
    if settings.is_prod and not settings.webhook_base_url.startswith("https://"):
        problems.append("CARECONNECT_WEBHOOK_BASE_URL (or CARECONNECT_BASE_URL) must be a public https URL "
                        "so Twilio can post delivery receipts and STOP replies.")
    return problems
