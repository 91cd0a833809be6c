"""Fake Twilio Messages API (2010-04-01): what the official SDK sends and expects back.

POST /2010-04-01/Accounts/{sid}/Messages.json (form body, basic auth) -> 201 message JSON, or
Twilio's error JSON {"code": 21211, "message": ..., "status": 400}. GET lists messages (the
backend's "did this go out?" lookup); GET .../Messages/{sid}.json fetches one, including a parent's
reply registered with `receive()` (the app asks when a STOP/START was sent). Every accepted
message is kept in `accepted`.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qs, urlsplit

from tests.fakes.http_fake import FakeHttpApi

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "f" * 32
FROM_NUMBER = "+15005550006"

ERRORS = {
    21211: "The 'To' number {to} is not a valid phone number.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
}


class FakeTwilio(FakeHttpApi):
    def __init__(self, *, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN, **kw):
        super().__init__(**kw)
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.accepted: list[dict] = []
        self.errors_for: dict[str, int] = {}  # phone number -> Twilio error code
        self.inbound: dict[str, dict] = {}  # MessageSid -> a parent's reply, as Twilio stores it

    def env(self) -> dict[str, str]:
        """Environment that points the app's Twilio backend here."""
        return {"CARECONNECT_SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": self.account_sid,
                "TWILIO_AUTH_TOKEN": self.auth_token, "TWILIO_FROM_NUMBER": FROM_NUMBER,
                "TWILIO_API_BASE": self.base_url}

    def accepted_for(self, message_id: int) -> list[dict]:
        """Accepted SMS whose StatusCallback carries our message id (?mid=)."""
        return [m for m in self.accepted if m["mid"] == str(message_id)]

    def accepted_ids(self) -> list[str]:
        with self.lock:
            return [m["mid"] for m in self.accepted]

    def receive(self, phone: str, body: str, at: datetime | None = None) -> str:
        """A parent's phone sends `body` to our number at `at`; returns its MessageSid."""
        sid = "SM" + secrets.token_hex(16)
        with self.lock:
            self.inbound[sid] = {"sid": sid, "to": FROM_NUMBER, "from": phone, "messaging_service_sid": "",
                                 "body": body, "status_callback": "", "date_created": at or datetime.now(UTC)}
        return sid
    def sent(self) -> list[dict]:
        with self.lock:
            return [{"to": m["to"], "body": m["body"]} for m in self.accepted]

    def _authorised(self, headers) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return headers.get("Authorization", "") == f"Basic {expected}"

    def handle(self, method, path, query, headers, body):
        prefix = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        if not self._authorised(headers):
            return 401, {}, {"code": 20003, "message": "Authenticate", "status": 401}
        one = f"/2010-04-01/Accounts/{self.account_sid}/Messages/"
        if method == "GET" and path.startswith(one) and path.endswith(".json"):
            with self.lock:
                record = self.inbound.get(path[len(one):-len(".json")])
            if record is None:
                return 404, {}, {"code": 20404, "message": "The requested resource was not found", "status": 404}
            return 200, {}, {**self._json(record), "direction": "inbound", "status": "received"}
        if path != prefix:
            return 404, {}, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        if method == "GET":
            return self._list(query)
        form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        to = form.get("To", "")
        if not to or not form.get("Body"):
            return 400, {}, {"code": 21604, "message": "A 'To' phone number and a Body are required.", "status": 400}
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return 400, {}, {"code": 21603, "message": "A 'From' phone number is required.", "status": 400}
        code = self.errors_for.get(to)
        if code:
            return 400, {}, {"code": code, "message": ERRORS.get(code, "error").format(to=to), "status": 400,
                             "more_info": f"https://www.twilio.com/docs/errors/{code}"}
        record = {
            "sid": "SM" + secrets.token_hex(16), "to": to, "from": form.get("From", ""),
            "messaging_service_sid": form.get("MessagingServiceSid", ""), "body": form["Body"],
            "status_callback": form.get("StatusCallback", ""), "date_created": datetime.now(UTC),
        }
        record["mid"] = parse_qs(urlsplit(record["status_callback"]).query).get("mid", [""])[0]
        with self.lock:
            self.accepted.append(record)
        return 201, {}, self._json(record)

    def _json(self, r: dict) -> dict:
        return {
            "sid": r["sid"], "account_sid": self.account_sid, "to": r["to"], "from": r["from"] or None,
            "messaging_service_sid": r["messaging_service_sid"] or None, "body": r["body"], "status": "queued",
            "num_segments": "1", "direction": "outbound-api", "api_version": "2010-04-01",
            "date_created": format_datetime(r["date_created"], usegmt=True),
            "date_updated": format_datetime(r["date_created"], usegmt=True), "date_sent": None,
            "error_code": None, "error_message": None, "price": None, "price_unit": "USD",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{r['sid']}.json",
        }

    def _list(self, query: str):
        to = parse_qs(query).get("To", [None])[0]
        with self.lock:
            rows = [self._json(r) for r in reversed(self.accepted) if to is None or r["to"] == to]
        return 200, {}, {"messages": rows[:50], "first_page_uri": "", "next_page_uri": None,
                         "previous_page_uri": None, "page": 0, "page_size": 50, "uri": ""}
