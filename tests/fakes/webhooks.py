"""Requests as Twilio and SendGrid post them to our webhooks, signed the way they sign them."""

from __future__ import annotations

import json
import secrets

from twilio.request_validator import RequestValidator

from tests.fakes.data import BASE_URL
from tests.fakes.sendgrid import EventSigner
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER

PUBLIC = BASE_URL  # where Twilio believes it posts (the signature covers this URL)
SIGNER = EventSigner()  # our SendGrid account's Event Webhook key (the `webhook_client` fixture trusts it)
WEBHOOK_ENV = {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
               "SENDGRID_WEBHOOK_PUBLIC_KEY": SIGNER.public_key}


# ---- Twilio -----------------------------------------------------------------------------------

def twilio_post(client, path: str, params: dict, *, url: str | None = None, signature: str | None = None,
                query: str = ""):
    full = f"{path}?{query}" if query else path
    sig = RequestValidator(AUTH_TOKEN).compute_signature(url or f"{PUBLIC}{full}", params)
    headers = {} if signature == "" else {"X-Twilio-Signature": signature or sig}
    return client.post(full, data=params, headers=headers)


def status(sid: str, state: str, **extra) -> dict:
    """A status callback's form fields."""
    return {"MessageSid": sid, "MessageStatus": state, "AccountSid": ACCOUNT_SID, "From": FROM_NUMBER,
            "To": "+15555550123", "ApiVersion": "2010-04-01", **extra}


def incoming(body: str, phone: str = "+15555550123", sid: str | None = None) -> dict:
    """An incoming SMS's form fields (a parent's reply); every message has its own MessageSid."""
    return {"MessageSid": sid or "SM" + secrets.token_hex(16), "AccountSid": ACCOUNT_SID, "From": phone,
            "To": FROM_NUMBER, "Body": body}


# ---- SendGrid ---------------------------------------------------------------------------------

def sendgrid_post(client, events, *, signer=SIGNER, timestamp=None, tamper=False, headers=None):
    body = json.dumps(events).encode()
    h = signer.headers(body, timestamp) if headers is None else headers
    return client.post("/webhooks/sendgrid/events", content=body + (b" " if tamper else b""), headers=h)
