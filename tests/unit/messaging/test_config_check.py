"""Delivery configuration: unknown backends, production rules and each backend's settings, named clearly."""

from __future__ import annotations

import os

import pytest

from careconnect_app import config
from careconnect_app.messaging import config_check
from careconnect_app.messaging.backends.base import ConfigurationError
from tests.fakes.data import BASE_ENV
from tests.fakes.sendgrid import EventSigner


def settings_with(monkeypatch, **env):
    for key in list(os.environ):
        if key.startswith(("CARECONNECT_", "SMTP_", "SENDGRID_", "TWILIO_")):
            monkeypatch.delenv(key, raising=False)
    for key, value in {**BASE_ENV, **env}.items():
        monkeypatch.setenv(key, value)
    config.get_settings.cache_clear()
    return config.get_settings()


def problems(monkeypatch, **env) -> str:
    return "\n".join(config_check.validate_configuration(settings_with(monkeypatch, **env)))


def test_default_development_configuration_is_valid(monkeypatch):
    assert config_check.validate_configuration(settings_with(monkeypatch)) == []


def test_unknown_backends_are_named(monkeypatch):
    found = problems(monkeypatch, CARECONNECT_EMAIL_BACKEND="mailgun", CARECONNECT_SMS_BACKEND="nexmo")
    assert "CARECONNECT_EMAIL_BACKEND='mailgun' is unknown; use one of: file, smtp, sendgrid." in found
    assert "CARECONNECT_SMS_BACKEND='nexmo' is unknown; use one of: file, twilio." in found


def test_production_refuses_the_file_backend_and_http(monkeypatch):
    found = problems(monkeypatch, CARECONNECT_ENV="prod", CARECONNECT_BASE_URL="http://sign.example.org")
    assert "CARECONNECT_EMAIL_BACKEND=file in production" in found
    assert "CARECONNECT_SMS_BACKEND=file in production" in found
    assert "CARECONNECT_BASE_URL must use https in production" in found
    # A test or demo may run a production build on the file outbox, but only when it says so.
    assert problems(monkeypatch, CARECONNECT_ENV="prod", CARECONNECT_BASE_URL="http://sign.example.org",
                    CARECONNECT_ALLOW_DEV_DELIVERY="true") == ""


def test_twilio_settings_are_checked(monkeypatch):
    found = problems(monkeypatch, CARECONNECT_SMS_BACKEND="twilio")
    assert "TWILIO_ACCOUNT_SID must be set" in found and "TWILIO_AUTH_TOKEN must be set" in found
    assert "Set TWILIO_FROM_NUMBER (E.164" in found
    found = problems(monkeypatch, CARECONNECT_SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID="AC" + "0" * 32,
                     TWILIO_AUTH_TOKEN="x", TWILIO_FROM_NUMBER="(555) 555-0100")
    assert found == "TWILIO_FROM_NUMBER '(555) 555-0100' is not in E.164 form, e.g. +15555550123."
    assert problems(monkeypatch, CARECONNECT_SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID="AC" + "0" * 32,
                    TWILIO_AUTH_TOKEN="x", TWILIO_MESSAGING_SERVICE_SID="MG" + "0" * 32) == ""


def test_sendgrid_settings_are_checked(monkeypatch):
    found = problems(monkeypatch, CARECONNECT_EMAIL_BACKEND="sendgrid")
    assert "SENDGRID_API_KEY must be set." in found and "SENDGRID_WEBHOOK_PUBLIC_KEY must be set" in found
    found = problems(monkeypatch, CARECONNECT_EMAIL_BACKEND="sendgrid", SENDGRID_API_KEY="abc",
                     SENDGRID_WEBHOOK_PUBLIC_KEY="not-a-key", CARECONNECT_EMAIL_FROM="CareConnect")
    assert "does not look like a SendGrid API key" in found
    assert "SENDGRID_WEBHOOK_PUBLIC_KEY is not a valid ECDSA public key" in found
    assert "CARECONNECT_EMAIL_FROM 'CareConnect' is not an email address." in found
    assert problems(monkeypatch, CARECONNECT_EMAIL_BACKEND="sendgrid", SENDGRID_API_KEY="SG.abc",
                    SENDGRID_WEBHOOK_PUBLIC_KEY=EventSigner().public_key,
                    CARECONNECT_EMAIL_FROM="sign@careconnect.example.org") == ""


def test_smtp_settings_are_checked(monkeypatch):
    found = problems(monkeypatch, CARECONNECT_EMAIL_BACKEND="smtp", SMTP_SECURITY="ssl",
                     SMTP_USERNAME="mailer", CARECONNECT_EMAIL_FROM="sign@careconnect.example.org")
    assert "SMTP_SECURITY='ssl' is unknown; use starttls, tls or none." in found
    assert "Set both SMTP_USERNAME and SMTP_PASSWORD, or neither." in found


def test_check_configuration_raises_with_every_problem(monkeypatch):
    settings = settings_with(monkeypatch, CARECONNECT_EMAIL_BACKEND="smtpp", CARECONNECT_SMS_BACKEND="twilio")
    with pytest.raises(ConfigurationError) as err:
        config_check.check_configuration(settings)
    assert len(err.value.problems) == 4 and str(err.value).startswith("Message delivery is misconfigured:")
    assert "smtpp" in str(err.value) and "TWILIO_AUTH_TOKEN" in str(err.value)
