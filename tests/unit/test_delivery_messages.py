"""Message content (SMS segments, email text = HTML) and delivery configuration checks."""

from __future__ import annotations

import html as html_lib
import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from careconnect_app import config  # noqa: E402
from careconnect_app.db import session_scope  # noqa: E402
from careconnect_app.i18n import t  # noqa: E402
from careconnect_app.models import OutgoingMessage  # noqa: E402
from careconnect_app.messaging import compose, outbox
from careconnect_app.messaging import config_check
from careconnect_app.messaging.backends.base import ConfigurationError
from careconnect_app.messaging.sms_text import gsm_text, sms_segments
from tests.fakes.data import BASE_ENV, make_family, use_database  # noqa: E402
from tests.fakes.sendgrid import EventSigner  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
LINK = "https://sign.careconnect.example.org/sign/" + "A" * 43  # token_urlsafe(32) is 43 chars
LONG_NAMES = [  # (provider, child first name, guardian first name)
    ("Happy Hearts Family Child Care & Preschool, LLC", "Maximiliano", "Guadalupe"),
    ("Centro de Cuidado Infantil Pequeños Exploradores", "María José", "Concepción"),
    ("Little Sprouts Bilingual Early Learning Center", "Thảo", "Nguyễn"),
]


# ---- SMS segments -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, segments", [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("€" * 80, 1), ("€" * 81, 2), ("[" * 10 + "a" * 141, 2),  # extension chars count two
    ("é" * 160, 1),  # é is GSM-7
    ("í" * 70, 1), ("í" * 71, 2), ("í" * 134, 2), ("í" * 135, 3),  # í is not: UCS-2
    ("😀" * 35, 1), ("😀" * 36, 2),  # surrogate pairs count two
])
def test_sms_segments(text, segments):
    assert sms_segments(text) == segments


def test_gsm_text_keeps_gsm_and_replaces_lookalikes():
    assert gsm_text("Sofía Ramírez – “hola” envió") == 'Sofia Ramirez - "hola" envio'
    assert gsm_text("Peña, Müller, é, ¿?") == "Peña, Müller, é, ¿?"  # already GSM-7
    assert gsm_text("Nguyễn Thảo") == "Nguyen Thao"


def sms_templates(locale: str) -> list[str]:
    keys = json.loads((ROOT / "translations" / locale / "messages.json").read_text(encoding="utf-8"))
    return [k for k in keys if k.endswith("sms")]


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("provider, child, guardian", LONG_NAMES)
def test_every_sms_template_fits_two_segments(locale, provider, child, guardian):
    keys = sms_templates(locale)
    assert {"ready.sms", "reminder.sms", "code.sms"} <= set(keys)
    values = dict(provider=provider, child=child, child_full=f"{child} Hernández-Villanueva",
                  guardian=guardian, agency="Valley Child Care Subsidy Program", url=LINK, code="123456",
                  minutes=10, period="Nov 1, 2026 – Nov 30, 2026", expires="Dec 14, 2026")
    for key in keys:
        sent = gsm_text(t(f"messages.{key}", locale, **values))
        assert sms_segments(sent) <= 2, (key, len(sent), sent)


def test_templates_themselves_are_gsm7():
    for locale in ("en", "es"):
        for key in sms_templates(locale):
            text = t(f"messages.{key}", locale)
            assert gsm_text(text) == text, (locale, key)


# ---- email: the text and HTML parts say the same ----------------------------------------------

def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def database(tmp_path, monkeypatch):
    return use_database(tmp_path, monkeypatch)


@pytest.mark.parametrize("locale", ["en", "es"])
def test_email_html_and_text_have_the_same_content(database, locale):
    with session_scope() as s:
        family = make_family(s, locale=locale, notify_sms=False)
        messages = compose.queue_ready_to_sign(s, family.request, family.url)
        messages += compose.queue_ready_to_sign(s, family.request, family.url, kind="reminder")
        messages.append(compose.queue_verification_code(s, family.request, family.guardian, "email",
                                                              family.guardian.email, "482913", locale))
        messages.append(compose.queue_problem_reported(s, family.request, "Tuesday <b>was</b> wrong"))
        for m in messages:
            assert m.html and m.text and m.subject
            shown = visible_text(m.html)
            assert m.subject in shown
            for paragraph in m.text.split("\n\n"):
                if paragraph.endswith(family.url):  # "Review and sign: <url>" is a button + the URL
                    label = paragraph[: -len(family.url)].rstrip(": ")
                    assert label in shown and family.url in shown and family.url in m.html
                else:
                    assert re.sub(r"\s+", " ", paragraph) in shown, paragraph
            assert "<b>was</b>" not in m.html  # parent words are escaped


# ---- configuration ----------------------------------------------------------------------------

def settings_with(monkeypatch, **env):
    for key in list(__import__("os").environ):
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


def test_file_backend_writes_sms_as_sent(database):
    with session_scope() as s:
        family = make_family(s, notify_email=False, child=("Sofía", "Ramírez"))
        (m,) = compose.queue_ready_to_sign(s, family.request, family.url)
        mid = m.id
    outbox.deliver_now([mid])
    line = json.loads(config.get_settings().outbox_path.read_text(encoding="utf-8").splitlines()[-1])
    assert line["id"] == mid and "Sofia" in line["text"]
    with session_scope() as s:
        assert s.get(OutgoingMessage, mid).provider_message_id == f"file-{mid}"
