"""A size limit on Reflex's upload endpoint: the public /verify page takes a PDF from anyone.

Reflex spools any upload to disk whatever its size; this refuses a declared size over the limit
with 413 before reading it, and ends a body that grows past the limit (the upload then reads as
a client disconnect and nothing is handled).
"""

from __future__ import annotations

from careconnect_app.evidence.verify import MAX_PDF_BYTES

UPLOAD_PATH = "/_upload"
MAX_UPLOAD_BYTES = MAX_PDF_BYTES + 64 * 1024  # the PDF plus the multipart envelope


def upload_limit(app, limit: int = MAX_UPLOAD_BYTES):
    """ASGI middleware limiting request bodies sent to the upload endpoint."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http" or not scope.get("path", "").rstrip("/").endswith(UPLOAD_PATH):
            return await app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await send({"type": "http.response.start", "status": 413,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": b"The file is too large."})
            return None
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    return {"type": "http.disconnect"}
            return message

        return await app(scope, counted, send)

    return wrapped
