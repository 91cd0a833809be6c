"""Provider webhooks (Starlette routes): Twilio status + inbound SMS, SendGrid events.

Each handler authenticates the request (signature against the configured PUBLIC URL, never the
Host header), then hands the work to messaging.receipts in a thread (DB work must not block the
event loop) and answers at once. Mount with `http_routes` (see careconnect_app.py's api_transformer).
"""

from __future__ import annotations

import json
import logging
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from careconnect_app import routes
from careconnect_app.config import get_settings
from careconnect_app.messaging.receipts import sendgrid as sendgrid_receipts
from careconnect_app.messaging.receipts import twilio as twilio_receipts

log = logging.getLogger(__name__)

SENDGRID_MAX_AGE_SECONDS = 300  # a captured request replayed later is refused
SENDGRID_SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
SENDGRID_TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def public_url(request: Request) -> str:
    """What Twilio signed: our configured public URL, path and query as received."""
    query = request.url.query
    return f"{get_settings().webhook_base_url}{request.url.path}" + (f"?{query}" if query else "")


async def _twilio_params(request: Request) -> dict | None:
    """The form fields if X-Twilio-Signature is valid for them, else None."""
    from twilio.request_validator import RequestValidator

    token = get_settings().twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    form = await request.form()
    params = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    if not token or not signature or not RequestValidator(token).validate(public_url(request), params, signature):
        return None
    return params


async def twilio_status(request: Request) -> Response:
    params = await _twilio_params(request)
    if params is None:
        return PlainTextResponse("invalid signature", status_code=403)
    outcome = await run_in_threadpool(twilio_receipts.twilio_status, params, request.query_params.get("mid", ""))
    log.info("twilio status %s %s: %s", params.get("MessageSid"), params.get("MessageStatus"), outcome)
    return Response(status_code=204)


async def twilio_incoming(request: Request) -> Response:
    params = await _twilio_params(request)
    if params is None:
        return PlainTextResponse("invalid signature", status_code=403)
    await run_in_threadpool(twilio_receipts.twilio_incoming, params)
    # Empty TwiML: no automatic reply from us (Twilio confirms STOP/START itself).
    return Response(EMPTY_TWIML, media_type="text/xml")


def sendgrid_signature_ok(raw: bytes, signature: str, timestamp: str, now: float | None = None) -> bool:
    """ECDSA over timestamp + raw body with the configured key; timestamp within 5 minutes."""
    from sendgrid.helpers.eventwebhook import EventWebhook

    key = get_settings().sendgrid_webhook_public_key
    if not key or not signature or not timestamp.isdigit():
        return False
    if abs((now or time.time()) - int(timestamp)) > SENDGRID_MAX_AGE_SECONDS:
        return False
    try:
        return EventWebhook(key).verify_signature(raw.decode("utf-8"), signature, timestamp)
    except Exception:  # malformed key, base64 or body: not authentic
        return False


async def sendgrid_events(request: Request) -> Response:
    raw = await request.body()
    if not sendgrid_signature_ok(raw, request.headers.get(SENDGRID_SIGNATURE, ""),
                                 request.headers.get(SENDGRID_TIMESTAMP, "")):
        return PlainTextResponse("invalid or stale signature", status_code=403)
    try:
        events = json.loads(raw)
    except ValueError:
        return PlainTextResponse("body is not JSON", status_code=400)
    if not isinstance(events, list):
        return PlainTextResponse("expected a JSON array of events", status_code=400)
    counts = await run_in_threadpool(sendgrid_receipts.sendgrid_events, events)
    return JSONResponse(counts)


http_routes: list[Route] = [
    Route(routes.TWILIO_STATUS, twilio_status, methods=["POST"]),
    Route(routes.TWILIO_INCOMING, twilio_incoming, methods=["POST"]),
    Route(routes.SENDGRID_EVENTS, sendgrid_events, methods=["POST"]),
]
