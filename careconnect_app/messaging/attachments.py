"""Files a message carries, rendered when it is sent: the outbox row says what to attach, never holds the file.

A signed copy or a certificate is sealed at send time by the delivery worker (CPU work, never on
Reflex's event loop), from the evidence as stored, so the row stays small and a retry attaches the
same evidence again.
"""

from __future__ import annotations

import json
import threading

from careconnect_app.db import session_scope
from careconnect_app.messaging.backends.base import Attachment, SendError
from careconnect_app.models import AttendanceSheet, OutgoingMessage
from careconnect_app.signing import evidence

SIGNED_COPY = "signed_copy"  # the attendance exactly as signed, in the signing language
CERTIFICATE = "certificate"  # the completion certificate, in the recipient's language
PDF = "application/pdf"


def signed_copy(sheet_id: int) -> dict:
    return {"kind": SIGNED_COPY, "sheet_id": sheet_id}


def certificate(sheet_id: int, locale: str) -> dict:
    return {"kind": CERTIFICATE, "sheet_id": sheet_id, "locale": locale}


# PDFs being made at once in this process. Rendering and sealing are Python under one GIL: more
# at once is no faster, and each extra one takes turns from the sending threads, among them the
# verification codes a parent is waiting for. Waiting here holds no database connection.
RENDERING_AT_ONCE = 2
_rendering = threading.BoundedSemaphore(RENDERING_AT_ONCE)


# Where the PDFs are made: None, in the calling thread; else an object with `render(specs)` (the
# standalone worker's render_process.RenderProcess, a child process at a lower CPU priority).
_maker = None


def make_in(maker) -> None:
    """Make every later message's files with `maker` (None: in the sending thread itself)."""
    global _maker
    _maker = maker


def render(message: OutgoingMessage) -> list[Attachment]:
    """The files of a message, sealed now; a file that cannot be made fails the message for good."""
    specs = json.loads(message.attachments) if message.attachments else []
    if not specs:
        return []
    with _rendering:
        maker = _maker
        return maker.render(specs) if maker is not None else render_specs(specs)


def render_specs(specs: list[dict]) -> list[Attachment]:
    """The files `specs` name, read and sealed in this process."""
    files = []
    with session_scope() as session:
        for spec in specs:
            sheet = session.get(AttendanceSheet, int(spec.get("sheet_id") or 0))
            made = None
            if sheet is not None and spec.get("kind") == SIGNED_COPY:
                made = evidence.signed_attendance_pdf(session, sheet)
                name = "attendance"
            elif sheet is not None and spec.get("kind") == CERTIFICATE:
                made = evidence.completion_certificate_pdf(session, sheet, str(spec.get("locale") or "en"))
                name = "certificate"
            if made is None:
                raise SendError(f"attachment {spec} cannot be made: the sheet is missing or not signed",
                                permanent=True)
            pdf, reference = made
            files.append(Attachment(f"{name}-{reference}.pdf", PDF, pdf))
    return files
