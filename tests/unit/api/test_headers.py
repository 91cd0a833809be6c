"""The caller's address behind a reverse proxy: the proxy's view when trusted, the socket's otherwise."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from starlette.requests import Request

from careconnect_app.api import headers


def _request(forwarded: str | None) -> Request:
    raw = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw, "client": ("127.0.0.1", 5000)})


@pytest.mark.parametrize("hops, forwarded, expected", [
    (0, "203.0.113.9", "127.0.0.1"),  # no proxy configured: the header is the client's to forge
    (1, "203.0.113.9", "203.0.113.9"),  # behind Caddy: the address Caddy saw
    (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # a forged first entry is ignored
    (2, "198.51.100.1, 203.0.113.9", "198.51.100.1"),
    (1, None, "127.0.0.1"),
])
def test_client_ip(monkeypatch, hops, forwarded, expected):
    monkeypatch.setattr(headers, "get_config", lambda: SimpleNamespace(trusted_proxy_hops=hops))
    assert headers.client_ip(_request(forwarded)) == expected
