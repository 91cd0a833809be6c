"""The caller of a plain HTTP route, by the same rule as the Reflex handlers (common/client_address.py)."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from careconnect_app.common.client_address import client_address


def caller_ip(request: HTTPConnection) -> str:
    """The client's IP address behind the configured trusted proxy hops."""
    peer = request.client.host if request.client else ""
    return client_address(peer, ", ".join(request.headers.getlist("x-forwarded-for")))
