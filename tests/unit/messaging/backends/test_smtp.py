"""The SMTP email backend through smtplib against a local aiosmtpd server: multipart mail, refusals, STARTTLS."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from careconnect_app.clock import utcnow
from careconnect_app.messaging import outbox
from careconnect_app.messaging.backends.base import SECRET_SLOT, sent_as
from tests.fakes.data import reconfigure
from tests.fakes.rows import LATER, guardian_of, message, queued


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

    assert sent_as(m.text.strip()).match(body("plain")) and sent_as(m.html.strip()).match(body("html"))
    assert SECRET_SLOT not in body("plain") + body("html")
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
    now = dt.datetime.now(dt.UTC)
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
