"""The Twilio SDK's HTTP layer on one urllib3 connection pool (the SDK's own extension point).

The SDK accepts any `twilio.http.HttpClient`. Its default one runs each request through
`requests` (prepare, merge the session's settings, adapters), which cost the delivery worker more
CPU than the rest of an SMS; here a request goes straight to a urllib3 pool, which every sending
thread shares (urllib3's pools are thread-safe) and which keeps its connections open.

What `requests` decided per request is decided once here, the same way: the proxy the environment
names for Twilio's host (NO_PROXY honoured, by requests' own rules) and the CA bundle
(REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE, else certifi's, as requests does). A request is never
retried here: a lost answer may mean the SMS went out, and the outbox decides what happens next.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from urllib.parse import urlencode

import certifi
import urllib3
from requests.utils import get_environ_proxies, select_proxy
from twilio.http import HttpClient
from twilio.http.response import Response

log = logging.getLogger(__name__)


def _pairs(values: Mapping[str, object] | None) -> list[tuple[str, object]]:
    """Form or query pairs as requests makes them: a list gives the key once per item, None is left out."""
    pairs: list[tuple[str, object]] = []
    for key, value in (values or {}).items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item is not None:
                pairs.append((key, item))
    return pairs


class PooledHttpClient(HttpClient):
    """`twilio.http.HttpClient` on a urllib3 pool of `connections` (one per sending thread)."""

    def __init__(self, base_url: str, *, timeout: float, connections: int):
        super().__init__(log, False, timeout)
        options = dict(num_pools=4, maxsize=max(1, connections), retries=False,
                       ca_certs=os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where(),
                       cert_reqs="CERT_REQUIRED")
        proxy = select_proxy(base_url, get_environ_proxies(base_url))
        self.pool = urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)

    def request(self, method: str, uri: str, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects: bool = False) -> Response:
        headers = dict(headers or {})
        if headers.get("Content-Type") in ("application/json", "application/scim+json"):
            body = json.dumps(data).encode() if data is not None else None
        else:
            body = urlencode(_pairs(data)).encode() if data else None
            if body is not None:
                headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if auth:
            headers.update(urllib3.make_headers(basic_auth=f"{auth[0]}:{auth[1]}"))
        if params:
            uri = f"{uri}{'&' if '?' in uri else '?'}{urlencode(_pairs(params))}"
        seconds = timeout or self.timeout
        answer = self.pool.request(method.upper(), uri, body=body, headers=headers, redirect=allow_redirects,
                                   timeout=urllib3.Timeout(connect=seconds, read=seconds))
        return Response(answer.status, answer.data.decode("utf-8", errors="replace"), answer.headers)
