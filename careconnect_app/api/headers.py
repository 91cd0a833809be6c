"""Security headers on every backend response (and the built frontend in production).

The Content-Security-Policy is as strict as the built Reflex app allows:
- scripts only from our origin, plus exactly the inline scripts of the built pages and of the
  signing link's first paint, by their SHA-256 (no 'unsafe-inline', no 'unsafe-eval': nothing the
  app runs needs eval, and an injected inline script or event attribute does not run);
- styles from our origin and inline: Radix and Emotion write <style> elements and style
  attributes at run time, which no hash can list (CSS cannot run script);
- connections only to our origin and its websocket (the event channel);
- no plugins, no <base>, no framing, forms post only to us.
Strict-Transport-Security is sent only when the public base URL is https.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from reflex.config import get_config

from careconnect_app.api import frontend_build
from careconnect_app.api.sign_preview import PREVIEW_SCRIPT
from careconnect_app.config import get_settings

SECURITY_HEADERS = [
    # The signing token is in the URL: never leak it to another site through Referer.
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"x-robots-tag", b"noindex, nofollow"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS = b"max-age=31536000; includeSubDomains"


def _origins(url: str) -> list[str]:
    """A URL's origin over http(s) and over ws(s) (the event channel's websocket)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return []
    secure = parts.scheme == "https"
    return [f"{parts.scheme}://{parts.netloc}", f"{'wss' if secure else 'ws'}://{parts.netloc}"]


def content_security_policy() -> str:
    """The policy for this deployment and this build."""
    settings = get_settings()
    connect = ["'self'"]
    for url in (settings.base_url, get_config().api_url or ""):
        connect += [origin for origin in _origins(url) if origin not in connect]
    scripts = ["'self'", frontend_build.script_hash(PREVIEW_SCRIPT), *frontend_build.inline_script_hashes()]
    directives = [
        "default-src 'self'",
        "script-src " + " ".join(scripts),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src " + " ".join(connect),
        "media-src 'none'",
        "object-src 'none'",
        "worker-src 'self' blob:",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if settings.is_https:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


def response_headers() -> list[tuple[bytes, bytes]]:
    """Every security header for one response."""
    headers = [*SECURITY_HEADERS, (b"content-security-policy", content_security_policy().encode("ascii"))]
    if get_settings().is_https:
        headers.append((b"strict-transport-security", HSTS))
    return headers


def security_headers(app):
    """ASGI middleware adding the security headers to HTTP responses."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in response_headers() if k not in existing
                ]
            await send(message)

        return await app(scope, receive, send_with_headers)

    return wrapped


def caddy_snippet() -> str:
    """The same headers as a Caddyfile `header` block, for the pages Caddy serves from the build.

    Behind Caddy (deploy/Caddyfile) the built pages never pass through the app, so the build step
    writes this next to the build and Caddy imports it: one policy, made here, for both paths.
    """
    lines = [f"\t{name.decode('ascii').title()} \"{value.decode('ascii')}\"" for name, value in response_headers()]
    return "# Written by deploy/build-frontend.sh from careconnect_app/api/headers.py; do not edit.\n" \
        "header {\n" + "\n".join(lines) + "\n\t-Server\n}\n"
