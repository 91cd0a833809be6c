"""The fake Twilio and SendGrid APIs on local ports, with the app's backends pointed at them."""

from __future__ import annotations

import pytest

from tests.fakes.data import reconfigure
from tests.fakes.sendgrid import FakeSendGrid
from tests.fakes.twilio import FakeTwilio


@pytest.fixture
def twilio(database, monkeypatch):
    with FakeTwilio() as fake:
        reconfigure(monkeypatch, **fake.env())
        yield fake


@pytest.fixture
def sendgrid(database, monkeypatch):
    with FakeSendGrid() as fake:
        reconfigure(monkeypatch, **fake.env())
        yield fake


@pytest.fixture
def fakes(database, monkeypatch):
    """Both APIs at once, each answering in 30 ms as real ones take a while; (twilio, sendgrid)."""
    with FakeTwilio(latency=0.03) as twilio, FakeSendGrid(latency=0.03) as sendgrid:
        reconfigure(monkeypatch, **twilio.env(), **sendgrid.env(), CARECONNECT_SEND_TIMEOUT="3")
        yield twilio, sendgrid
