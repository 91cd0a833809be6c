"""Misconfigured email or SMS is reported at start, every problem at once, not at the first parent's send."""

from __future__ import annotations

from datetime import timedelta

from careconnect_app.config import Settings, get_settings
from careconnect_app.messaging.backends import EMAIL_BACKENDS, SMS_BACKENDS, sendgrid, smtp, twilio
from careconnect_app.messaging.backends.base import ConfigurationError
from careconnect_app.messaging.outbox import CLAIM_TIMEOUT


def validate_configuration(settings: Settings | None = None) -> list[str]:
    """Human-readable problems with the delivery configuration ([] when all is well)."""
    settings = settings or get_settings()
    problems = []
    if settings.email_backend not in EMAIL_BACKENDS:
        problems.append(f"CARECONNECT_EMAIL_BACKEND={settings.email_backend!r} is unknown; "
                        f"use one of: {', '.join(EMAIL_BACKENDS)}.")
    if settings.sms_backend not in SMS_BACKENDS:
        problems.append(f"CARECONNECT_SMS_BACKEND={settings.sms_backend!r} is unknown; "
                        f"use one of: {', '.join(SMS_BACKENDS)}.")
    # A production build on a test machine or demo laptop may opt out of the two checks below.
    strict = settings.is_prod and not settings.allow_dev_delivery_in_prod
    opt_out = " (for a test or demo only: CARECONNECT_ALLOW_DEV_DELIVERY=true)"
    if strict:
        for var, value in (("CARECONNECT_EMAIL_BACKEND", settings.email_backend),
                           ("CARECONNECT_SMS_BACKEND", settings.sms_backend)):
            if value == "file":
                problems.append(f"{var}=file in production only writes to a file: parents would never "
                                "receive their signing links" + opt_out + ".")
    if not settings.base_url.startswith(("http://", "https://")):
        problems.append("CARECONNECT_BASE_URL must be an absolute http(s) URL (it is in every signing link).")
    elif strict and not settings.base_url.startswith("https://"):
        problems.append("CARECONNECT_BASE_URL must use https in production" + opt_out + ".")
    if not 1 <= settings.delivery_concurrency <= 64:
        problems.append("CARECONNECT_DELIVERY_CONCURRENCY must be between 1 and 64.")
    if settings.delivery_max_attempts < 1:
        problems.append("CARECONNECT_DELIVERY_MAX_ATTEMPTS must be at least 1.")
    if settings.send_timeout_seconds <= 0 or timedelta(seconds=settings.send_timeout_seconds) >= CLAIM_TIMEOUT:
        problems.append("CARECONNECT_SEND_TIMEOUT must be above 0 and well under 5 minutes.")
    return (problems + smtp.configuration_problems(settings) + sendgrid.configuration_problems(settings)
            + twilio.configuration_problems(settings))


def check_configuration(settings: Settings | None = None) -> None:
    """Raise ConfigurationError listing every problem; call at app start and in the worker."""
    problems = validate_configuration(settings)
    if problems:
        raise ConfigurationError(problems)
