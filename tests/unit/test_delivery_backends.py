"""Email and SMS backends through the real SDKs/smtplib against local servers: what arrives, retries,
permanent failures, backoff jitter."""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
import socket
import ssl
import sys
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from careconnect_app.clock import utcnow  # noqa: E402
from careconnect_app.db import session_scope  # noqa: E402
from careconnect_app.models import Guardian, OutgoingMessage  # noqa: E402
from careconnect_app.messaging import outbox
from tests.fakes.data import make_family, notify, reconfigure, use_database  # noqa: E402
from tests.fakes.sendgrid import FakeSendGrid  # noqa: E402
from tests.fakes.twilio import FakeTwilio  # noqa: E402

LATER = dt.timedelta(hours=2)  # far enough for any scheduled retry


@pytest.fixture
def database(tmp_path, monkeypatch):
    return use_database(tmp_path, monkeypatch)


@pytest.fixture
def twilio(database, monkeypatch):
    with FakeTwilio() as fake:
        reconfigure(monkeypatch, **fake.env())
        yield fake


@pytest.fixture
def sendgrid(database, monkeypatch):
    with FakeSendGrid() as fake:
        reconfigure(monkeypatch, **fake.env())
        yield fake


def queued(**family_kw) -> list[int]:
    with session_scope() as s:
        return notify(s, make_family(s, **family_kw))


def message(mid: int) -> OutgoingMessage:
    with session_scope() as s:
        return s.get(OutgoingMessage, mid)


def guardian_of(mid: int) -> Guardian:
    with session_scope() as s:
        return s.get(Guardian, s.get(OutgoingMessage, mid).guardian_id)


# ---- Twilio -----------------------------------------------------------------------------------

def test_twilio_sends_through_sdk_with_status_callback(twilio):
    (mid,) = queued(notify_email=False)
    assert outbox.deliver_one(mid) == "sent"
    (sent,) = twilio.accepted
    m = message(mid)
    assert m.provider_message_id == sent["sid"] and m.backend == "twilio" and m.attempts == 1
    assert sent["to"] == "+15555550123" and sent["from"] == "+15005550006"
    assert sent["status_callback"] == f"https://sign.careconnect.example.org/webhooks/twilio/status?mid={mid}"
    assert "https://sign.careconnect.example.org/sign/" in sent["body"]


def test_twilio_messaging_service_replaces_from(twilio, monkeypatch):
    reconfigure(monkeypatch, TWILIO_MESSAGING_SERVICE_SID="MG" + "a" * 32)
    (mid,) = queued(notify_email=False)
    outbox.deliver_one(mid)
    assert twilio.accepted[0]["messaging_service_sid"] == "MG" + "a" * 32
    assert twilio.accepted[0]["from"] == ""


@pytest.mark.parametrize("status", [500, 429, 503])
def test_twilio_transient_errors_retry_then_deliver(twilio, status):
    (mid,) = queued(notify_email=False)
    twilio.fail_next(2, status=status)
    assert outbox.deliver_one(mid) == "queued"
    m = message(mid)
    assert m.attempts == 1 and str(status) in m.last_error and m.next_attempt_at > utcnow()
    assert outbox.deliver_one(mid) == "queued"  # not due yet: untouched
    assert message(mid).attempts == 1
    assert outbox.deliver_one(mid, now=utcnow() + LATER) == "queued"
    assert outbox.deliver_one(mid, now=utcnow() + LATER) == "sent"
    assert message(mid).attempts == 3 and len(twilio.accepted_for(mid)) == 1


@pytest.mark.parametrize("code, text", [(21211, "invalid phone number"), (21614, "not a mobile"),
                                         (21610, "STOP")])
def test_twilio_permanent_errors_not_retried(twilio, code, text):
    twilio.errors_for["+15555550199"] = code
    (mid,) = queued(phone="+15555550199", notify_email=False, email="")
    assert outbox.deliver_one(mid) == "failed"
    m = message(mid)
    assert m.attempts == 1 and f"Twilio {code}" in m.last_error and text in m.last_error and m.failed_at
    assert outbox.deliver_one(mid, now=utcnow() + LATER) == "failed"
    assert twilio.request_count == 1
    assert guardian_of(mid).sms_opted_out is (code == 21610)


def test_twilio_wrong_credentials_fail_clearly(twilio, monkeypatch):
    reconfigure(monkeypatch, TWILIO_AUTH_TOKEN="0" * 32)
    (mid,) = queued(notify_email=False)
    assert outbox.deliver_one(mid) == "failed"
    assert "account SID or auth token" in message(mid).last_error


def test_twilio_retry_checks_first_whether_the_previous_attempt_went_out(twilio):
    (mid,) = queued(notify_email=False)
    outbox.deliver_one(mid)
    with session_scope() as s:  # pretend the answer was lost (timeout) after Twilio accepted it
        m = s.get(OutgoingMessage, mid)
        m.status, m.provider_message_id = "queued", ""
    assert outbox.deliver_one(mid) == "sent"
    assert len(twilio.accepted_for(mid)) == 1
    assert message(mid).provider_message_id == twilio.accepted[0]["sid"]


def test_sms_goes_out_in_gsm7(twilio):
    (mid,) = queued(notify_email=False, child=("Sofía", "Ramírez"), locale="es")
    outbox.deliver_one(mid)
    assert "Sofia" in twilio.accepted[0]["body"] and "Sofía" in message(mid).text


# ---- SendGrid ---------------------------------------------------------------------------------

def test_sendgrid_sends_text_and_html_with_our_id(sendgrid):
    (mid,) = queued(notify_sms=False)
    assert outbox.deliver_one(mid) == "sent"
    (mail,) = sendgrid.accepted
    m = message(mid)
    assert mail["content_order"] == ["text/plain", "text/html"]
    assert mail["text"] == m.text and mail["html"] == m.html and mail["subject"] == m.subject
    assert mail["custom_args"] == {"careconnect_message_id": str(mid)}
    assert mail["from"] == {"email": "sign@careconnect.example.org", "name": "CareConnect Sign"}
    assert m.provider_message_id == mail["message_id"]


@pytest.mark.parametrize("status", [429, 500])
def test_sendgrid_transient_errors_retry_then_deliver(sendgrid, status):
    (mid,) = queued(notify_sms=False)
    sendgrid.fail_next(1, status=status)
    assert outbox.deliver_one(mid) == "queued"
    assert outbox.deliver_one(mid, now=utcnow() + LATER) == "sent"
    assert len(sendgrid.accepted_for(mid)) == 1


def test_sendgrid_retry_after_is_honoured(sendgrid):
    (mid,) = queued(notify_sms=False)
    sendgrid.fail_next(1, status=429, headers={"Retry-After": "600"})
    outbox.deliver_one(mid)
    assert message(mid).next_attempt_at > utcnow() + dt.timedelta(seconds=590)


def test_sendgrid_bad_address_is_permanent_and_flags_the_guardian(sendgrid):
    sendgrid.invalid_addresses.add("nobody@invalid")
    (mid,) = queued(email="nobody@invalid", phone="")
    assert outbox.deliver_one(mid) == "failed"
    assert "SendGrid 400: Does not contain a valid address." in message(mid).last_error
    assert guardian_of(mid).email_undeliverable
    assert sendgrid.request_count == 1


@pytest.mark.parametrize("setup, status", [("key", 401), ("size", 413)])
def test_sendgrid_auth_and_size_errors_are_permanent(sendgrid, monkeypatch, setup, status):
    if setup == "key":
        reconfigure(monkeypatch, SENDGRID_API_KEY="SG.wrong")
    else:
        sendgrid.max_bytes = 100
    (mid,) = queued(notify_sms=False)
    assert outbox.deliver_one(mid) == "failed"
    assert f"SendGrid {status}" in message(mid).last_error
    assert not guardian_of(mid).email_undeliverable  # our problem, not the parent's address


def test_unreachable_provider_is_transient(database, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    reconfigure(monkeypatch, CARECONNECT_EMAIL_BACKEND="sendgrid", SENDGRID_API_KEY="SG.x",
                SENDGRID_API_HOST=f"http://127.0.0.1:{port}", CARECONNECT_SEND_TIMEOUT="2")
    (mid,) = queued(notify_sms=False)
    assert outbox.deliver_one(mid) == "queued"
    assert "unreachable" in message(mid).last_error


def test_attempts_are_limited(sendgrid, monkeypatch):
    reconfigure(monkeypatch, CARECONNECT_DELIVERY_MAX_ATTEMPTS="3")
    (mid,) = queued(notify_sms=False)
    sendgrid.fail_next(5, status=500)
    for _ in range(3):
        outbox.deliver_one(mid, now=utcnow() + LATER)
    m = message(mid)
    assert m.status == "failed" and m.attempts == 3 and m.last_error.startswith("gave up after 3 attempts")


def test_codes_are_not_sent_after_they_expire(sendgrid):
    with session_scope() as s:
        m = OutgoingMessage(channel="email", to="p@example.com", kind="verification_code", text="123456",
                            created_at=utcnow() - dt.timedelta(minutes=11))
        s.add(m)
        s.flush()
        mid = m.id
    assert outbox.deliver_one(mid) == "failed"
    assert sendgrid.request_count == 0 and "expired" in message(mid).last_error


# ---- backoff ----------------------------------------------------------------------------------

def test_backoff_grows_with_bounded_jitter():
    rng = random.Random(7)
    for attempts, base in [(1, 10), (2, 20), (3, 40), (6, 320), (12, 3600), (30, 3600)]:
        delays = [outbox.retry_delay(attempts, rng=rng).total_seconds() for _ in range(200)]
        assert all(base / 2 <= d <= base for d in delays)
        assert len(set(delays)) > 150  # jittered, not one fixed value
    assert outbox.retry_delay(1, retry_after=120).total_seconds() == 120
    assert outbox.retry_delay(1, retry_after=99999).total_seconds() == 3600


# ---- SMTP -------------------------------------------------------------------------------------

class Mailbox:
    """aiosmtpd handler: keeps what it receives, refuses scripted recipients."""

    def __init__(self):
        self.received: list = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope, message_from_bytes(envelope.content, policy=default_policy)))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(database, monkeypatch):
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    reconfigure(monkeypatch, CARECONNECT_EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=str(port),
                SMTP_SECURITY="none", CARECONNECT_EMAIL_FROM="sign@careconnect.example.org")
    yield box
    controller.stop()


def test_smtp_sends_multipart_text_and_html(smtp_server):
    (mid,) = queued(notify_sms=False)
    assert outbox.deliver_one(mid) == "sent"
    (envelope, mail), = smtp_server.received
    m = message(mid)
    assert envelope.rcpt_tos == ["parent@example.com"]
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    def body(kind):  # SMTP carries CRLF line ends
        return mail.get_body((kind,)).get_content().replace("\r\n", "\n").strip()

    assert body("plain") == m.text.strip() and body("html") == m.html.strip()
    assert mail["X-CareConnect-Message-Id"] == str(mid) and mail["Message-ID"].strip() == m.provider_message_id
    assert mail["Subject"] == m.subject and "CareConnect Sign" in mail["From"]


def test_smtp_recipient_refused_5xx_is_permanent(smtp_server):
    smtp_server.refuse["gone@example.com"] = "550 5.1.1 User unknown"
    (mid,) = queued(email="gone@example.com", phone="")
    assert outbox.deliver_one(mid) == "failed"
    assert "SMTP 550 recipient refused: 5.1.1 User unknown" in message(mid).last_error
    assert guardian_of(mid).email_undeliverable


def test_smtp_4xx_is_retried(smtp_server):
    smtp_server.refuse["busy@example.com"] = "451 4.3.0 Try again later"
    (mid,) = queued(email="busy@example.com", phone="")
    assert outbox.deliver_one(mid) == "queued"
    del smtp_server.refuse["busy@example.com"]
    assert outbox.deliver_one(mid, now=utcnow() + LATER) == "sent"


def _self_signed(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_smtp_starttls_and_login(database, monkeypatch, tmp_path):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"mailer" and auth_data.password == b"s3cret")

    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_required=True)
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # trust our test CA only
        reconfigure(monkeypatch, CARECONNECT_EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=str(port),
                    SMTP_SECURITY="starttls", SMTP_USERNAME="mailer", SMTP_PASSWORD="s3cret",
                    CARECONNECT_EMAIL_FROM="sign@careconnect.example.org")
        (mid,) = queued(notify_sms=False)
        assert outbox.deliver_one(mid) == "sent", message(mid).last_error
        assert logins == [(b"mailer", b"s3cret")] and len(box.received) == 1
    finally:
        controller.stop()
