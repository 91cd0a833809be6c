"""Provider webhooks (Starlette routes): Twilio status + inbound SMS, SendGrid events.

Each handler reads at most a size limit of body (an announced or streamed body past it is cut
off with 413 before anything else is done), authenticates the request (signature against the
configured PUBLIC URL, never the Host header), checks the shape of what was signed (400 when it
is not what the provider sends, never 500), then hands the work to messaging.receipts in a thread
(DB work must not block the event loop) and answers at once. Mount with `http_routes` (see
careconnect_app.py's api_transformer).
"""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import parse_qsl

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
# Twilio's form posts are a few KB; SendGrid batches events up to about 768 KB.
TWILIO_MAX_BODY = 64 * 1024
SENDGRID_MAX_BODY = 2 * 1024 * 1024


class BodyTooLarge(Exception):
    """The request announced or sent more than the route accepts."""


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, read chunk by chunk and abandoned as soon as it passes `limit` bytes."""
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


def _too_large() -> Response:
    return PlainTextResponse("request body too large", status_code=413)


def public_url(request: Request) -> str:
    """What Twilio signed: our configured public URL, path and query as received."""
    query = request.url.query
    return f"{get_settings().webhook_base_url}{request.url.path}" + (f"?{query}" if query else "")


async def _twilio_params(request: Request) -> dict | None:
    """The form fields if X-Twilio-Signature is valid for them, else None (BodyTooLarge past the limit)."""
    from twilio.request_validator import RequestValidator

    token = get_settings().twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return None
    body = await read_limited(request, TWILIO_MAX_BODY)
    try:
        params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return None
    if not RequestValidator(token).validate(public_url(request), params, signature):
        return None
    return params


async def _signed_twilio_form(request: Request) -> dict | Response:
    """The form fields of an authentic Twilio webhook, or the refusal to answer with."""
    try:
        params = await _twilio_params(request)
    except BodyTooLarge:
        return _too_large()
    return PlainTextResponse("invalid signature", status_code=403) if params is None else params


async def twilio_status(request: Request) -> Response:
    params = await _signed_twilio_form(request)
    if isinstance(params, Response):
        return params
    outcome = await run_in_threadpool(twilio_receipts.twilio_status, params, request.query_params.get("mid", ""))
    log.info("twilio status %s %s: %s", params.get("MessageSid"), params.get("MessageStatus"), outcome)
    return Response(status_code=204)


async def twilio_incoming(request: Request) -> Response:
    params = await _signed_twilio_form(request)
    if isinstance(params, Response):
        return params
    # The webhook carries no time: ask Twilio when the parent sent it, so replies apply in order.
    sent_at = await run_in_threadpool(twilio_receipts.reply_sent_at, params)
    await run_in_threadpool(twilio_receipts.twilio_incoming, params, sent_at)
    # Empty TwiML: no automatic reply from us (Twilio confirms STOP/START itself).
    return Response(EMPTY_TWIML, media_type="text/xml")


def sendgrid_headers_plausible(signature: str, timestamp: str, now: float | None = None) -> bool:
    """A key is configured, a signature is present and the timestamp is within 5 minutes."""
    if not get_settings().sendgrid_webhook_public_key or not signature:
        return False
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        return False
    return abs((now or time.time()) - int(timestamp)) <= SENDGRID_MAX_AGE_SECONDS


def sendgrid_signature_ok(raw: bytes, signature: str, timestamp: str, now: float | None = None) -> bool:
    """ECDSA over timestamp + raw body with the configured key; timestamp within 5 minutes."""
    from sendgrid.helpers.eventwebhook import EventWebhook

    if not sendgrid_headers_plausible(signature, timestamp, now):
        return False
    key = get_settings().sendgrid_webhook_public_key
    try:
        return EventWebhook(key).verify_signature(raw.decode("utf-8"), signature, timestamp)
    except Exception:  # malformed key, base64 or body: not authentic
        return False


async def sendgrid_events(request: Request) -> Response:
    signature = request.headers.get(SENDGRID_SIGNATURE, "")
    timestamp = request.headers.get(SENDGRID_TIMESTAMP, "")
    if not sendgrid_headers_plausible(signature, timestamp):  # refused before a byte of body is read
        return PlainTextResponse("invalid or stale signature", status_code=403)
    try:
        raw = await read_limited(request, SENDGRID_MAX_BODY)
    except BodyTooLarge:
        return _too_large()
    if not sendgrid_signature_ok(raw, signature, timestamp):
        return PlainTextResponse("invalid or stale signature", status_code=403)
    try:
        events = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return PlainTextResponse("body is not JSON", status_code=400)
    problem = sendgrid_receipts.batch_problem(events)
    if problem is not None:
        log.warning("sendgrid batch refused: %s", problem)
        return PlainTextResponse(problem, status_code=400)
    counts = await run_in_threadpool(sendgrid_receipts.sendgrid_events, events)
    return JSONResponse(counts)


http_routes: list[Route] = [
    Route(routes.TWILIO_STATUS, twilio_status, methods=["POST"]),
    Route(routes.TWILIO_INCOMING, twilio_incoming, methods=["POST"]),
    Route(routes.SENDGRID_EVENTS, sendgrid_events, methods=["POST"]),
]
