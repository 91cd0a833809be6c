"""Development backend: each message is one JSON line in CARECONNECT_OUTBOX (read it at /dev/outbox)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from careconnect_app.clock import iso
from careconnect_app.config import Settings
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

    def send(self, message: OutgoingMessage) -> str:
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
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return f"file-{message.id}"

    def lookup(self, message: OutgoingMessage) -> str | None:
        if not self.path.exists():
            return ""
        needle = f'{{"id": {message.id}, '
        with self.path.open(encoding="utf-8") as fh:
            return f"file-{message.id}" if any(line.startswith(needle) for line in fh) else ""
