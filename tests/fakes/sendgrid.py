"""Fake SendGrid v3 Mail Send API, and a signer for Event Webhook requests.

POST /v3/mail/send (Bearer key, JSON) -> 202 with X-Message-Id, or SendGrid's error JSON
{"errors": [{"message", "field", "help"}]} with 400/401/413. Accepted mails are kept in `accepted`.
"""

from __future__ import annotations

import base64
import json
import secrets
import time

from tests.fakes.http_fake import FakeHttpApi

API_KEY = "SG.test-key.0123456789abcdef"


class FakeSendGrid(FakeHttpApi):
    def __init__(self, *, api_key: str = API_KEY, max_bytes: int = 30 * 1024 * 1024, **kw):
        super().__init__(**kw)
        self.api_key = api_key
        self.max_bytes = max_bytes
        self.accepted: list[dict] = []
        self.invalid_addresses: set[str] = set()

    def env(self, signer: EventSigner | None = None) -> dict[str, str]:
        env = {"CARECONNECT_EMAIL_BACKEND": "sendgrid", "SENDGRID_API_KEY": self.api_key,
               "SENDGRID_API_HOST": self.base_url, "CARECONNECT_EMAIL_FROM": "sign@careconnect.example.org"}
        if signer:
            env["SENDGRID_WEBHOOK_PUBLIC_KEY"] = signer.public_key
        return env

    def accepted_for(self, message_id: int) -> list[dict]:
        return [m for m in self.accepted if m["custom_args"].get("careconnect_message_id") == str(message_id)]

    def accepted_ids(self) -> list[str]:
        with self.lock:
            return [m["custom_args"].get("careconnect_message_id", "") for m in self.accepted]

    def handle(self, method, path, query, headers, body):
        if method != "POST" or path != "/v3/mail/send":
            return 404, {}, {"errors": [{"message": "not found", "field": None, "help": None}]}
        if headers.get("Authorization", "") != f"Bearer {self.api_key}":
            return 401, {}, {"errors": [{"message": "The provided authorization grant is invalid, expired, or "
                                                    "revoked", "field": None, "help": None}]}
        if len(body) > self.max_bytes:
            return 413, {}, {"errors": [{"message": "Payload Too Large", "field": None, "help": None}]}
        try:
            mail = json.loads(body)
            to = mail["personalizations"][0]["to"][0]["email"]
        except (ValueError, KeyError, IndexError):
            return 400, {}, {"errors": [{"message": "Bad Request", "field": None, "help": None}]}
        if to in self.invalid_addresses:
            return 400, {}, {"errors": [{"message": "Does not contain a valid address.",
                                         "field": "personalizations.0.to.0.email", "help": None}]}
        attachments = mail.get("attachments", [])
        if any(not a.get("content") or not a.get("filename") for a in attachments):
            return 400, {}, {"errors": [{"message": "The attachment content and filename are required.",
                                         "field": "attachments", "help": None}]}
        content = {c["type"]: c["value"] for c in mail.get("content", [])}
        message_id = secrets.token_urlsafe(16)[:22]
        record = {"message_id": message_id, "to": to, "from": mail.get("from", {}), "subject": mail.get("subject"),
                  "text": content.get("text/plain"), "html": content.get("text/html"),
                  "content_order": [c["type"] for c in mail.get("content", [])],
                  "custom_args": mail.get("custom_args", {}), "attachments": attachments,
                  "tracking_settings": mail.get("tracking_settings", {})}
        with self.lock:
            self.accepted.append(record)
        return 202, {"X-Message-Id": message_id}, b""


class EventSigner:
    """An ECDSA P-256 key pair, signing requests the way SendGrid's Event Webhook does."""

    def __init__(self):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        self._key = ec.generate_private_key(ec.SECP256R1())
        der = self._key.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)
        self.public_key = base64.b64encode(der).decode()  # what SendGrid shows in its settings

    def headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self._key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {"X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
                "X-Twilio-Email-Event-Webhook-Timestamp": stamp, "Content-Type": "application/json"}


def event(kind: str, message_id: int, sg_message_id: str = "", **extra) -> dict:
    """One SendGrid event as the webhook posts it."""
    return {"event": kind, "email": extra.pop("email", "parent@example.com"), "timestamp": int(time.time()),
            "sg_event_id": extra.pop("sg_event_id", secrets.token_urlsafe(16)),
            "sg_message_id": f"{sg_message_id}.filterdrecv-1234-1-ABC-1.0" if sg_message_id else "",
            "careconnect_message_id": str(message_id), **extra}
