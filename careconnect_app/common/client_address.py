"""Who is calling: the client's address behind a configured number of trusted reverse proxies.

Every proxy in front of the app appends the address it received the request from to
X-Forwarded-For. With N trusted proxies the client is therefore the N-th address from the right;
anything further left was written by the client and proves nothing. With no trusted proxy (the
default) the header is ignored and the peer of the TCP connection is the client. Reflex handlers
(pages/state_tools.py) and the plain HTTP routes (api/) both ask this one function, so the rate
limits and the audit trail see the same address whichever door a request came through.
"""

from __future__ import annotations

import ipaddress

from careconnect_app.config import get_settings

MAX_ADDRESS_LENGTH = 64


def _address(value: str) -> str | None:
    """`value` as a normalised IP address, or None when it is not one (ports and brackets dropped)."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.9:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(peer: str, forwarded_for: str = "", trusted_hops: int | None = None) -> str:
    """The client's IP: `peer` itself, or the address the outermost trusted proxy saw.

    `peer` is the TCP peer (the nearest proxy when there is one); `forwarded_for` the request's
    X-Forwarded-For (repeated headers joined with ", "). A header with fewer entries than the
    trusted hops, or a garbled entry, falls back to the peer: a misconfigured proxy must not let
    a client choose its own address.
    """
    hops = get_settings().trusted_proxy_hops if trusted_hops is None else trusted_hops
    chosen = peer
    if hops > 0:
        entries = [entry for entry in (forwarded_for or "").split(",") if entry.strip()]
        if len(entries) >= hops:
            chosen = _address(entries[-hops]) or peer
    return (_address(chosen) or chosen or "")[:MAX_ADDRESS_LENGTH]


def is_loopback(address: str) -> bool:
    """Whether `address` is this machine (127.0.0.0/8 or ::1)."""
    parsed = _address(address)
    return parsed is not None and ipaddress.ip_address(parsed).is_loopback
