"""The client's address behind trusted proxies: the one rule for handlers and HTTP routes."""

from __future__ import annotations

import pytest

from careconnect_app import config
from careconnect_app.common.client_address import client_address, is_loopback


@pytest.mark.parametrize("peer, forwarded, hops, expected", [
    ("203.0.113.9", "", 0, "203.0.113.9"),
    # No trusted proxy: whatever the client writes in X-Forwarded-For is ignored.
    ("203.0.113.9", "198.51.100.1", 0, "203.0.113.9"),
    # One proxy: the address it appended (the last entry) is the client; entries before it are the client's own words.
    ("10.0.0.2", "6.6.6.6, 198.51.100.7", 1, "198.51.100.7"),
    ("10.0.0.2", "198.51.100.7", 1, "198.51.100.7"),
    # Two proxies (a CDN, then a load balancer): the second entry from the right.
    ("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.9", 2, "198.51.100.7"),
    # Fewer entries than trusted hops: a misconfiguration, never the client's choice.
    ("10.0.0.2", "", 1, "10.0.0.2"),
    ("10.0.0.2", "198.51.100.7", 2, "10.0.0.2"),
    # Garbage where an address should be: the peer.
    ("10.0.0.2", "6.6.6.6, not-an-ip", 1, "10.0.0.2"),
    ("10.0.0.2", "<script>", 1, "10.0.0.2"),
    # Ports and IPv6 brackets are dropped; IPv6 is normalised.
    ("10.0.0.2", "198.51.100.7:51234", 1, "198.51.100.7"),
    ("10.0.0.2", "[2001:DB8::1]:443", 1, "2001:db8::1"),
])
def test_client_address(peer, forwarded, hops, expected):
    assert client_address(peer, forwarded, hops) == expected


def test_hops_come_from_the_setting(monkeypatch):
    monkeypatch.setenv("CARECONNECT_TRUSTED_PROXY_HOPS", "1")
    config.get_settings.cache_clear()
    try:
        assert config.get_settings().trusted_proxy_hops == 1
        assert client_address("10.0.0.2", "198.51.100.7") == "198.51.100.7"
    finally:
        monkeypatch.delenv("CARECONNECT_TRUSTED_PROXY_HOPS")
        config.get_settings.cache_clear()
    assert client_address("10.0.0.2", "198.51.100.7") == "10.0.0.2"  # the default is 0: no proxy


@pytest.mark.parametrize("value", ["-1", "11", "two"])
def test_a_nonsense_hop_count_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("CARECONNECT_TRUSTED_PROXY_HOPS", value)
    config.get_settings.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="CARECONNECT_TRUSTED_PROXY_HOPS"):
            config.get_settings()
    finally:
        monkeypatch.delenv("CARECONNECT_TRUSTED_PROXY_HOPS")
        config.get_settings.cache_clear()


@pytest.mark.parametrize("address, expected", [("127.0.0.1", True), ("127.8.0.3", True), ("::1", True),
                                               ("10.0.0.5", False), ("192.168.1.20", False), ("", False),
                                               ("localhost", False)])
def test_is_loopback(address, expected):
    assert is_loopback(address) is expected
