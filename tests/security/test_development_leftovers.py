"""What development conveniences could leak: the outbox page, and email tracking that rewrites links."""

from __future__ import annotations

import pytest

from careconnect_app import config
from careconnect_app.common.client_address import client_address
from careconnect_app.messaging import outbox
from careconnect_app.pages.dev_outbox import OutboxState, may_read_outbox
from tests.fakes.data import reconfigure
from tests.fakes.rows import queued
from tests.fakes.sendgrid import FakeSendGrid
from tests.security.conftest import run


@pytest.mark.parametrize("peer, forwarded, hops, allowed", [
    ("127.0.0.1", "", 0, True),
    ("::1", "", 0, True),
    ("192.168.1.20", "", 0, False),  # a laptop on the same Wi-Fi as the developer's machine
    ("10.0.0.7", "127.0.0.1", 0, False),  # claiming to be local in a header proves nothing
    ("127.0.0.1", "203.0.113.9", 1, False),  # a local reverse proxy forwarding an outside client
])
def test_the_development_outbox_answers_only_to_this_machine(monkeypatch, peer, forwarded, hops, allowed):
    monkeypatch.setenv("CARECONNECT_ENV", "dev")
    config.get_settings.cache_clear()
    try:
        assert may_read_outbox(client_address(peer, forwarded, hops)) is allowed
    finally:
        config.get_settings.cache_clear()


def test_the_outbox_is_never_shown_by_a_production_app(live, fresh_link):
    link = fresh_link(verification=True)  # its link is in the outbox file

    async def attack():
        client = live.tab()
        await client.open("/dev/outbox")
        await client.send(OutboxState, "load")
        received, messages = client.everything_received(), client.var(OutboxState, "messages")
        await client.close()
        return received, messages

    received, messages = run(attack())
    assert not messages and link.token not in received and link.email not in received


def test_sendgrid_never_rewrites_or_tracks_the_signing_link(database, monkeypatch):
    """Click tracking would route the parent's link (and its token) through SendGrid's redirector."""
    with FakeSendGrid() as sendgrid:
        reconfigure(monkeypatch, **sendgrid.env())
        (mid,) = queued(notify_sms=False)
        assert outbox.deliver_one(mid) == "sent"
    (mail,) = sendgrid.accepted
    tracking = mail["tracking_settings"]
    assert tracking["click_tracking"] == {"enable": False, "enable_text": False}
    assert tracking["open_tracking"] == {"enable": False}
    assert tracking["subscription_tracking"] == {"enable": False} and tracking["ganalytics"] == {"enable": False}
    assert "https://sign.careconnect.example.org/sign/" in mail["text"]
