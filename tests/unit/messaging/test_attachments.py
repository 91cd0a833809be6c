"""Attachments are rendered at send time and carried by every email backend: file, SMTP, SendGrid."""

from __future__ import annotations

import base64
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.evidence import verify
from careconnect_app.messaging import attachments, outbox
from careconnect_app.models import OutgoingMessage
from careconnect_app.signing import evidence
from tests.fakes.data import reconfigure
from tests.fakes.sheets import submit_and_sign
from tests.unit.messaging.backends.test_smtp import Mailbox, free_port


def _receipt_email(weekly_sheet) -> int:
    submit_and_sign(weekly_sheet)
    with session_scope() as s:
        return s.exec(select(OutgoingMessage.id).where(OutgoingMessage.kind == "signed_notice",
                                                       OutgoingMessage.channel == "email")).one()


def _verified(pdf: bytes) -> bool:
    with session_scope() as s:
        return verify.verify_pdf(s, pdf).verified


def test_file_backend_keeps_the_sealed_copy_beside_the_outbox(weekly_sheet, database):
    mid = _receipt_email(weekly_sheet)
    assert outbox.deliver_one(mid) == "sent"
    record = json.loads(database.outbox.read_text().splitlines()[-1])
    (attachment,) = record["attachments"]
    assert attachment["filename"].startswith("attendance-CC-") and attachment["content_type"] == "application/pdf"
    pdf = Path(attachment["path"]).read_bytes()
    assert len(pdf) == attachment["size"] and _verified(pdf)


def test_smtp_carries_the_pdf_as_an_attachment(weekly_sheet, monkeypatch):
    from aiosmtpd.controller import Controller

    mid = _receipt_email(weekly_sheet)
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        reconfigure(monkeypatch, CARECONNECT_EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=str(port),
                    SMTP_SECURITY="none", CARECONNECT_EMAIL_FROM="sign@careconnect.example.org")
        assert outbox.deliver_one(mid) == "sent"
    finally:
        controller.stop()
    (_envelope, mail), = box.received
    assert mail.get_content_type() == "multipart/mixed"
    body = mail.get_body(("plain",))
    assert "Reference number: CC-" in body.get_content()
    (pdf_part,) = list(mail.iter_attachments())
    assert pdf_part.get_content_type() == "application/pdf" and pdf_part.get_filename().endswith(".pdf")
    assert _verified(pdf_part.get_content())


def test_sendgrid_carries_the_pdf_as_an_attachment(weekly_sheet, sendgrid):
    mid = _receipt_email(weekly_sheet)
    assert outbox.deliver_one(mid) == "sent"
    (mail,) = sendgrid.accepted
    (attachment,) = mail["attachments"]
    assert attachment["type"] == "application/pdf" and attachment["disposition"] == "attachment"
    assert _verified(base64.b64decode(attachment["content"]))


def test_an_attachment_that_cannot_be_made_fails_the_message_for_good(weekly_sheet, database):
    mid = _receipt_email(weekly_sheet)
    with session_scope() as s:
        message = s.get(OutgoingMessage, mid)
        message.attachments = json.dumps([{"kind": "signed_copy", "sheet_id": 999}])
    assert outbox.deliver_one(mid) == "failed"
    with session_scope() as s:
        assert "cannot be made" in s.get(OutgoingMessage, mid).last_error


def test_at_most_two_pdfs_are_made_at_once_so_the_sends_keep_their_turns(weekly_sheet, database, monkeypatch):
    mid = _receipt_email(weekly_sheet)
    with session_scope() as s:
        message = s.get(OutgoingMessage, mid)
    making, most, lock = 0, 0, threading.Lock()
    real = evidence.signed_attendance_pdf

    def counted(session, sheet):
        nonlocal making, most
        with lock:
            making += 1
            most = max(most, making)
        time.sleep(0.1)  # long enough for the other threads to pile up
        try:
            return real(session, sheet)
        finally:
            with lock:
                making -= 1

    monkeypatch.setattr(evidence, "signed_attendance_pdf", counted)
    with ThreadPoolExecutor(max_workers=6) as pool:
        made = list(pool.map(lambda _: attachments.render(message), range(6)))
    assert most == attachments.RENDERING_AT_ONCE == 2
    assert all(files[0].data == made[0][0].data for files in made)
