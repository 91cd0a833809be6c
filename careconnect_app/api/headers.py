"""Security headers on every backend response (and the built frontend in production); the
caller's address behind a reverse proxy."""

from __future__ import annotations

from reflex.config import get_config
from starlette.requests import Request

SECURITY_HEADERS = [
    # The signing token is in the URL: never leak it to another site through Referer.
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"x-robots-tag", b"noindex, nofollow"),
]


def security_headers(app):
    """ASGI middleware adding SECURITY_HEADERS to HTTP responses."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in existing
                ]
            await send(message)

        return await app(scope, receive, send_with_headers)

    return wrapped


def client_ip(request: Request) -> str:
    """The caller's address: behind `trusted_proxy_hops` proxies (TRUSTED_PROXY_HOPS, e.g. 1 behind
    Caddy), the one the nearest trusted proxy saw in X-Forwarded-For, as Reflex does for the
    event channel; otherwise the connection's own (a client could forge the header)."""
    ip = request.client.host if request.client else ""
    hops = get_config().trusted_proxy_hops
    if hops:
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            ip = forwarded[-hops]
    return ip
