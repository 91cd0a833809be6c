"""Security headers on every backend response (and the built frontend in production)."""

from __future__ import annotations

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
