"""Development backend: each message is one JSON line in CARECONNECT_OUTBOX (read it at /dev/outbox)."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from careconnect_app.clock import iso
from careconnect_app.config import Settings
from careconnect_app.messaging.backends.base import Attachment
from careconnect_app.messaging.sms_text import sms_body
from careconnect_app.models import OutgoingMessage


@dataclass
class FileOutbox:
    """Development backend: each message is one JSON line in CARECONNECT_OUTBOX."""

    path: Path
    name: str = "file"
    _lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> FileOutbox:
        return cls(settings.outbox_path)

    def send(self, message: OutgoingMessage, attachments: Sequence[Attachment] = ()) -> str:
        record = {
            "id": message.id,
            "channel": message.channel,
            "to": message.to,
            "subject": message.subject,
            "text": sms_body(message.text) if message.channel == "sms" else message.text,
            "html": message.html if message.channel == "email" else "",
            "locale": message.locale,
            "kind": message.kind,
            "created_at": iso(message.created_at),
            "attachments": [self._keep(message, a) for a in attachments],
        }
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False) + "\n"
        # Codes and links in clear: readable by the app's own user only (0600), whatever the umask.
        with self._lock:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.fchmod(descriptor, 0o600)  # an outbox made by an older version
            with os.fdopen(descriptor, "a", encoding="utf-8") as fh:
                fh.write(line)
        return f"file-{message.id}"

    def _keep(self, message: OutgoingMessage, attachment: Attachment) -> dict:
        """Write a file beside the outbox (attachments/<message id>/<name>) so a developer can open it."""
        folder = self.path.parent / "attachments" / str(message.id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(attachment.filename).name
        path.write_bytes(attachment.data)
        return {"filename": attachment.filename, "content_type": attachment.content_type,
                "size": len(attachment.data), "sha256": hashlib.sha256(attachment.data).hexdigest(), "path": str(path)}

    def lookup(self, message: OutgoingMessage) -> str | None:
        if not self.path.exists():
            return ""
        needle = f'{{"id": {message.id}, '
        with self.path.open(encoding="utf-8") as fh:
            return f"file-{message.id}" if any(line.startswith(needle) for line in fh) else ""
