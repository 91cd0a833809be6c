"""Delivery backends: the contract in base.py, one module per provider, chosen here by configuration."""

from __future__ import annotations

import threading

from careconnect_app.config import Settings, get_settings
from careconnect_app.messaging.backends.base import Backend
from careconnect_app.messaging.backends.file import FileOutbox
from careconnect_app.messaging.backends.sendgrid import SendGridEmail
from careconnect_app.messaging.backends.smtp import SmtpEmail
from careconnect_app.messaging.backends.twilio import TwilioSms
from careconnect_app.statuses import Channel

# The backends each channel may be configured with (CARECONNECT_EMAIL_BACKEND / _SMS_BACKEND).
EMAIL_BACKENDS = {"file": FileOutbox.from_settings, "smtp": SmtpEmail, "sendgrid": SendGridEmail}
SMS_BACKENDS = {"file": FileOutbox.from_settings, "twilio": TwilioSms}


def build_backend(channel: str, settings: Settings | None = None) -> Backend:
    settings = settings or get_settings()
    choices = EMAIL_BACKENDS if channel == Channel.EMAIL else SMS_BACKENDS
    choice = settings.email_backend if channel == Channel.EMAIL else settings.sms_backend
    if choice not in choices:
        raise ValueError(f"Unknown {channel} backend {choice!r}")
    return choices[choice](settings)


# One backend per channel per process: clients keep their HTTP connections between sends.
_backends: dict[str, Backend] = {}
_backends_lock = threading.Lock()


def backend_for(channel: str) -> Backend:
    with _backends_lock:
        if channel not in _backends:
            _backends[channel] = build_backend(channel)
        return _backends[channel]


def warm() -> None:
    """Build each channel's backend and load its SDK before the first claim (a worker that
    just started would otherwise make the first parents' messages wait on imports)."""
    for channel in (Channel.EMAIL, Channel.SMS):
        backend = backend_for(channel)
        if hasattr(backend, "warm"):
            backend.warm()


def reset_backends() -> None:
    with _backends_lock:
        _backends.clear()
